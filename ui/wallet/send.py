"""Send: recipient (address book completion), amount or max, fee preset, message, then review."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.review import ReviewDialog, SentPanel
from ui.wallet.units import money
from ui.wallet.wallet_model import FEE_PRESETS, WalletModel
from wallet.coinselect import payment_size
from wallet.errors import BroadcastUncertain, WalletError
from wallet.send import DEFAULT_EXPIRY_DELTA, Review, SendRequest, fee_rate_for

MAX_MESSAGE_BYTES = 80  # fluxd's standard OP_RETURN payload limit
_SEPARATOR = " — "


def _sentence(text: str) -> str:
    # Engine messages are sometimes clauses ("spendable balance … does not cover …").
    return text[:1].upper() + text[1:]


class SendPage(WalletPage):
    page_id: ClassVar[str] = "wallet-send"
    order: ClassVar[int] = 110

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("Flux address or a name from your contacts"))
        self._contacts = QStringListModel(self)
        completer = QCompleter(self._contacts, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._contact_chosen)
        self.address.setCompleter(completer)
        self.address.editingFinished.connect(self._check_address)
        self.address_note = hint("")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("0.00")
        self.max_button = QPushButton(self.tr("Max"))
        self.max_button.setToolTip(self.tr("Send everything spendable; the fee comes off it"))
        self.max_button.clicked.connect(self.use_max)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(QLabel(service.currency))
        amount_row.addWidget(self.max_button)
        self.spendable = hint("")
        self.max_note = hint("")
        self.max_note.setWordWrap(True)
        self.fee = QComboBox()
        for value, label in FEE_PRESETS:
            self.fee.addItem(self.tr(label), value)
        self._describe_fees()
        self.fee.setCurrentIndex(self.fee.findData("normal"))
        self.message = QLineEdit()
        self.message.setPlaceholderText(self.tr("Optional, public and permanent (OP_RETURN)"))
        self.message.textChanged.connect(self._message_changed)
        self.coins_note = hint("")
        self.clear_coins = QPushButton(self.tr("Let the wallet choose"))
        self.clear_coins.clicked.connect(lambda: service.select_coins(()))
        coins_row = QHBoxLayout()
        coins_row.addWidget(self.coins_note, 1)
        coins_row.addWidget(self.clear_coins)
        self.review_button = QPushButton(self.tr("Review…"))
        self.review_button.setDefault(True)
        self.review_button.clicked.connect(self.review)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setProperty("state", "bad")
        self.sent = SentPanel()
        self.sent.hide()
        self.dialog: ReviewDialog | None = None
        form = QFormLayout()
        form.addRow(self.tr("Pay to"), self.address)
        form.addRow("", self.address_note)
        form.addRow(self.tr("Amount"), amount_row)
        form.addRow("", self.spendable)
        form.addRow("", self.max_note)
        form.addRow(self.tr("Fee"), self.fee)
        form.addRow(self.tr("Message"), self.message)
        form.addRow(self.tr("Coins"), coins_row)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.error)
        layout.addWidget(self.sent)
        layout.addStretch(1)
        service.coin_selection_changed.connect(self._coins_changed)
        # A new payment begins: the last one's "Sent." panel and errors go.
        for field in (self.address, self.amount, self.message):
            field.textEdited.connect(self._new_payment)
        self.amount.textEdited.connect(lambda _: self.max_note.setText(""))
        self._coins_changed()
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Send")

    def refresh(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        self._contacts.setStringList(
            [f"{c.name}{_SEPARATOR}{c.address}" for c in snapshot.contacts]
        )
        can_spend = snapshot.can_sign
        self.review_button.setEnabled(can_spend)
        self.max_button.setEnabled(can_spend)
        self._show_spendable()
        if not can_spend:
            self.error.setText(self.tr(
                "This is a watch-only wallet: it holds no private keys, so it cannot sign "
                "payments. Send from the wallet (or hardware device) that holds this seed."))

    def _describe_fees(self) -> None:
        """Each preset with its rate and what it costs for a typical payment."""
        size = payment_size()
        unit = self.service.currency
        for number, (value, label) in enumerate(FEE_PRESETS):
            rate = fee_rate_for(value)
            self.fee.setItemText(number, self.tr("%s — %s sat/byte, %s for a typical payment") % (
                self.tr(label), f"{rate.sat_per_byte:g}", money(rate.fee(size), unit)))

    def _show_spendable(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        chosen = self.service.coin_selection
        unit = self.service.currency
        if chosen:
            amount = sum(c.satoshis for c in snapshot.coins
                         if c.outpoint in chosen and c.spendable)
            self.spendable.setText(self.tr("Spendable from the chosen coins: %s")
                                   % money(amount, unit))
        else:
            self.spendable.setText(self.tr("Spendable: %s") % money(
                snapshot.balances.spendable, unit))

    def _new_payment(self, *_: object) -> None:
        if not self.sent.isHidden():
            self.sent.hide()
            self.error.setText("")

    @asyncSlot()
    async def use_max(self) -> None:
        """Put "max" in the amount and say what that sends (everything spendable minus fee)."""
        self._new_payment()
        self.amount.setText("max")
        snapshot = self.service.snapshot
        to = self.address.text().strip()
        if not to or not self.service.check_address(to)[0]:
            to = snapshot.receive_address or "" if snapshot else ""
        request = replace(self.request(), to=to, amount="max", message=None)
        self.max_note.setText(self.tr("Working out the amount…"))
        try:
            review = await self.service.prepare_send(
                request, self.service.coin_selection or None)
        except WalletError as exc:
            self.max_note.setText("")
            self.error.setText(_sentence(str(exc)))
            return
        if self.amount.text().strip().lower() == "max":
            unit = self.service.currency
            self.max_note.setText(self.tr("Max sends %s (everything spendable minus a %s fee)")
                                  % (money(review.amount, unit), money(review.fee, unit)))

    def _contact_chosen(self, text: str) -> None:
        address = text.rsplit(_SEPARATOR, 1)[-1]
        self.address.setText(address)
        self._check_address()

    def _check_address(self) -> None:
        text = self.address.text().strip()
        if _SEPARATOR in text:
            text = text.rsplit(_SEPARATOR, 1)[-1]
            self.address.setText(text)
        ok, note = self.service.check_address(text) if text else (True, "")
        self.address_note.setText(note)
        self.address_note.setProperty("state", "" if ok else "bad")
        self.address_note.style().polish(self.address_note)

    def _message_changed(self, text: str) -> None:
        size = len(text.encode("utf-8"))
        self.message.setStyleSheet("" if size <= MAX_MESSAGE_BYTES else "color: #d0403a;")
        self.message.setToolTip(self.tr("%d of %d bytes") % (size, MAX_MESSAGE_BYTES))

    def _coins_changed(self) -> None:
        self._show_spendable()
        chosen = self.service.coin_selection
        if chosen:
            self.coins_note.setText(self.tr("Only the %d coins selected on the Coins page")
                                    % len(chosen))
        else:
            self.coins_note.setText(self.tr("Chosen automatically (frozen and collateral coins "
                                            "are never used)"))
        self.clear_coins.setVisible(bool(chosen))

    def request(self) -> SendRequest:
        snapshot = self.service.snapshot
        return SendRequest(
            to=self.address.text().strip(),
            amount=self.amount.text().strip(),
            fee_preset=str(self.fee.currentData()),
            message=self.message.text() or None,
            expiry_delta=snapshot.expiry_delta if snapshot else DEFAULT_EXPIRY_DELTA,
        )

    @asyncSlot()
    async def review(self) -> None:
        self.error.setText("")
        self.sent.hide()
        self._check_address()
        if self.address_note.property("state") == "bad":
            return  # said once, under the address
        if len(self.message.text().encode("utf-8")) > MAX_MESSAGE_BYTES:
            self.error.setText(self.tr("The message is longer than %d bytes; shorten it.")
                               % MAX_MESSAGE_BYTES)
            return
        self.review_button.setEnabled(False)
        try:
            review = await self.service.prepare_send(
                self.request(), self.service.coin_selection or None)
        except WalletError as exc:
            self.error.setText(_sentence(str(exc)))
            return
        finally:
            self.review_button.setEnabled(True)
        self.dialog = ReviewDialog(review, self.service.currency, self)
        self.dialog.broadcast_requested.connect(self.broadcast)
        self.dialog.open()

    @asyncSlot(object)
    async def broadcast(self, review: Review) -> None:
        self.review_button.setEnabled(False)
        try:
            txid = await self.service.broadcast(review)
        except BroadcastUncertain as exc:
            # It may be on its way: an emptied form does not invite sending the payment twice.
            self._clear_form()
            self.error.setText(_sentence(str(exc)))
            return
        except WalletError as exc:
            self.error.setText(_sentence(str(exc)))
            return
        finally:
            self.review_button.setEnabled(True)
        self.sent.show_txid(txid, self.service.explorer_url(txid))
        self._clear_form()

    def _clear_form(self) -> None:
        self.address.clear()
        self.address_note.setText("")
        self.amount.clear()
        self.max_note.setText("")
        self.message.clear()
        self.service.select_coins(())

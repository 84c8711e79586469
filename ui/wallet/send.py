"""Send: recipient (address book completion), amount or max, fee preset, message, then review."""

from __future__ import annotations

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
from ui.wallet.wallet_model import FEE_PRESETS, WalletModel
from wallet.errors import BroadcastUncertain, WalletError
from wallet.send import DEFAULT_EXPIRY_DELTA, Review, SendRequest

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
        self.max_button.clicked.connect(lambda: self.amount.setText("max"))
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(QLabel(service.currency))
        amount_row.addWidget(self.max_button)
        self.fee = QComboBox()
        for value, label in FEE_PRESETS:
            self.fee.addItem(self.tr(label), value)
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
        if not can_spend:
            self.error.setText(self.tr("This is a watch-only wallet: it cannot sign payments."))

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
        self.message.clear()
        self.service.select_coins(())

""""Prepare collateral…" on the Nodes page: pick a tier (only those the spendable balance can
pay), review the send-to-self in the wallet's ReviewDialog, broadcast, then tell where the new
coin is and when it can back a node. The review is built, checked and sent on the engine
through NodesModel (NodeManager.prepare_collateral / send_collateral)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from flux.networks import Network
from flux.tiers import Tier, tier_spec
from ui.pages.base import heading, hint
from ui.wallet.nodes_model import NodesModel
from ui.wallet.nodes_widgets import short_outpoint
from ui.wallet.page_action import PageAction
from ui.wallet.review import ReviewDialog
from ui.wallet.units import money
from wallet.errors import BroadcastUncertain, WalletError
from wallet.nodes.prepare import PreparedCollateral, affordable, collateral_amount
from wallet.nodes.timing import PON_TIMING, blocks_to_seconds, describe_duration
from wallet.send import Review

TIERS = (Tier.CUMULUS, Tier.NIMBUS, Tier.STRATUS)


class TierDialog(QDialog):
    """One choice per tier; a tier the spendable balance cannot pay is disabled and says so."""

    tier_chosen = Signal(str)  # "cumulus", "nimbus", "stratus"

    def __init__(self, spendable: int, network: Network, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Prepare collateral"))
        self.setModal(True)
        unit = network.currency_unit
        needed = PON_TIMING.collateral_confirmations
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Prepare a collateral")))
        layout.addWidget(hint(self.tr(
            "FluxDesk sends the exact amount to a new address of your own, in one payment. The "
            "coin stays in this wallet, locked so no send spends it, and can back a node after "
            "%d confirmations (%s). You review the payment before anything is sent.") % (
            needed, describe_duration(blocks_to_seconds(needed)))))
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        self.notes: dict[str, QLabel] = {}
        for tier in TIERS:
            name = tier.name.lower()
            amount = collateral_amount(tier)
            button = QRadioButton(f"{tier_spec(tier).title} — {money(amount, unit)}")
            can = affordable(tier, spendable)
            button.setEnabled(can)
            note = hint("" if can else self.tr(
                "Needs %s plus a small fee; you can spend %s now.") % (
                money(amount, unit), money(spendable, unit)))
            note.setVisible(not can)
            note.setIndent(24)
            self.group.addButton(button)
            self.choices[name], self.notes[name] = button, note
            layout.addWidget(button)
            layout.addWidget(note)
        first = next((b for b in self.choices.values() if b.isEnabled()), None)
        if first is not None:
            first.setChecked(True)
        self.none_note = hint(self.tr(
            "Your spendable balance (%s) does not cover any tier yet. Receive more first; "
            "coins already locked as collateral do not count.") % money(spendable, unit))
        self.none_note.setProperty("state", "warn")
        self.none_note.setVisible(first is None)
        layout.addWidget(self.none_note)
        buttons = QDialogButtonBox()
        self.review_button = buttons.addButton(self.tr("Review…"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.review_button.setEnabled(first is not None)
        self.review_button.clicked.connect(self._choose)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.reject)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def chosen(self) -> str | None:
        return next((n for n, b in self.choices.items() if b.isChecked() and b.isEnabled()),
                    None)

    def _choose(self) -> None:
        tier = self.chosen()
        if tier is not None:
            self.tier_chosen.emit(tier)
            self.accept()


def collateral_review(review: Review, tier: str, unit: str,
                      parent: QWidget | None = None) -> ReviewDialog:
    """The wallet's send review, titled and explained as a collateral payment to yourself."""
    dialog = ReviewDialog(review, unit, parent)
    dialog.setWindowTitle(dialog.tr("Review collateral payment"))
    needed = PON_TIMING.collateral_confirmations
    purpose = QLabel(dialog.tr(
        "A %s collateral, paid to your own address in one output. It stays in this wallet, "
        "locked, and can back a node after %d confirmations (%s).") % (
        tier.title(), needed, describe_duration(blocks_to_seconds(needed))))
    purpose.setWordWrap(True)
    dialog.form.insertRow(0, dialog.tr("Purpose"), purpose)
    dialog.fields["purpose"] = purpose
    total = dialog.form.labelForField(dialog.fields["total"])
    if isinstance(total, QLabel):  # to yourself: only the fee leaves the wallet
        total.setText(dialog.tr("Total moved (yours; the fee is paid)"))
    dialog.resize(640, dialog.sizeHint().height())
    return dialog


def sent_words(made: PreparedCollateral) -> str:
    ripe = made.maturity
    return (f"Collateral sent ({made.tier.title()}, {short_outpoint(made.outpoint)}): "
            f"{ripe.confirmations}/{ripe.needed} confirmations, it can back a node in "
            f"{describe_duration(ripe.eta_seconds)}.")


class CollateralPrep(PageAction):
    """The page's "Prepare collateral…": tier → review (engine) → ReviewDialog → send."""

    sent = Signal(object)  # PreparedCollateral

    def __init__(self, nodes: NodesModel, parent: QWidget,
                 show: Callable[[QDialog], None], say: Callable[[str, str], None]) -> None:
        super().__init__(nodes, parent, show, say)
        self.tier = ""

    def begin(self) -> None:
        snapshot = self.nodes.wallet.snapshot
        spendable = snapshot.balances.spendable if snapshot is not None else 0
        dialog = TierDialog(spendable, self.nodes.network, self.parent_widget)
        dialog.tier_chosen.connect(self.review)
        self.show(dialog)

    @asyncSlot(str)
    async def review(self, tier: str) -> None:
        self.tier = tier
        self.say("", self.tr("Building the collateral payment…"))
        try:
            review = await self.nodes.prepare_collateral(tier)
        except WalletError as exc:
            self.say("bad", str(exc))
            return
        self.say("", self.tr("Review the collateral payment."))
        dialog = collateral_review(review, tier, self.nodes.wallet.currency, self.parent_widget)
        dialog.broadcast_requested.connect(self.send)
        self.show(dialog)

    @asyncSlot(object)
    async def send(self, review: Review) -> None:
        self.say("", self.tr("Broadcasting the collateral payment…"))
        try:
            made = await self.nodes.send_collateral(review)
        except BroadcastUncertain as exc:
            self.say("warn", self.tr("The payment may have been sent: %s") % exc)
            return
        except WalletError as exc:
            self.say("bad", self.tr("Not sent: %s") % exc)
            return
        self.say("ok", sent_words(made))
        self.sent.emit(made)

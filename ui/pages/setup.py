"""The one-click node setup (page id ``setup``): a thin view of `ui.setup_service`.

It shows the seven steps, the current one's card and the tier choice, and binds the buttons to
the service; the flow and the wallet are never called from here.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)
from qasync import asyncSlot

from nodesetup.model import TIERS, StepId
from nodesetup.ports import CollateralOffer
from ui.pages.base import Page, hint
from ui.setup_approval import CollateralReviewDialog
from ui.setup_service import SetupService, SetupSnapshot
from ui.setup_widgets import StepCard, StepList
from ui.wallet.gate import UnlockForm
from ui.wallet.wallet_model import WalletModel
from wallet.state import WalletStatus

AUTO = ""


class SetupPage(Page):
    page_id: ClassVar[str] = "setup"
    order: ClassVar[int] = 200

    def __init__(self, service: SetupService, wallet: WalletModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.wallet = wallet
        self.dialog: CollateralReviewDialog | None = None
        layout = self.page_content(self.title())
        layout.addWidget(hint(self.tr(
            "From FLUX in this wallet to a CONFIRMED FluxNode on this machine: benchmark, "
            "collateral (it matures while the node installs), identity key, install, sync, "
            "START and confirmation. You can leave at any time; the setup goes on where it "
            "was.")))
        self.no_wallet = QWidget()
        row = QHBoxLayout(self.no_wallet)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(hint(self.tr("The setup keeps the collateral and the node's identity key "
                                   "in FluxDesk's wallet. Create or restore one first.")), 1)
        self.wallet_button = QPushButton(self.tr("Create or restore a wallet"))
        self.wallet_button.clicked.connect(wallet.wizard_requested)
        row.addWidget(self.wallet_button)
        self.unlock = UnlockForm(wallet)
        layout.addWidget(self.no_wallet)
        layout.addWidget(self.unlock)
        self.steps = StepList()
        layout.addWidget(self.steps)
        tier_row = QHBoxLayout()
        tier_row.addWidget(QLabel(self.tr("Tier")))
        self.tier = QComboBox()
        self.tier.addItem(self.tr("Highest the benchmark passes (recommended)"), AUTO)
        for name in TIERS:
            self.tier.addItem(name.title(), name)
        self.tier.activated.connect(self._tier_chosen)
        tier_row.addWidget(self.tier, 1)
        layout.addLayout(tier_row)
        self.tier_note = hint("")
        layout.addWidget(self.tier_note)
        self.card = StepCard()
        self.card.retry_requested.connect(service.retry)
        layout.addWidget(self.card)
        self.note = hint("")
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start the setup"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(service.start)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.clicked.connect(self._pause)
        self.start_over_button = QPushButton(self.tr("Start over…"))
        self.start_over_button.clicked.connect(self._ask_start_over)
        self.start_over_dialog: QMessageBox | None = None
        self.start_over_confirm: QPushButton | None = None
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.pause_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_over_button)
        layout.addLayout(buttons)
        layout.addStretch(1)
        service.snapshot_changed.connect(self.show_snapshot)
        service.approval_requested.connect(self.ask_approval)
        service.approval_withdrawn.connect(self._withdraw)
        service.error.connect(self._error)
        wallet.state_changed.connect(self._wallet_state)
        self._wallet_state(str(wallet.state))
        self.show_snapshot(service.snapshot)
        if service.pending_offer is not None:  # asked before this page was built
            self.ask_approval(service.pending_offer)

    def title(self) -> str:
        return self.tr("Set up a FluxNode")

    def page_shown(self) -> None:
        self._reload()

    @asyncSlot()
    async def _reload(self) -> None:
        await self.service.refresh()

    def _wallet_state(self, _state: str) -> None:
        if self.wallet.state == WalletStatus.LOCKED:
            self.unlock.refresh()
        self.show_snapshot(self.service.snapshot)

    def show_snapshot(self, snap: SetupSnapshot) -> None:
        self.steps.show_snapshot(snap)
        self.card.show_snapshot(snap)
        state = self.wallet.state
        unlocked = state == WalletStatus.UNLOCKED
        # The wallet is needed until the node is CONFIRMED.
        self.no_wallet.setVisible(state == WalletStatus.NONE and not snap.done)
        self.unlock.setVisible(state == WalletStatus.LOCKED and not snap.done)
        self.start_button.setText(self.tr("Continue the setup") if snap.started
                                  else self.tr("Start the setup"))
        self.start_button.setVisible(not snap.done)
        self.start_button.setEnabled(unlocked and not snap.running and snap.failure is None)
        self.pause_button.setVisible(not snap.done)
        self.pause_button.setEnabled(snap.running)
        self.start_over_button.setVisible(snap.started)
        # The tier is fixed once the collateral is chosen.
        self.tier.setEnabled(snap.outpoint is None)
        wanted = snap.tier if snap.tier_by_user else self.service.tier_choice
        index = self.tier.findData(wanted or AUTO)
        if index >= 0 and not self.tier.view().isVisible():
            self.tier.setCurrentIndex(index)
        self.tier_note.setText(self._tier_words(snap))
        note = snap.note
        if not note and snap.paused and not snap.running:  # paused in an earlier session
            note = self.tr("Paused by you. Continue whenever you like: the setup resumes at "
                           "this step.")
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _tier_words(self, snap: SetupSnapshot) -> str:
        chosen = (self.tr(" You chose %s; a tier the benchmark does not pass is warned about.")
                  % snap.tier.title() if snap.tier_by_user and snap.tier else "")
        if snap.step == StepId.BENCHMARK:
            return self.tr("The benchmark (step 1) finds the highest tier this machine "
                           "passes.") + chosen
        best = snap.bench_best.title() if snap.bench_best else self.tr("no tier")
        return self.tr("The benchmark passed %s.") % best + chosen

    def _ask_start_over(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Start the setup over?"),
                          self.tr("Start the node setup over from step 1?"),
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(self.tr(
            "Kept: the wallet's node entry with its identity key, the collateral coin (it "
            "stays yours and stays locked as collateral) and the node software installed on "
            "this machine.\n\n"
            "Forgotten: this setup's progress (the steps done, the benchmark's result and the "
            "tier). A new setup starts with the benchmark; it does not reuse a coin that a "
            "node entry holds (remove that node on the Nodes page to reuse its coin)."))
        self.start_over_confirm = box.addButton(self.tr("Start over"),
                                                QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(self._start_over_answered)
        self.start_over_dialog = box
        box.open()

    def _start_over_answered(self, button: QAbstractButton) -> None:
        if button is self.start_over_confirm and self.start_over_confirm is not None:
            self._start_over()

    @asyncSlot()
    async def _start_over(self) -> None:
        await self.service.start_over()

    def _pause(self) -> None:
        self.service.pause()

    def _tier_chosen(self, index: int) -> None:
        tier = self.tier.itemData(index)
        self.service.choose_tier(str(tier) if tier else None)

    def ask_approval(self, offer: CollateralOffer) -> None:
        self.dialog = CollateralReviewDialog(offer, self.wallet.currency, self)
        self.dialog.broadcast_requested.connect(lambda _r: self.service.answer_approval(True))
        self.dialog.rejected.connect(lambda: self.service.answer_approval(False))
        self.dialog.open()

    def _withdraw(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.reject()

    def _error(self, message: str) -> None:
        self.note.setText(message)
        self.note.setVisible(True)

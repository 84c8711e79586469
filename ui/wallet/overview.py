"""Wallet overview: balances, latest activity, connection and sync state; hosts the wizard."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from html import escape
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.stale import StaleBanner
from ui.wallet.units import money
from ui.wallet.wallet_model import WalletModel
from ui.wallet.wizard_view import WizardView
from wallet.state import Connection, WalletStatus
from wallet.wizard import WalletWizard

LATEST = 8


class OverviewPage(WalletPage):
    page_id: ClassVar[str] = "wallet"
    order: ClassVar[int] = 100
    setup_link = Signal()  # the node-setup line's link was clicked

    def __init__(
        self,
        service: WalletModel,
        make_flow: Callable[[], WalletWizard],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(service, parent)
        self._make_flow = make_flow
        self.wizard: WizardView | None = None
        unit = service.currency
        self.total = QLabel()
        self.total.setObjectName("balanceTotal")
        big = self.total.font()
        big.setPointSizeF(big.pointSizeF() * 2)
        big.setWeight(QFont.Weight.DemiBold)
        self.total.setFont(big)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.addWidget(hint(self.tr("Total")), 0, 0)
        grid.addWidget(self.total, 1, 0, 1, 4)
        for column, (key, label) in enumerate(
            (
                ("spendable", self.tr("Spendable")),
                ("pending", self.tr("Pending")),
                ("collateral", self.tr("Locked as collateral")),
                ("immature", self.tr("Rewards maturing")),
            )
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName("balanceValue")
            self.values[key] = value
            grid.addWidget(hint(label), 2, column)
            grid.addWidget(value, 3, column)
        card = QFrame()
        card.setObjectName("card")
        card.setLayout(grid)
        self.unit = unit
        self.connection = QLabel()
        self.connection.setObjectName("connectionState")
        self.connection.setWordWrap(True)
        self.activity = QListWidget()
        self.activity.setObjectName("activity")
        self.activity.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.activity.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sync_button = QPushButton(self.tr("Refresh"))
        self.sync_button.clicked.connect(service.sync)
        self.stale = StaleBanner(service)
        self.watch_only = hint(self.tr(
            "Watch-only wallet: it shows balances and history, but it holds no private keys "
            "and cannot send. Payments from these addresses are signed in the wallet that holds "
            "their seed."))
        self.watch_only.setObjectName("watchOnlyNote")
        self.watch_only.setWordWrap(True)
        self.watch_only.hide()
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.stale)
        layout.addWidget(self.watch_only)
        layout.addWidget(card)
        layout.addSpacing(8)
        layout.addWidget(self.connection)
        # Where the one-click node setup stands, when one was started.
        self.setup_line = QLabel()
        self.setup_line.setWordWrap(True)
        self.setup_line.hide()
        self.setup_line.linkActivated.connect(lambda _link: self.setup_link.emit())
        layout.addWidget(self.setup_line)
        layout.addSpacing(8)
        layout.addWidget(hint(self.tr("Latest activity")))
        layout.addWidget(self.activity, 1)
        layout.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignLeft)
        service.connection_changed.connect(self._connection_changed)
        service.history_changed.connect(self.refresh)
        service.wizard_requested.connect(self.open_wizard)
        self.no_wallet.button.clicked.disconnect()
        self.no_wallet.button.clicked.connect(self.open_wizard)
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Wallet")

    def open_wizard(self) -> None:
        if self.service.state != WalletStatus.NONE:
            return
        if self.wizard is not None:
            self.gate.removeWidget(self.wizard)
            self.wizard.deleteLater()
        self.wizard = WizardView(self._make_flow())
        self.wizard.finished.connect(self._wizard_finished)
        self.gate.addWidget(self.wizard)
        self.gate.setCurrentWidget(self.wizard)

    @asyncSlot()
    async def _wizard_finished(self) -> None:
        await self.service.refresh_state()

    def set_setup_line(self, text: str) -> None:
        self.setup_line.setText(f'{escape(text)} · <a href="setup">{self.tr("Open")}</a>'
                                if text else "")
        self.setup_line.setVisible(bool(text))

    def _connection_changed(self, info: Connection) -> None:
        state = "" if info.ok is None else ("ok" if info.ok else "bad")
        tip = self.tr(" · block %d") % info.tip_height if info.tip_height >= 0 else ""
        # A failure is spelled out in full in the banner above; here it stays one short line.
        text = info.text
        if info.ok is False:
            text = self.tr("Not connected: the server did not answer.")
        self.connection.setText(text + tip)
        self.connection.setProperty("state", state)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
        self.stale.refresh()

    def refresh(self) -> None:
        if self.service.state != WalletStatus.UNLOCKED:
            return
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        self.watch_only.setVisible(snapshot.watch_only)
        balances = snapshot.balances
        self.total.setText(money(balances.total, self.unit))
        self.values["spendable"].setText(money(balances.spendable, self.unit))
        self.values["pending"].setText(money(balances.pending, self.unit))
        self.values["collateral"].setText(money(balances.locked, self.unit))
        self.values["immature"].setText(money(balances.immature, self.unit))
        self._connection_changed(self.service.connection)
        self.activity.clear()
        # Newest = pending first, then fewest confirmations; nsmallest stays O(n) for big wallets.
        rows = heapq.nsmallest(
            LATEST, self.service.history_rows, key=lambda r: (r.confirmations > 0, r.confirmations)
        )
        if not rows and self.service.sync_error and not snapshot.synced:
            self.activity.addItem(self.tr(
                "No transactions known yet: the server could not be reached. Retry above."))
        elif not rows:
            self.activity.addItem(self.tr("No transactions yet. Receive coins to get started."))
        for row in rows:
            date, kind, amount, confirmations = row.texts[:4]
            label = f"  ·  {row.label}" if row.label else ""
            state = (self.tr("%s confirmations") % confirmations if row.confirmations > 0
                     else self.tr("pending"))
            self.activity.addItem(f"{amount} {self.unit}  ·  {kind}  ·  {date}  ·  {state}{label}")

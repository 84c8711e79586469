"""Coins (UTXOs) with coin control: freeze/unfreeze, pick coins for a send, consolidate rewards.

Collateral outputs of nodes are shown, marked and locked: they cannot be frozen, picked or
consolidated here. A coin of exactly a tier amount gets "Use as node…" (the Nodes page) and "Not a
collateral" / "Lock as collateral" (the user's saved word on it, through the NodesModel).
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from flux.tiers import tier_for_amount
from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.nodes_model import NodesModel
from ui.wallet.tables import install_copy, short_txid
from ui.wallet.units import money
from ui.wallet.wallet_model import WalletModel
from wallet.errors import WalletError
from wallet.nodes.collateral import CollateralCoin
from wallet.send import Review
from wallet.state import Coin

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
COLUMNS = ("State", "Amount", "Confirmations", "Address", "Output", "Label")
STATE, AMOUNT, CONFIRMATIONS, ADDRESS, OUTPUT, LABEL = range(len(COLUMNS))
# Widths that fit the default 960 px window; the address loses its middle, the label stretches.
WIDTHS = {STATE: 170, AMOUNT: 120, CONFIRMATIONS: 100, ADDRESS: 130, OUTPUT: 100}
OUTPOINT_ROLE = Qt.ItemDataRole.UserRole


class CoinsPage(WalletPage):
    page_id: ClassVar[str] = "wallet-coins"
    order: ClassVar[int] = 140

    def __init__(self, service: WalletModel, nodes: NodesModel | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.nodes = nodes
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The stretched last column never shrinks below the default size: keep that small.
        header.setMinimumSectionSize(48)
        header.setDefaultSectionSize(60)
        header.setStretchLastSection(True)
        for column, width in WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.copy_action = install_copy(self.table, self.selected_outpoints,
                                        self.tr("Copy outpoint (txid:vout)"))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.freeze_button = QPushButton(self.tr("Freeze"))
        self.freeze_button.setToolTip(self.tr("Frozen coins are never spent until you unfreeze"))
        self.unfreeze_button = QPushButton(self.tr("Unfreeze"))
        self.use_button = QPushButton(self.tr("Spend only these…"))
        self.consolidate_button = QPushButton(self.tr("Consolidate rewards…"))
        self.consolidate_button.setToolTip(self.tr(
            "Merge many small coins (node rewards) into one, so later sends stay small and cheap"))
        self.freeze_button.clicked.connect(lambda: self.freeze(True))
        self.unfreeze_button.clicked.connect(lambda: self.freeze(False))
        self.use_button.clicked.connect(self.use_for_send)
        self.consolidate_button.clicked.connect(self.consolidate)
        self.node_button = QPushButton(self.tr("Use as node…"))
        self.node_button.setToolTip(self.tr("Add a node backed by this coin (Nodes page)"))
        self.decide_button = QPushButton(self.tr("Not a collateral…"))
        self.node_button.clicked.connect(self.use_as_node)
        self.decide_button.clicked.connect(self.decide)
        self.node_button.setVisible(nodes is not None)
        self.decide_button.setVisible(nodes is not None)
        if nodes is not None:
            nodes.changed.connect(self._maybe_refresh)
        self.summary = hint("")
        self.dialog: QMessageBox | None = None
        buttons = QHBoxLayout()
        for button in (self.freeze_button, self.unfreeze_button, self.use_button,
                       self.node_button, self.decide_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.consolidate_button)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self._coins: dict[tuple[str, int], Coin] = {}
        self._selection_changed()
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Coins")

    def refresh(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        unit = self.service.currency
        coins = snapshot.coins
        chosen = self.service.coin_selection
        self._coins = {c.outpoint: c for c in coins}
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(coins))
        for number, coin in enumerate(coins):
            known = self._collateral(coin)
            full_state = None
            if known is not None:
                state, full_state = known.short_label, known.label
            elif coin.locked:
                state = self.tr("Locked: %s collateral") % self._tier_name(coin)
            elif coin.frozen:
                state = self.tr("Frozen")
            elif coin.outpoint in chosen:
                state = self.tr("Selected for send")
            elif coin.confirmations == 0:
                state = self.tr("Unconfirmed")
            elif coin.spendable:
                state = self.tr("Spendable")
            else:
                state = self.tr("Maturing reward")
            texts = (state, money(coin.satoshis, unit), str(coin.confirmations),
                     coin.address, f"{short_txid(coin.txid)}:{coin.vout}",
                     snapshot.labels.get(coin.address, ""))
            tips = {OUTPUT: f"{coin.txid}:{coin.vout}", ADDRESS: coin.address,
                    STATE: full_state or state,
                    LABEL: texts[LABEL]}
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(OUTPOINT_ROLE, coin.outpoint)
                if column in (AMOUNT, CONFIRMATIONS):
                    item.setTextAlignment(RIGHT)
                if tips.get(column):
                    item.setToolTip(tips[column])
                self.table.setItem(number, column, item)
        total = sum(c.satoshis for c in coins)
        locked = sum(c.satoshis for c in coins if c.locked)
        frozen = sum(c.satoshis for c in coins if c.frozen and not c.locked)
        self.summary.setText(self.tr("%d coins, %s; %s locked as collateral, %s frozen") % (
            len(coins), money(total, unit), money(locked, unit),
            money(frozen, unit)))
        self._selection_changed()

    def _tier_name(self, coin: Coin) -> str:
        tier = tier_for_amount(coin.satoshis, self.service.network)
        return tier.name.capitalize() if tier is not None else self.tr("Node")

    def _collateral(self, coin: Coin) -> CollateralCoin | None:
        snapshot = self.nodes.snapshot if self.nodes is not None else None
        return snapshot.coin(coin.outpoint) if snapshot is not None else None

    def selected_coin(self) -> Coin | None:
        """The one selected row's coin, locked or not (for the collateral actions)."""
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if len(rows) == 1 else None
        return self._coins.get(item.data(OUTPOINT_ROLE)) if item is not None else None

    def selected(self) -> list[Coin]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        found = []
        for row in sorted(rows):
            item = self.table.item(row, 0)
            coin = self._coins.get(item.data(OUTPOINT_ROLE)) if item is not None else None
            if coin is not None and not coin.locked:
                found.append(coin)
        return found

    def selected_outpoints(self) -> list[str]:
        """txid:vout of every selected row, collateral included (copying spends nothing)."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        items = (self.table.item(row, 0) for row in rows)
        return [f"{txid}:{vout}" for txid, vout in
                (item.data(OUTPOINT_ROLE) for item in items if item is not None)]

    def select_outpoints(self, outpoints: set[tuple[str, int]]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(OUTPOINT_ROLE) in outpoints:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.freeze_button.setEnabled(any(not c.frozen for c in chosen))
        self.unfreeze_button.setEnabled(any(c.frozen for c in chosen))
        self.use_button.setEnabled(bool(chosen) and all(not c.frozen for c in chosen))
        coin = self.selected_coin()
        tier_amount = coin is not None and tier_for_amount(coin.satoshis,
                                                           self.service.network) is not None
        known = self._collateral(coin) if coin is not None else None
        of_node = known is not None and known.node is not None
        self.node_button.setEnabled(tier_amount and not of_node)
        self.decide_button.setEnabled((tier_amount or bool(coin and coin.locked)) and not of_node)
        self.decide_button.setText(self.tr("Lock as collateral") if coin is not None and
                                   not coin.locked else self.tr("Not a collateral…"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.nodes is not None:
            self.nodes.refresh()

    def use_as_node(self) -> None:
        coin = self.selected_coin()
        if coin is not None and self.nodes is not None:
            self.nodes.page_requested.emit("nodes")
            self.nodes.add_requested.emit(coin.outpoint)

    def decide(self) -> None:
        coin = self.selected_coin()
        if coin is None or self.nodes is None:
            return
        if not coin.locked:
            self._decide(coin.outpoint, True)
            return
        self.dialog = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Not a collateral"),
            self.tr("Make this coin of %s spendable? If a node uses it as its collateral, "
                    "spending it stops that node. The choice is saved in the wallet.") %
            money(coin.satoshis, self.service.currency),
            QMessageBox.StandardButton.Cancel, self)
        unlock = self.dialog.addButton(self.tr("Not a collateral"),
                                       QMessageBox.ButtonRole.AcceptRole)
        self.dialog.setDefaultButton(QMessageBox.StandardButton.Cancel)
        unlock.clicked.connect(lambda: self._decide(coin.outpoint, False))
        self.dialog.open()

    @asyncSlot(object, bool)
    async def _decide(self, outpoint: tuple[str, int], is_collateral: bool) -> None:
        assert self.nodes is not None
        try:
            await self.nodes.set_collateral_decision(outpoint, is_collateral)
        except WalletError as exc:
            self.summary.setText(str(exc))
            return
        self.summary.setText(self.tr("Saved: this coin is a collateral (locked).")
                             if is_collateral else
                             self.tr("Saved: this coin is not a collateral (spendable)."))

    def freeze(self, frozen: bool) -> None:
        outpoints = [c.outpoint for c in self.selected() if c.frozen != frozen]
        if outpoints:
            self.service.set_frozen(outpoints, frozen)

    def use_for_send(self) -> None:
        self.service.select_coins([c.outpoint for c in self.selected() if not c.frozen])
        self.refresh()
        self.summary.setText(self.tr("The next send on the Send page uses only these coins."))

    @asyncSlot()
    async def consolidate(self) -> None:
        try:
            plan = await self.service.consolidation_reviews()
        except WalletError as exc:
            self.summary.setText(str(exc))
            return
        if not plan:
            self.summary.setText(self.tr("Nothing to consolidate: fewer than two spendable coins."))
            return
        unit = self.service.currency
        inputs = sum(len(r.inputs) for r in plan)
        amount = sum(i.satoshis for r in plan for i in r.inputs)
        fee = sum(r.fee for r in plan)
        self.dialog = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Consolidate rewards"),
            self.tr("Merge %d coins worth %s into %d transaction(s) to your own address, "
                    "paying %s in fees? Frozen and collateral coins are left alone.") % (
                inputs, money(amount, unit), len(plan),
                money(fee, unit)),
            QMessageBox.StandardButton.Cancel, self)
        broadcast = self.dialog.addButton(self.tr("Broadcast"), QMessageBox.ButtonRole.AcceptRole)
        self.dialog.setDefaultButton(QMessageBox.StandardButton.Cancel)
        broadcast.clicked.connect(lambda: self._run_consolidation(plan))
        self.dialog.open()

    @asyncSlot(object)
    async def _run_consolidation(self, plan: list[Review]) -> None:
        try:
            txids = await self.service.consolidate(plan)
        except WalletError as exc:
            self.summary.setText(str(exc))
            return
        self.summary.setText(self.tr("Sent %d consolidation transaction(s).") % len(txids))

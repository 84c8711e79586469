"""The collateral coins no node uses yet, under the Nodes page's table: tier, amount, coin and
when it can back a node (a prepared collateral shows here at once, 0/100 with its ETA)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.wallet.nodes_table import about
from ui.wallet.nodes_widgets import full_outpoint, short_outpoint
from ui.wallet.units import money
from wallet.nodes.collateral import CollateralCoin, Decision

COLUMNS = ("Tier", "Amount", "Coin", "Confirmations", "Can back a node")
OUTPOINT_ROLE = Qt.ItemDataRole.UserRole
MAX_ROWS = 3  # more scroll: the node table above keeps its room


def unused(coins: Sequence[CollateralCoin]) -> list[CollateralCoin]:
    """Tier-amount coins no node uses, unless the user said they are not a collateral."""
    return [c for c in coins if c.node is None and c.tier is not None
            and c.decision != Decision.NOT_COLLATERAL]


def ready_text(coin: CollateralCoin) -> str:
    ripe = coin.maturity
    return "now" if ripe.mature else f"in {about(ripe.eta_seconds)} ({ripe.blocks_left} blocks)"


class CandidatesPanel(QWidget):
    add_requested = Signal(object)  # the outpoint to add a node with

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.coins: list[CollateralCoin] = []
        title = QLabel(self.tr("<b>Collateral coins without a node</b>"))
        self.add_button = QPushButton(self.tr("Add node with this coin…"))
        self.add_button.clicked.connect(self._add)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def show_coins(self, coins: Sequence[CollateralCoin], unit: str) -> None:
        self.coins = unused(coins)
        self.setVisible(bool(self.coins))
        self.table.setRowCount(len(self.coins))
        for row, coin in enumerate(self.coins):
            ripe = coin.maturity
            tier = coin.tier.name.title() if coin.tier is not None else "—"
            texts = (tier, money(coin.satoshis, unit), short_outpoint(coin.outpoint),
                     f"{ripe.confirmations}/{ripe.needed}", ready_text(coin))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(OUTPOINT_ROLE, coin.outpoint)
                item.setToolTip(f"{full_outpoint(coin.outpoint)}\n{coin.label}")
                self.table.setItem(row, column, item)
        rows = max(1, min(MAX_ROWS, len(self.coins)))
        height = self.table.horizontalHeader().height() + rows * self.table.rowHeight(0) + 4 \
            if self.coins else 0
        self.table.setFixedHeight(max(height, 48))
        if self.coins and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)

    def _add(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.add_requested.emit(self.coins[rows[0].row()].outpoint)

"""The table of the wallet's nodes: one row each, the state as a coloured chip, ETAs in words."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ui.wallet.nodes_widgets import STATE_COLOURS, full_outpoint, short_outpoint
from ui.wallet.units import money
from wallet.nodes.state import NodeState
from wallet.nodes.timing import describe_duration
from wallet.nodes.views import NodeView

COLUMNS = ("Name", "Tier", "Collateral", "State", "When", "Next step", "Rewards 30 d")
NAME_ROLE = Qt.ItemDataRole.UserRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def state_text(view: NodeView) -> str:
    if view.collateral_missing:
        return "Collateral gone"
    if view.status.state == NodeState.NOT_STARTED:
        return "Not started"  # "…/ expired" is in the tooltip and the details
    return view.status.label


def compact(seconds: int) -> str:
    """"<1 min", "32 min", "2.5 h", "3 days": an ETA that fits a table cell."""
    minutes = seconds / 60
    if minutes < 1:
        return "<1 min"
    if minutes < 90:
        return f"{round(minutes)} min"
    hours = minutes / 60
    if hours < 36:
        return f"{hours:.1f} h".replace(".0 h", " h")
    return f"{round(hours / 24)} days"


def about(seconds: int) -> str:
    """"~32 min", but "<1 min" (never "~<1 min")."""
    text = compact(seconds)
    return text if text.startswith("<") else f"~{text}"


def when_text(view: NodeView) -> str:
    """The one time that matters now: maturity, confirmation, DOS end, expiry or payment."""
    status = view.status
    ripe = view.maturity
    if view.collateral_missing:
        return "—"
    if status.state == NodeState.NOT_STARTED:
        if ripe is not None and not ripe.mature:
            return f"{ripe.confirmations}/{ripe.needed}, ready {about(ripe.eta_seconds)}"
        return "may start now"
    if status.state == NodeState.CONFIRMED:
        if status.next_payment_seconds is not None:
            return f"paid in {about(status.next_payment_seconds)}"
        return "in the payment queue"
    if status.eta_seconds is None:
        return "—"
    if status.state == NodeState.STARTED:
        return f"confirms ≤{compact(status.eta_seconds)}"
    words = {NodeState.DOS: "start in", NodeState.STARTING: "retry after"}
    return f"{words.get(status.state, 'in')} {about(status.eta_seconds)}"


def next_step_text(view: NodeView) -> str:
    if view.collateral_missing:
        return ("The collateral coin is no longer in this wallet (spent or not synced yet); "
                "the node stops once it is spent. Remove the node or refresh.")
    ripe = view.maturity
    if view.status.state == NodeState.NOT_STARTED and ripe is not None and not ripe.mature:
        return (f"Wait for {ripe.blocks_left} more confirmations "
                f"({describe_duration(ripe.eta_seconds)}), then start.")
    return view.status.next_step


class NodesTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The long sentence gets what is left; its full text is in the tooltip and the details.
        header.setSectionResizeMode(COLUMNS.index("Next step"), QHeaderView.ResizeMode.Stretch)

    def show_nodes(self, views: Sequence[NodeView], unit: str) -> None:
        chosen = self.selected_name()
        self.setRowCount(len(views))
        for row, view in enumerate(views):
            texts = (view.name, view.tier.title() or "—", short_outpoint(view.outpoint),
                     state_text(view), when_text(view), next_step_text(view),
                     money(view.rewards.month, unit))
            items = [QTableWidgetItem(text) for text in texts]
            for column, item in enumerate(items):
                item.setData(NAME_ROLE, view.name)
                self.setItem(row, column, item)
            items[2].setToolTip(full_outpoint(view.outpoint))
            items[5].setToolTip(next_step_text(view))
            items[6].setTextAlignment(RIGHT)
            chip = items[3]
            colour = STATE_COLOURS["dos" if view.collateral_missing else str(view.status.state)]
            chip.setBackground(QBrush(QColor(colour)))
            chip.setForeground(QBrush(QColor("white")))
            chip.setToolTip(view.status.summary)
        if views:
            names = [v.name for v in views]
            self.selectRow(names.index(chosen) if chosen in names else 0)

    def selected_name(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        item = self.item(rows[0].row(), 0) if rows else None
        return None if item is None else str(item.data(NAME_ROLE))

"""History table model: display strings computed once per row, filtering and sorting on arrays.

With 100 000 transactions, anything that calls Python per row on every keystroke or per comparison
while sorting (a QSortFilterProxyModel with a Python filterAcceptsRow/lessThan) takes seconds.
So the model keeps every row's display text and sort keys, filters with one list comprehension and
sorts with `list.sort`, and the view only ever asks for the ~30 rows on screen. The proxy on top
just forwards (see HistoryProxy) so views and selection code stay standard.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.concurrency import allocating_many
from ui.wallet.tables import short_txid
from ui.wallet.units import money
from wallet.amounts import format_amount
from wallet.dates import when_text

if TYPE_CHECKING:
    from wallet.history import HistoryEntry

Index = QModelIndex | QPersistentModelIndex

KIND_TEXT = {
    "received": "Received",
    "sent": "Sent",
    "self": "To yourself",
    "reward": "Node reward",
    "node_reward": "Node reward",
    "start": "Node start",
    "fluxnode_start": "Node start",
    "confirm": "Node confirm",
    "fluxnode_confirm": "Node confirm",
}
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
COLUMNS = ("Date", "Type", "Amount", "Confirmations", "Label", "Message", "Transaction")
DATE, KIND, AMOUNT, CONFIRMATIONS, LABEL, MESSAGE, TXID = range(len(COLUMNS))


@dataclass(slots=True)
class HistoryRow:
    """One transaction as the wallet sees it; amount is the signed net change in satoshis."""

    txid: str
    kind: str
    amount: int
    confirmations: int
    timestamp: int | None = None
    height: int | None = None
    fee: int | None = None
    label: str = ""
    expiry_height: int | None = None
    addresses: tuple[str, ...] = ()
    # The transaction's on-chain OP_RETURN text: public, and never the private label.
    message: str = ""
    texts: tuple[str, ...] = field(default=(), repr=False)
    search: str = field(default="", repr=False)

    def prepare(self) -> None:
        date = when_text(self.timestamp, self.height, self.confirmations)
        kind = KIND_TEXT.get(self.kind) or self.kind.replace("_", " ").capitalize()
        amount = money(self.amount, plus=True)
        confirmations = str(self.confirmations) if self.confirmations > 0 else "unconfirmed"
        self.texts = (date, kind, amount, confirmations, self.label, self.message,
                      short_txid(self.txid))
        self.search = (f"{kind} {amount} {self.label} {self.message} {self.txid} "
                       f"{' '.join(self.addresses)}").lower()


def rows_from_history(
    history: Iterable[HistoryEntry], labels: Mapping[str, str]
) -> list[HistoryRow]:
    """Table rows for the wallet's history: the private label and the on-chain message apart."""
    return [
        HistoryRow(
            txid=e.txid, kind=str(e.type), amount=e.amount, confirmations=e.confirmations,
            timestamp=e.time, height=e.height, fee=e.fee, label=labels.get(e.txid, ""),
            expiry_height=e.expiry_height or None, addresses=e.addresses,
            message=e.message or "",
        )
        for e in history
    ]


async def prepare_rows(rows: Sequence[HistoryRow], chunk: int = 500) -> None:
    """Compute display strings in slices, yielding to the event loop between them.

    A full cyclic-GC pass over 100 000 fresh rows takes ~100 ms, long enough to freeze the window,
    so no pass runs while the rows are built (see ui/concurrency.py). The rows hold no reference
    cycles: reference counting still frees them.
    """
    with allocating_many():
        for start in range(0, len(rows), chunk):
            for row in rows[start : start + chunk]:
                if not row.texts:
                    row.prepare()
            await asyncio.sleep(0)


def kind_matches(row: HistoryRow, wanted: str) -> bool:
    if wanted == "pending":
        return row.confirmations <= 0
    return KIND_TEXT.get(row.kind, row.kind) == KIND_TEXT.get(wanted, wanted)


class HistoryModel(QAbstractTableModel):
    def __init__(self, unit: str = "") -> None:
        super().__init__()
        # Amounts are bare numbers; the unit is said once, in the header.
        self.unit = unit
        self._all: list[HistoryRow] = []  # every row, in the current sort order
        self._rows: list[HistoryRow] = []
        self._text = ""
        self._kind = ""
        self._sort_column = DATE
        self._sort_order = Qt.SortOrder.DescendingOrder
        self._positive = QColor("#2e9d4f")
        self._negative = QColor("#d0403a")

    # --- data in ---------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        for row in rows:
            if not row.texts:
                row.prepare()
        self.beginResetModel()
        self._all = sorted(
            rows,
            key=_SORT_KEYS[self._sort_column],
            reverse=self._sort_order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = self._select()
        self.endResetModel()

    def set_filter(self, text: str = "", kind: str = "") -> None:
        text = text.strip().lower()
        if (text, kind) == (self._text, self._kind):
            return
        # Typing more letters only narrows the match: search the rows already shown.
        narrowing = kind == self._kind and bool(self._text) and self._text in text
        self.beginResetModel()
        self._text, self._kind = text, kind
        self._rows = [r for r in self._rows if text in r.search] if narrowing else self._select()
        self.endResetModel()

    def _select(self) -> list[HistoryRow]:
        rows = self._all
        if self._kind:
            rows = [r for r in rows if kind_matches(r, self._kind)]
        if self._text:
            text = self._text
            rows = [r for r in rows if text in r.search]
        # Filtering keeps the order of _all, so no sort is needed here.
        return rows if rows is not self._all else list(rows)

    # --- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = 0) -> Any:
        # Called ~10 times per visible cell on every repaint: roles are compared as plain ints
        # and the common case (display text) returns first.
        if role == _DISPLAY:
            try:
                return self._rows[index.row()].texts[index.column()]
            except IndexError:
                return None
        if role == _FOREGROUND:
            if index.column() != AMOUNT or not 0 <= index.row() < len(self._rows):
                return None
            amount = self._rows[index.row()].amount
            return self._positive if amount > 0 else self._negative if amount < 0 else None
        if role == _ALIGN and index.column() in (AMOUNT, CONFIRMATIONS):
            return _RIGHT
        if role == _TOOLTIP and index.column() in (LABEL, MESSAGE, TXID) and (
            0 <= index.row() < len(self._rows)
        ):
            row = self._rows[index.row()]
            return row.txid if index.column() == TXID else row.texts[index.column()] or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == AMOUNT and self.unit:
                return f"{COLUMNS[AMOUNT]} ({self.unit})"
            return COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = column, order
        self._all.sort(key=_SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = self._select()
        self.layoutChanged.emit()

    def texts_changed(self) -> None:
        """Rows' texts changed in place (a label): repaint without a reset."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, TXID))

    # --- data out --------------------------------------------------------------------------

    def row_at(self, row: int) -> HistoryRow:
        return self._rows[row]

    def visible_rows(self) -> list[HistoryRow]:
        return list(self._rows)

    def find(self, txid: str) -> int:
        for number, row in enumerate(self._rows):
            if row.txid == txid:
                return number
        return -1


def _date_key(row: HistoryRow) -> tuple[bool, int, int]:
    # Pending transactions are the newest; without a block time the height orders the rest.
    return (row.confirmations <= 0, row.timestamp or 0, row.height or 0)


_SORT_KEYS: dict[int, Any] = {
    DATE: _date_key,
    KIND: lambda r: r.texts[KIND],
    AMOUNT: lambda r: r.amount,
    CONFIRMATIONS: lambda r: r.confirmations,
    LABEL: lambda r: r.label.lower(),
    MESSAGE: lambda r: r.message.lower(),
    TXID: lambda r: r.txid,
}


class HistoryProxy(QSortFilterProxyModel):
    """A pass-through proxy: views sort by calling HistoryModel.sort via the header signal.

    Deliberately no Python overrides: Qt calls a proxy's virtuals (filterAcceptsRow, lessThan,
    data…) per row, and with a Python subclass each call pays a Python dispatch — 100 000 of them
    on every reset. Sorting is wired by `history_table` instead.
    """

    def __init__(self, source: HistoryModel) -> None:
        super().__init__()
        self.setDynamicSortFilter(False)
        self.setSourceModel(source)
        self.history = source

    def row_at(self, proxy_row: int) -> HistoryRow:
        return self.history.row_at(self.mapToSource(self.index(proxy_row, 0)).row())


def history_table(model: HistoryModel) -> tuple[QTableView, HistoryProxy]:
    """A table view set up for very many rows: fixed row heights, model-side sorting."""
    proxy = HistoryProxy(model)
    table = QTableView()
    table.setModel(proxy)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    vertical = table.verticalHeader()
    vertical.setVisible(False)
    # Fixed row heights let the view skip measuring every row after a reset.
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    # Header clicks sort the model's arrays (one list.sort), not a proxy's n·log n data() calls.
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.setSortIndicator(DATE, Qt.SortOrder.DescendingOrder)
    header.sortIndicatorChanged.connect(model.sort)
    return table, proxy


def csv_header(unit: str) -> list[str]:
    """CSV column names; the amount columns name the network's unit (the word format_amount
    and the GUI use: FLUX, TESTFLUX, REG), as `amount_flux`."""
    suffix = unit.lower()
    return ["date", "type", f"amount_{suffix}", f"fee_{suffix}", "confirmations", "height",
            "label", "message", "txid"]


def export_csv(path: Path, rows: Sequence[HistoryRow], *, unit: str) -> int:
    """Write rows as CSV (amounts in `unit` with 8 decimals and a dot, for spreadsheets and
    scripts); returns how many were written."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_header(unit))
        for row in rows:
            writer.writerow(
                [
                    when_text(row.timestamp, row.height, row.confirmations),
                    row.kind,
                    format_amount(row.amount, trim=False),
                    "" if row.fee is None else format_amount(row.fee, trim=False),
                    row.confirmations,
                    "" if row.height is None else row.height,
                    row.label,
                    row.message,
                    row.txid,
                ]
            )
    return len(rows)

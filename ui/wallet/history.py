"""History page: searchable, filterable transaction table, details dialog and CSV export."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
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
from ui.wallet.history_model import (
    AMOUNT,
    CONFIRMATIONS,
    DATE,
    KIND,
    LABEL,
    MESSAGE,
    HistoryModel,
    HistoryRow,
    export_csv,
    history_table,
)
from ui.wallet.tables import install_copy
from ui.wallet.units import money
from ui.wallet.wallet_model import WalletModel

FILTERS = (
    ("", "All types"),
    ("received", "Received"),
    ("sent", "Sent"),
    ("self", "To yourself"),
    ("node_reward", "Node rewards"),
    ("fluxnode_start", "Node start"),
    ("pending", "Pending"),
)
SEARCH_DELAY_MS = 200


class HistoryDetails(QDialog):
    def __init__(self, row: HistoryRow, unit: str, url: str, service: WalletModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transaction"))
        self._row, self._service, self._url = row, service, url
        form = QFormLayout()
        txid = QLabel(row.txid)
        txid.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Transaction ID"), txid)
        form.addRow(self.tr("Date"), QLabel(row.texts[DATE]))
        form.addRow(self.tr("Type"), QLabel(row.texts[KIND]))
        form.addRow(self.tr("Amount"), QLabel(money(row.amount, unit)))
        if row.fee is not None:
            form.addRow(self.tr("Fee"), QLabel(money(row.fee, unit)))
        form.addRow(self.tr("Confirmations"), QLabel(row.texts[CONFIRMATIONS]))
        form.addRow(self.tr("Block"), QLabel("—" if row.height is None else str(row.height)))
        if row.confirmations <= 0 and row.expiry_height:
            form.addRow(self.tr("Expires at block"), QLabel(str(row.expiry_height)))
        if row.addresses:
            addresses = QLabel("\n".join(row.addresses))
            addresses.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("Addresses"), addresses)
        if row.message:
            # Public: written into the transaction, readable by anyone.
            message = QLabel(row.message)
            message.setWordWrap(True)
            message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("On-chain message"), message)
        self.label = QLineEdit(row.label)
        self.label.setPlaceholderText(self.tr("Private note, kept only in this wallet"))
        form.addRow(self.tr("Label"), self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy ID"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(row.txid))
        explorer = buttons.addButton(self.tr("Open in explorer"),
                                     QDialogButtonBox.ButtonRole.ActionRole)
        explorer.setEnabled(bool(url))
        explorer.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(url)))
        buttons.rejected.connect(self.reject)
        self.finished.connect(self._save_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _save_label(self) -> None:
        text = self.label.text().strip()
        if text != self._row.label:
            self._service.set_label(self._row.txid, text)


class HistoryPage(WalletPage):
    page_id: ClassVar[str] = "wallet-history"
    order: ClassVar[int] = 130

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.model = HistoryModel(service.currency)
        self.table, self.proxy = history_table(self.model)
        # Fits the default 960 px window; longer texts are elided, with the full text as tooltip.
        # The stretched last column never shrinks below the default size: keep that small.
        self.table.horizontalHeader().setMinimumSectionSize(48)
        self.table.horizontalHeader().setDefaultSectionSize(60)
        for column, width in ((DATE, 124), (KIND, 88), (AMOUNT, 106), (CONFIRMATIONS, 100),
                              (LABEL, 72), (MESSAGE, 72)):
            self.table.setColumnWidth(column, width)
        self.copy_action = install_copy(self.table, self.selected_txids,
                                        self.tr("Copy transaction ID"))
        self.table.doubleClicked.connect(self.show_details)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search label, amount, address or transaction ID"))
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox()
        for value, label in FILTERS:
            self.kind.addItem(self.tr(label), value)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.kind.currentIndexChanged.connect(self.apply_filter)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export)
        self.count = hint("")
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.count)
        self.details: HistoryDetails | None = None
        self.file_dialog: QFileDialog | None = None
        service.history_changed.connect(self.reload)
        service.labels_changed.connect(self.model.texts_changed)
        service.connection_changed.connect(self._update_count)
        self.reload()
        self.finish_setup()

    def title(self) -> str:
        return self.tr("History")

    def reload(self) -> None:
        self.model.set_rows(self.service.history_rows)
        self._update_count()

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(self.search.text(), str(self.kind.currentData()))
        self._update_count()

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), len(self.service.history_rows)
        self.empty.setText(self._empty_text(shown, total))
        self.empty.setVisible(shown == 0)
        self.table.setVisible(shown > 0)
        self.count.setText(self.tr("%d transactions") % total if shown == total
                           else self.tr("%d of %d transactions") % (shown, total))

    def selected_txids(self) -> list[str]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.proxy.row_at(row).txid for row in sorted(rows)]

    def _empty_text(self, shown: int, total: int) -> str:
        if total:
            return self.tr("No transaction matches this search or type. Clear the search box "
                           "or choose “All types”.")
        if self.service.sync_error:
            return self.tr("No transactions known yet: the server could not be reached. "
                           "Retry from the Wallet page, or add a server in Settings → Servers.")
        return self.tr("No transactions yet. Payments to and from this wallet appear here; "
                       "to receive coins, open Receive and give out its address.")

    def show_details(self, index: QModelIndex) -> None:
        row = self.proxy.row_at(index.row())
        self.details = HistoryDetails(row, self.service.currency,
                                      self.service.explorer_url(row.txid),
                                      self.service, self)
        self.details.open()

    def choose_export(self) -> None:
        self.file_dialog = QFileDialog(self, self.tr("Export history"), "history.csv",
                                       self.tr("CSV files (*.csv)"))
        self.file_dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.file_dialog.setDefaultSuffix("csv")
        self.file_dialog.fileSelected.connect(self.export_to)
        self.file_dialog.open()

    @asyncSlot(str)
    async def export_to(self, path: str) -> None:
        rows = self.model.visible_rows()
        try:
            written = await asyncio.to_thread(export_csv, Path(path), rows, unit=self.model.unit)
        except OSError as exc:
            self.count.setText(self.tr("Could not write %s: %s") % (path, exc.strerror or exc))
            return
        self.count.setText(self.tr("Exported %d transactions to %s") % (written, path))

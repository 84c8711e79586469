"""The remote nodes list: any FluxOS API (IP[:port]) watched the same way as the local node."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nodectl.monitor.target import WatchedNode
from ui.pages.base import hint


class RemoteNodes(QWidget):
    add_requested = Signal(str)  # the address as typed
    remove_requested = Signal(str)  # node key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("IP[:port], e.g. 203.0.113.5 or 203.0.113.5:16137"))
        self.add_button = QPushButton(self.tr("Add"))
        self.list = QListWidget()
        self.remove_button = QPushButton(self.tr("Remove selected"))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setProperty("state", "bad")
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(hint(self.tr(
            "Watch other nodes through their FluxOS API (port 16127 unless the node uses a "
            "UPnP port). FluxDesk reads only public routes; restarting a remote node needs a "
            "login with its Flux ID in FluxOS.")))
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self.add_button.clicked.connect(self._add)
        self.address.returnPressed.connect(self._add)
        self.remove_button.clicked.connect(self._remove)

    def show_nodes(self, nodes: tuple[WatchedNode, ...]) -> None:
        self.list.clear()
        for node in nodes:
            if node.is_local:
                continue
            item = QListWidgetItem(node.address)
            item.setData(Qt.ItemDataRole.UserRole, node.key)
            self.list.addItem(item)
        self.remove_button.setEnabled(self.list.count() > 0)

    def show_error(self, words: str) -> None:
        self.status.setText(words)

    def _add(self) -> None:
        text = self.address.text().strip()
        if text:
            self.status.setText("")
            self.add_requested.emit(text)
            self.address.clear()

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

"""What the wallet's tables share: short transaction ids (the full one in the tooltip and on the
clipboard) and copying the selected rows with Ctrl+C or the context menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView


def short_txid(txid: str) -> str:
    """The first and last 8 hex digits: enough to recognise a transaction at a glance."""
    return f"{txid[:8]}…{txid[-8:]}" if len(txid) > 20 else txid


def install_copy(
    table: QAbstractItemView, selection_text: Callable[[], list[str]], label: str
) -> QAction:
    """Ctrl+C (and a context-menu entry named `label`) copies one line per selected row."""
    action = QAction(label, table)
    action.setShortcut(QKeySequence.StandardKey.Copy)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

    def copy() -> None:
        lines = selection_text()
        if lines:
            QGuiApplication.clipboard().setText("\n".join(lines))

    action.triggered.connect(copy)
    table.addAction(action)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    # Long addresses lose their middle, not their ends (which people compare).
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return action

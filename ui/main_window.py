"""The main window: sidebar built from the pages that exist, a stack, a status bar and menus.

Pages come as built pages or as ``PageEntry`` factories; an entry's page is built when it is first
shown (``show_page``, a click in the sidebar) or asked for (``page``), so the window shows without
building, or even importing, the pages nobody opens.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.pages.base import Page, PageEntry


class MainWindow(QMainWindow):
    about_requested = Signal()
    quit_requested = Signal()
    closing = Signal()

    def __init__(
        self,
        pages: Sequence[Page | PageEntry],
        icon: QIcon,
        parent: QWidget | None = None,
        *,
        network: str = "mainnet",
    ) -> None:
        super().__init__(parent)
        self.setWindowIcon(icon)
        self.setMinimumSize(720, 480)
        self.resize(960, 640)
        self.close_to_tray = False
        self._quitting = False
        entries = [p if isinstance(p, PageEntry) else PageEntry.built(p) for p in pages]
        self._pages = sorted(entries, key=lambda p: p.order)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        for page in self._pages:
            item = QListWidgetItem(page.title())
            item.setData(Qt.ItemDataRole.UserRole, page.page_id)
            self.sidebar.addItem(item)
            # An empty stand-in until the page is built (swapped in place by _built_page).
            self.stack.addWidget(page.page() if page.is_built else QWidget())
        self.sidebar.currentRowChanged.connect(self._on_row_changed)

        brand = QLabel("FluxDesk")
        brand.setObjectName("brand")
        brand.setFixedWidth(190)
        # Test coins are worthless: the network is said in the title and the sidebar unless it
        # is mainnet.
        self.network_badge = QLabel()
        self.network_badge.setObjectName("networkBadge")
        self.network_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side_panel = QWidget()
        side_panel.setObjectName("sidePanel")
        side_panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        side = QVBoxLayout(side_panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addWidget(brand)
        side.addWidget(self.network_badge)
        side.addWidget(self.sidebar, 1)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side_panel)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.connection_label = QLabel()
        self.statusBar().addPermanentWidget(self.connection_label)
        self.set_connection_state(self.tr("Not connected"), None)
        self._build_menus()
        self.set_network(network)
        if self._pages:
            self.sidebar.setCurrentRow(0)

    def set_network(self, network: str) -> None:
        test = network != "mainnet"
        self.network_badge.setText(network.upper() if test else "")
        self.network_badge.setToolTip(
            self.tr("%1: coins here have no value; addresses of other networks are refused.")
            .replace("%1", network.capitalize()) if test else ""
        )
        self.network_badge.setVisible(test)
        self.setWindowTitle(f"FluxDesk — {network.upper()}" if test else "FluxDesk")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about_action = QAction(self.tr("&About FluxDesk"), self)
        about_action.triggered.connect(self.about_requested)
        help_menu.addAction(about_action)

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._pages):
            page = self._built_page(row)
            self.stack.setCurrentIndex(row)
            page.page_shown()

    def _built_page(self, row: int) -> Page:
        entry = self._pages[row]
        if entry.is_built:
            return entry.page()
        page = entry.page()
        item = self.sidebar.item(row)
        if item is not None:
            item.setText(page.title())
        stand_in = self.stack.widget(row)
        assert stand_in is not None
        self.stack.insertWidget(row, page)
        self.stack.removeWidget(stand_in)
        stand_in.deleteLater()
        return page

    def page(self, page_id: str) -> Page:
        """The page with this id, built now if it was not yet; KeyError for an unknown id."""
        return self._built_page(self._row(page_id))

    def built_page_ids(self) -> list[str]:
        return [p.page_id for p in self._pages if p.is_built]

    def page_ids(self) -> list[str]:
        return [p.page_id for p in self._pages]

    def current_page_id(self) -> str:
        row = self.sidebar.currentRow()
        return self._pages[row].page_id if 0 <= row < len(self._pages) else ""

    def show_page(self, page_id: str) -> None:
        """Switch to a page; an unknown id raises KeyError listing the ids that exist."""
        self.sidebar.setCurrentRow(self._row(page_id))

    def _row(self, page_id: str) -> int:
        for row, page in enumerate(self._pages):
            if page.page_id == page_id:
                return row
        raise KeyError(f"no page {page_id!r}; pages are: {', '.join(self.page_ids())}")

    def set_connection_state(self, text: str, ok: bool | None) -> None:
        state = "" if ok is None else ("ok" if ok else "bad")
        self.connection_label.setText(("● " if ok is not None else "○ ") + text)
        self.connection_label.setProperty("state", state)
        self.connection_label.style().unpolish(self.connection_label)
        self.connection_label.style().polish(self.connection_label)

    def geometry_state(self) -> str:
        return bytes(self.saveGeometry().toBase64().data()).decode("ascii")

    def restore_geometry_state(self, state: str) -> bool:
        if not state:
            return False
        return self.restoreGeometry(QByteArray.fromBase64(state.encode("ascii")))

    def quit_for_real(self) -> None:
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray and not self._quitting:
            event.ignore()
            self.hide()
            return
        self.closing.emit()
        event.accept()

"""Layout at the default 960×640 window: network badge, one page layout, columns that fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from app.settings import Settings
from nodectl.bench.verdict import VerdictInputs, evaluate
from nodectl.install.sandbox import SandboxHost, sandbox_key_source
from nodectl.install.session import InstallSession
from tests.ui.test_benchmark_failures import settings_page
from tests.ui.test_benchmark_page import make_page, on_the_engine  # noqa: F401 (autouse)
from ui import about
from ui.concurrency import Engine
from ui.install_service import InstallService
from ui.install_views import PlanView
from ui.main_window import MainWindow
from ui.pages.base import PAGE_MARGINS, Page
from ui.pages.benchmark import BenchmarkPage
from ui.pages.local_node import LocalNodePage

pytestmark = pytest.mark.gui
LONG_LICENCE = (
    "GNU Lesser General Public License v3 (LGPLv3), GNU General Public License v2 (GPLv2), "
    "GNU General Public License v3 (GPLv3)"
)


@pytest.fixture
def window(qtbot, tmp_path: Path, data_dir: Path) -> MainWindow:
    disk = tmp_path / "disk"
    disk.mkdir()
    pages: list[Page] = [
        make_page(qtbot, data_dir, disk),
        settings_page(qtbot, tmp_path, Settings(), []),
    ]
    win = MainWindow(pages, QIcon(), network="mainnet")
    qtbot.addWidget(win)
    win.resize(960, 640)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.mark.parametrize("network", ["testnet", "regtest"])
def test_test_networks_are_named_in_the_title_and_the_sidebar(qtbot, network: str) -> None:
    win = MainWindow([], QIcon(), network=network)
    qtbot.addWidget(win)
    win.show()
    assert win.windowTitle() == f"FluxDesk — {network.upper()}"
    assert win.network_badge.isVisible() and win.network_badge.text() == network.upper()
    assert "no value" in win.network_badge.toolTip()


def test_mainnet_has_no_badge(qtbot) -> None:
    win = MainWindow([], QIcon())
    qtbot.addWidget(win)
    win.show()
    assert win.windowTitle() == "FluxDesk"
    assert not win.network_badge.isVisible()


def test_benchmark_and_settings_share_margins_and_title_style(window: MainWindow) -> None:
    seen = []
    for page_id in ("benchmark", "settings"):
        window.show_page(page_id)
        page = window.stack.currentWidget()
        assert isinstance(page, Page)
        layout = page.title_label.parentWidget().layout()
        margins = layout.contentsMargins()
        assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == PAGE_MARGINS
        assert page.title_label.property("role") == "heading"
        assert page.title_label.indent() == 0  # the title starts where the content starts
        font = page.title_label.font()
        where = page.title_label.mapTo(window, page.title_label.rect().topLeft())
        seen.append((where.x(), where.y(), font.pointSizeF(), font.weight()))
    # Switching pages does not move or restyle the title.
    assert seen[0] == seen[1]


def test_local_node_title_sits_where_every_page_title_sits(
    qtbot, tmp_path: Path, data_dir: Path, engine: Engine
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()

    def sessions(_privileged: bool) -> InstallSession:
        return InstallSession(SandboxHost(tmp_path / "root"), data_dir, sandbox_key_source, {})

    local = LocalNodePage(InstallService(sessions, data_dir, "mainnet", engine))
    win = MainWindow([make_page(qtbot, data_dir, disk), local], QIcon(), network="mainnet")
    qtbot.addWidget(win)
    win.resize(960, 640)
    win.show()
    qtbot.waitExposed(win)
    seen = []
    for page_id in ("benchmark", "local_node"):
        win.show_page(page_id)
        page = win.stack.currentWidget()
        titles = [label for label in page.findChildren(QLabel)
                  if label.property("role") == "heading" and label.isVisible()]
        assert titles, page_id
        title = titles[0]
        where = title.mapTo(win, title.rect().topLeft())
        seen.append((where.x(), where.y(), title.font().pointSizeF()))
    assert seen[0] == seen[1], seen


@pytest.mark.parametrize("page_id", ["benchmark", "settings"])
def test_pages_fit_the_width_and_never_scroll_sideways(window: MainWindow, page_id: str) -> None:
    window.show_page(page_id)
    page = window.stack.currentWidget()
    scroll = page.findChild(QScrollArea, "pageScroll")
    assert scroll is not None
    assert scroll.horizontalScrollBar().maximum() == 0
    content = scroll.widget()
    assert content.minimumSizeHint().width() <= scroll.viewport().width()


def test_about_licence_column_fits_and_wraps(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [("PySide6-Essentials", "6.11.3", LONG_LICENCE), ("qasync", "0.28.0", "BSD-2-Clause")]
    monkeypatch.setattr(about, "bundled_licences", lambda: rows)
    dialog = about.AboutDialog("1.0")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    header = table.horizontalHeader()
    right = header.sectionViewportPosition(2) + header.sectionSize(2)
    assert right <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    one_line = table.fontMetrics().height()
    assert table.rowHeight(0) > 1.5 * one_line  # the long licence wraps, in full
    assert table.item(0, 2).toolTip() == LONG_LICENCE


def test_install_plan_columns_fit(qtbot) -> None:
    view = PlanView()
    qtbot.addWidget(view)
    view.resize(720, 480)
    view.show_plan(
        {
            "notes": [],
            "steps": [
                {
                    "title": "A step with a long name that would push other columns away " * 2,
                    "why": "because",
                    "root": True,
                    "state": "todo",
                    "sequence": [{"kind": "run", "argv": ["apt-get", "install", "-y"] * 20,
                                  "as": "root"}],
                }
            ],
        }
    )
    view.show()
    qtbot.waitExposed(view)
    header = view.tree.header()
    right = header.sectionViewportPosition(1) + header.sectionSize(1)
    assert right <= view.tree.viewport().width()
    assert view.tree.horizontalScrollBar().maximum() == 0
    assert header.sectionSize(1) >= view.tree.fontMetrics().horizontalAdvance("admin")


@pytest.mark.parametrize("width", [960, 720])
def test_tier_table_cells_are_never_cut_off(window: MainWindow, width: int) -> None:
    window.resize(width, 640)
    window.show_page("benchmark")
    page = window.stack.currentWidget()
    assert isinstance(page, BenchmarkPage)
    page.matrix.show_verdict(
        evaluate(VerdictInputs(16, 8, 64, "amd64", 234.7, 1403.7, 1256.0, 941.3, 412.9, True))
    )
    QApplication.processEvents()
    matrix = page.matrix
    metrics = matrix.fontMetrics()
    line = metrics.height()
    for row in range(matrix.rowCount()):
        for column in range(matrix.columnCount()):
            text = matrix.item(row, column).text()
            fits = metrics.horizontalAdvance(text) + 8 <= matrix.columnWidth(column)
            assert fits or matrix.rowHeight(row) >= 2 * line, (width, text)
    # The table shows every row: nothing scrolls inside it.
    assert matrix.verticalScrollBar().maximum() == 0

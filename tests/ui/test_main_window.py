import asyncio
import logging

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QLabel
from qasync import asyncSlot

from app import settings
from app.context import AppContext
from app.gui import Gui
from ui.about import AboutDialog, bundled_licences
from ui.error_dialog import ErrorDialog
from ui.main_window import MainWindow
from ui.pages.base import Page

pytestmark = pytest.mark.gui


class DummyPage(Page):
    def __init__(self, page_id: str, order: int) -> None:
        super().__init__()
        self.page_id = page_id  # type: ignore[misc]
        self.order = order  # type: ignore[misc]
        self.shown = 0
        QLabel(page_id, self)

    def title(self) -> str:
        return self.page_id.title()

    def page_shown(self) -> None:
        self.shown += 1


@pytest.fixture
def ctx(data_dir):
    return AppContext(
        data_dir=data_dir,
        network="mainnet",
        settings=settings.load(data_dir),
        log_path=data_dir / "logs" / "fluxdesk.log",
        logger=logging.getLogger("test"),
    )


@pytest.fixture
def gui(qtbot, qapp, ctx, qasync_loop):
    gui = Gui(ctx, qapp)
    qtbot.addWidget(gui.window)
    gui.reporter.install(qasync_loop)
    yield gui
    qasync_loop.run_until_complete(gui.closer.wait())


def test_sidebar_is_built_from_pages_in_order(qtbot):
    pages = [DummyPage("b", 20), DummyPage("a", 10)]
    window = MainWindow(pages, QApplication.windowIcon())
    qtbot.addWidget(window)
    assert window.page_ids() == ["a", "b"]
    assert [window.sidebar.item(i).text() for i in range(2)] == ["A", "B"]
    window.show_page("b")
    assert window.current_page_id() == "b"
    assert pages[0].shown == 1
    with pytest.raises(KeyError, match="pages are: a, b"):
        window.show_page("missing")


def test_settings_page_saves_and_applies_theme(gui, data_dir, qapp):
    gui.window.show_page("settings")
    page = gui.window.stack.currentWidget()
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    assert settings.load(data_dir).ui.theme == "dark"
    assert qapp.palette().window().color().lightness() < 128
    page.network.setCurrentIndex(page.network.findData("testnet"))
    assert settings.load(data_dir).network == "testnet"
    assert "restart" in page.network_note.text()
    page.theme.setCurrentIndex(page.theme.findData("light"))
    assert qapp.palette().window().color().lightness() > 128


def test_window_geometry_persists(qtbot, qapp, ctx, data_dir, qasync_loop):
    first = Gui(ctx, qapp)
    qtbot.addWidget(first.window)
    first.window.show()
    first.window.resize(770, 530)
    first.window.quit_for_real()
    stored = settings.load(data_dir)
    assert stored.ui.window_geometry
    ctx.settings = stored
    second = Gui(ctx, qapp)
    qtbot.addWidget(second.window)
    assert (second.window.width(), second.window.height()) == (770, 530)
    for gui in (first, second):
        qasync_loop.run_until_complete(gui.closer.wait())


def test_close_to_tray_hides_instead_of_quitting(gui, qtbot):
    gui.window.show()
    gui.window.close_to_tray = True
    gui.window.close()
    assert not gui.window.isVisible()
    gui.window.quit_for_real()
    assert not gui.window.isVisible()


def test_about_lists_bundled_libraries_with_licences(qtbot):
    rows = bundled_licences()
    names = {name for name, _, _ in rows}
    assert {"qasync", "cryptography", "coincurve", "aiohttp"} <= names
    assert all(licence and version for _, version, licence in rows)
    dialog = AboutDialog("9.9.9")
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows)


def test_error_dialog_copies_details(qtbot, qapp):
    dialog = ErrorDialog("Boom", "Traceback…", "see log")
    qtbot.addWidget(dialog)
    dialog.copy_details()
    assert qapp.clipboard().text() == "Traceback…"


class Service(QObject):
    @asyncSlot()
    async def explode(self) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("node said no to seed " + " ".join(["abandon"] * 11 + ["about"]))


def test_exception_in_async_slot_is_reported_not_fatal(gui, qtbot, caplog):
    service = Service()
    shown: list[tuple[str, str]] = []
    gui.reporter._show = lambda summary, details, hint: shown.append((summary, details))
    with caplog.at_level(logging.ERROR):
        service.explode()
        qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    summary, details = shown[0]
    assert "node said no" in summary
    assert "abandon abandon" not in summary + details
    assert "RuntimeError" in details


def test_unexpected_error_opens_dialog(gui, qtbot):
    gui.reporter.report(ValueError("bad thing"))
    dialogs = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()
    ]
    assert dialogs and "bad thing" in dialogs[-1].findChildren(QLabel)[0].text()
    for dialog in dialogs:
        dialog.close()

"""Start-up stays light: a GUI start loads no HTTP stack, and only the shown page is built before
the first paint (the figures themselves are `make bench`'s, not a test's)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.gui import Gui
from ui.pages.base import Page
from ui.startup_probe import StartupProbe, after_first_paint

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
# Loaded when a server, a download or the wallet's backends are first used, never to show the window.
NOT_AT_START = ("aiohttp",)
# Not loaded before the main window with a locked wallet first paints (issue 10's start-up time):
# keys and secp256k1, building, signing and decoding transactions, sync and history, backups,
# package metadata (the version is a constant; the About box reads the libraries' metadata when
# opened), the pages nobody has opened yet, QR codes, and the node monitor (after the paint).
NOT_BEFORE_PAINT = (
    "coincurve", "importlib.metadata", "segno",
    "wallet.keys", "wallet.hd", "wallet.keychain", "wallet.send", "wallet.signing",
    "wallet.txcodec", "wallet.sync", "wallet.history", "wallet.backup", "wallet.consolidate",
    "wallet.backends.witness", "wallet.nodes.manager", "wallet.nodes.collateral",
    "ui.about", "ui.wallet.send", "ui.wallet.receive", "ui.wallet.history", "ui.wallet.coins",
    "ui.wallet.nodes", "ui.wallet.addresses", "ui.wallet.security", "ui.pages.settings_page",
    "ui.pages.benchmark", "ui.pages.local_node", "ui.pages.setup",
    "app.monitor_backend", "nodectl.monitor", "nodectl.bench",
)
PROBE = """
import json, sys
import ui.startup_probe
from app.main import main

painted = ui.startup_probe.StartupProbe._painted
at_paint = []

def note_modules(self):
    at_paint.extend(m for m in %r if m in sys.modules)
    painted(self)

ui.startup_probe.StartupProbe._painted = note_modules
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules],
                  "at_paint": at_paint}))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def test_gui_start_with_a_locked_wallet_imports_no_http_stack_nor_open_wallet_code(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    password = tmp_path / "password"
    password.write_text("a locked wallet's password 1!")
    password.chmod(0o600)
    subprocess.run(
        [sys.executable, "-m", "app.main", "wallet", "create", "--data-dir", str(data_dir),
         "--password-file", str(password), "--insight", "http://127.0.0.1:9/api", "--json"],
        env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (NOT_BEFORE_PAINT, NOT_AT_START), "--data-dir", str(data_dir),
         "--startup-probe", "0.2"],
        env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    lines = result.stdout.strip().splitlines()
    probe, outcome = json.loads(lines[-2]), json.loads(lines[-1])
    assert probe["painted_at"] > 0 and probe["idle_rss_mb"] > 0
    assert outcome == {"code": 0, "loaded": [], "at_paint": []}


@pytest.fixture
def gui(qtbot: QtBot, qapp, data_dir: Path, qasync_loop):  # type: ignore[no-untyped-def]
    ctx = AppContext(data_dir=data_dir, network="mainnet", settings=settings.load(data_dir),
                     log_path=data_dir / "fluxdesk.log", logger=logging.getLogger("test"))
    gui = Gui(ctx, qapp)
    qtbot.addWidget(gui.window)
    yield gui
    qasync_loop.run_until_complete(gui.closer.wait())


def test_only_the_shown_page_is_built_before_the_first_paint(gui: Gui, qtbot: QtBot) -> None:
    window = gui.window
    first = window.page_ids()[0]
    assert window.built_page_ids() == [first]
    # Every page is in the sidebar, titled, though not built.
    assert {"wallet", "wallet-send", "benchmark", "local_node", "settings"} <= set(
        window.page_ids())
    titles = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    assert "Settings" in titles and "Send" in titles
    window.show()
    qtbot.waitExposed(window)
    assert window.built_page_ids() == [first]


def test_pages_addressed_by_id_are_built_when_asked_for(gui: Gui) -> None:
    window = gui.window
    gui.select_page("settings")  # --page settings, the tray, the last page of the previous run
    assert window.current_page_id() == "settings"
    shown = window.stack.currentWidget()
    assert isinstance(shown, Page) and shown.page_id == "settings"
    assert window.page("wallet-send").page_id == "wallet-send"
    assert window.page("wallet-send") is window.page("wallet-send")
    assert set(window.built_page_ids()) == {window.page_ids()[0], "settings", "wallet-send"}
    with pytest.raises(KeyError, match="pages are"):
        window.page("missing")


def test_entries_name_the_pages_they_build(gui: Gui) -> None:
    window = gui.window
    titles = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    for row, page_id in enumerate(window.page_ids()):
        page = window.page(page_id)
        assert window.stack.widget(row) is page
        # The entry's id, order and title are the page's own.
        assert (page.page_id, page.order, page.title()) == (
            page_id, window._pages[row].order, titles[row])
    assert window.built_page_ids() == window.page_ids()


@pytest.mark.parametrize("hook_first", [True, False])
def test_the_probe_notes_the_paint_before_work_deferred_after_it(
        qtbot: QtBot, hook_first: bool) -> None:
    # The time to the main window ends at its paint: work the app defers until after it (the
    # node monitor) runs with the window on screen, whichever was set up first.
    window = QWidget()
    qtbot.addWidget(window)
    order: list[str] = []

    class NotingProbe(StartupProbe):
        def _painted(self) -> None:
            order.append("probe")

    def hook() -> None:
        order.append("deferred work")

    if hook_first:
        after_first_paint(window, hook)
    NotingProbe(window, 60.0, window.hide)
    if not hook_first:
        after_first_paint(window, hook)
    window.show()
    qtbot.waitUntil(lambda: "deferred work" in order)
    assert order[:2] == ["probe", "deferred work"]


def test_the_node_monitor_starts_after_the_first_paint(gui: Gui, qtbot: QtBot) -> None:
    assert gui._monitor is None  # nothing for the hidden local node page before the window shows
    started: list[bool] = []
    after_first_paint(gui.window, lambda: started.append(True))
    gui.window.show()
    qtbot.waitUntil(lambda: started == [True])
    gui.window.update()
    qtbot.wait(20)
    assert started == [True]  # once

"""Acceptance: a wallet made with the CLI opens in the GUI and the reverse, with the same servers.

The CLI runs as a child process (tests/cli.py), as a user would run it; the simulator and the GUI
share the test's qasync loop, so the child is awaited from a worker thread while Qt (and so the
loop) runs under qtbot.waitUntil.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.paths import DataPaths
from app.services import Services
from app.wallet_wiring import WalletUi, build_wallet_ui
from flux.money import COIN
from tests.cli import run_fluxdesk
from tests.conftest import complete
from tests.sim.server import SimNetwork
from tests.ui.wallet.conftest import GOOD_PASSWORD, MNEMONIC_12, regtest_addresses
from ui.concurrency import Engine
from ui.wallet.overview import OverviewPage
from wallet.state import WalletStatus
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore

pytestmark = pytest.mark.gui


@pytest.fixture
def sim(qt_loop: asyncio.AbstractEventLoop, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path):  # type: ignore[no-untyped-def]
    # No local fluxd on either side (the CLI child inherits the environment).
    monkeypatch.setenv("FLUXD_CONFIG_PATH", str(tmp_path / "no-flux.conf"))
    network = complete(qtbot, SimNetwork().start())
    network.fund(regtest_addresses(3)[2], 7 * COIN)
    yield network
    complete(qtbot, network.close())


def cli(qtbot: QtBot, *args: str) -> subprocess.CompletedProcess[str]:
    """`fluxdesk …` in a child process while the loop keeps serving the simulator."""
    loop = asyncio.get_event_loop()
    return complete(qtbot, loop.run_in_executor(None, lambda: run_fluxdesk(*args, stdin="")),
                    timeout=120)


def gui_services(data_dir: Path, kdf: KdfParams | None = None) -> Services:
    ctx = AppContext(data_dir=data_dir, network="regtest", settings=settings.load(data_dir),
                     log_path=data_dir / "gui.log", logger=logging.getLogger("test"))
    return Services(ctx, kdf=kdf)


def close_ui(qtbot: QtBot, ui: WalletUi) -> None:
    ui.model.lock()
    complete(qtbot, ui.model.close())
    for page in ui.pages:
        if shiboken6.isValid(page):
            page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def unlock_in_gui(ui: WalletUi, qtbot: QtBot) -> OverviewPage:
    overview = next(p for p in ui.pages if isinstance(p, OverviewPage))
    qtbot.addWidget(overview)
    overview.show()
    assert ui.model.state == WalletStatus.LOCKED, "the GUI must find the wallet file"
    overview.unlock_form.password.setText(GOOD_PASSWORD)
    overview.unlock_form.unlock_button.click()
    qtbot.waitUntil(lambda: ui.model.state == WalletStatus.UNLOCKED, timeout=30_000)
    complete(qtbot, ui.model.wait_synced())
    return overview


def test_wallet_restored_with_the_cli_opens_in_the_gui_with_the_same_server(
    sim: SimNetwork, data_dir: Path, tmp_path: Path,
    qtbot: QtBot, engine: Engine,
) -> None:
    (tmp_path / "pw").write_text(GOOD_PASSWORD + "\n")
    (tmp_path / "seed").write_text(MNEMONIC_12 + "\n")
    done = cli(qtbot, "--data-dir", str(data_dir), "--network", "regtest", "wallet",
               "restore", "--seed-file", str(tmp_path / "seed"), "--password-file",
               str(tmp_path / "pw"), "--insight", sim.insight_url, "--json")
    assert done.returncode == 0, done.stderr
    restored = json.loads(done.stdout)
    assert restored["balances"]["total"] == 7 * COIN

    services = gui_services(data_dir)
    ui = build_wallet_ui(services, engine)
    try:
        overview = unlock_in_gui(ui, qtbot)
        qtbot.waitUntil(lambda: overview.total.text() == "7 REG", timeout=10_000)
        assert services.wallet_path() == Path(restored["wallet"])
        assert ui.model.snapshot is not None
        assert ui.model.snapshot.backend == restored["backend"]
    finally:
        close_ui(qtbot, ui)


def test_wallet_restored_in_the_gui_opens_in_the_cli_with_the_same_server(
    sim: SimNetwork, data_dir: Path, tmp_path: Path,
    fast_kdf: KdfParams, qtbot: QtBot, engine: Engine,
) -> None:
    services = gui_services(data_dir, fast_kdf)
    ui = build_wallet_ui(services, engine)
    try:
        overview = next(p for p in ui.pages if isinstance(p, OverviewPage))
        qtbot.addWidget(overview)
        overview.show()
        overview.no_wallet.button.click()
        view = overview.wizard
        assert view is not None
        view.kind_buttons["restore"].setChecked(True)
        view.server_edit.setText(sim.insight_url)  # regtest has no public explorer
        view.next_button.click()
        view.restore_edit.setPlainText(MNEMONIC_12)
        view.next_button.click()
        view.password_edit.setText(GOOD_PASSWORD)
        view.password_again.setText(GOOD_PASSWORD)
        view.next_button.click()
        qtbot.waitUntil(lambda: ui.model.state == WalletStatus.UNLOCKED, timeout=30_000)
        complete(qtbot, ui.model.wait_synced())
        assert ui.model.snapshot is not None
        gui_backend = ui.model.snapshot.backend
        gui_file = services.wallet_path()
    finally:
        close_ui(qtbot, ui)

    (tmp_path / "pw").write_text(GOOD_PASSWORD + "\n")
    # No --insight: the CLI finds the server the wizard was given.
    done = cli(qtbot, "--data-dir", str(data_dir), "--network", "regtest", "wallet",
               "balance", "--password-file", str(tmp_path / "pw"), "--json")
    assert done.returncode == 0, done.stderr
    balance = json.loads(done.stdout)
    assert balance["wallet"] == str(gui_file)
    assert balance["backend"] == gui_backend and balance["balances"]["total"] == 7 * COIN


def test_old_gui_wallet_is_moved_and_its_servers_serve_the_cli(
    sim: SimNetwork, data_dir: Path, tmp_path: Path,
    fast_kdf: KdfParams, qtbot: QtBot,
) -> None:
    # The layout and the wallet-file server list of FluxDesk before the shared composition.
    old = DataPaths(data_dir).old_gui_wallet("regtest")
    document = WalletDocument(kind=HdSeed(MNEMONIC_12), network="regtest")
    document.settings.insight_servers = [sim.insight_url]
    WalletStore(old, kdf=fast_kdf).create(document, GOOD_PASSWORD).lock()
    (tmp_path / "pw").write_text(GOOD_PASSWORD + "\n")
    done = cli(qtbot, "--data-dir", str(data_dir), "--network", "regtest", "wallet",
               "balance", "--password-file", str(tmp_path / "pw"), "--json")
    assert done.returncode == 0, done.stderr
    assert "Moved the regtest wallet" in done.stderr
    assert json.loads(done.stdout)["balances"]["total"] == 7 * COIN
    assert not old.exists() and DataPaths(data_dir).wallet("regtest").exists()
    assert settings.load(data_dir).servers.insight["regtest"] == [sim.insight_url]

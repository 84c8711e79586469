"""Receive, security and the first-run wizard inside the app, against the simulator."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.paths import DataPaths
from app.services import Services
from app.wallet_wiring import build_wallet_ui
from flux.money import COIN
from tests.conftest import complete
from tests.sim.server import SimNetwork
from tests.ui.wallet.conftest import (
    GOOD_PASSWORD,
    MNEMONIC_12,
    SimWallet,
    regtest_addresses,
)
from ui.concurrency import Engine
from ui.wallet.gate import WalletPage
from ui.wallet.overview import OverviewPage
from ui.wallet.receive import ReceivePage
from ui.wallet.security import SecurityPage
from wallet.state import WalletState, WalletStatus
from wallet.storage.crypto import KdfParams
from wallet.storage.store import WalletStore

pytestmark = pytest.mark.gui
NEW_PASSWORD = "Brand-New-Pass-9"


def snapshot(sw: SimWallet) -> WalletState:
    assert sw.ui.model.snapshot is not None
    return sw.ui.model.snapshot


def _unlocked(sw: SimWallet, qtbot: QtBot, kind: type[WalletPage]) -> WalletPage:
    page = next(p for p in sw.ui.pages if isinstance(p, kind))
    qtbot.addWidget(page)
    page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    return page


def test_receive_shows_unused_address_qr_copy_and_new(sim_wallet: SimWallet,
                                                      qtbot: QtBot) -> None:
    sw = sim_wallet
    page = _unlocked(sw, qtbot, ReceivePage)
    assert isinstance(page, ReceivePage)
    first_unused = regtest_addresses(3)[2]  # 0 and 1 hold the fixture's coins
    assert page.address.text() == first_unused == page.qr.text()
    page.copy_button.click()
    assert QApplication.clipboard().text() == first_unused
    page.label.setText("from Dave")
    page.save_label()
    sw.run(lambda: snapshot(sw).labels.get(first_unused) == "from Dave")
    page.new_button.click()
    sw.run(lambda: page.address.text() != first_unused)
    assert page.address.text() == regtest_addresses(4)[3]
    assert page.label.text() == ""


def test_security_password_seed_and_backup(sim_wallet: SimWallet, qtbot: QtBot,
                                           tmp_path: Path) -> None:
    sw = sim_wallet
    page = _unlocked(sw, qtbot, SecurityPage)
    assert isinstance(page, SecurityPage)
    page.seed_password.setText("wrong password")
    page.seed_button.click()
    sw.run(lambda: bool(page.seed_note.text()))
    assert page.seed.words() == [] and not page.copy_warning.isVisible()
    page.seed_password.setText(GOOD_PASSWORD)
    page.seed_button.click()
    sw.run(lambda: page.seed.words() == MNEMONIC_12.split())
    assert page.copy_warning.isVisible() and "clipboard" in page.copy_warning.text()
    labels = [w.text() for w in page.seed.findChildren(QLabel)]
    assert "12. yellow" in labels and " 1. legal" in labels
    page.hide()
    assert page.seed.words() == []
    page.show()
    page.new_password.setText("short")
    assert not page.change_button.isEnabled()
    page.old_password.setText(GOOD_PASSWORD)
    page.new_password.setText(NEW_PASSWORD)
    page.new_again.setText(NEW_PASSWORD)
    assert page.change_button.isEnabled()
    page.change_button.click()
    sw.run(lambda: page.change_note.text() == "Password changed.")
    store = WalletStore(DataPaths(sw.ctx.data_dir).wallet("regtest"))
    assert store.open(NEW_PASSWORD).document.network == "regtest"
    backup = tmp_path / "backup.fluxwallet"
    page.backup_password.setText(NEW_PASSWORD)
    page.export_backup(str(backup))
    sw.run(lambda: "Backup written" in page.backup_note.text())
    assert WalletStore(backup).open(NEW_PASSWORD).document.name == "Sim"
    assert backup.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [backup.name]
    page.auto_lock.setValue(3)
    sw.run(lambda: snapshot(sw).auto_lock_minutes == 3)
    assert store.open(NEW_PASSWORD).document.settings.auto_lock_minutes == 3
    page.lock_button.click()
    assert sw.ui.model.state == WalletStatus.LOCKED
    assert page.gate.currentWidget() is page.unlock_form


def test_restore_through_the_wizard_in_the_app_finds_the_coins(
    qt_loop, data_dir: Path, fast_kdf: KdfParams, qtbot: QtBot,  # type: ignore[no-untyped-def]
    engine: Engine,
) -> None:
    sim = complete(qtbot, SimNetwork().start())
    try:
        sim.fund(regtest_addresses(5)[4], 7 * COIN)
        ctx = AppContext(data_dir=data_dir, network="regtest", settings=settings.load(data_dir),
                         log_path=data_dir / "log.txt", logger=logging.getLogger("test"))
        ui = build_wallet_ui(Services(ctx, kdf=fast_kdf), engine)
        overview = next(p for p in ui.pages if isinstance(p, OverviewPage))
        qtbot.addWidget(overview)
        overview.show()
        assert ui.model.state == WalletStatus.NONE
        assert overview.gate.currentWidget() is overview.no_wallet
        overview.no_wallet.button.click()
        view = overview.wizard
        assert view is not None and overview.gate.currentWidget() is view
        view.kind_buttons["restore"].setChecked(True)
        view.server_edit.setText(sim.insight_url)
        view.next_button.click()
        view.restore_edit.setPlainText(MNEMONIC_12)
        view.next_button.click()
        view.password_edit.setText(GOOD_PASSWORD)
        view.password_again.setText(GOOD_PASSWORD)
        view.next_button.click()
        qtbot.waitUntil(lambda: ui.model.state == WalletStatus.UNLOCKED, timeout=10_000)
        complete(qtbot, ui.model.wait_synced())
        qtbot.waitUntil(lambda: overview.total.text() == "7 REG", timeout=10_000)
        assert overview.gate.currentWidget() is overview.content
        complete(qtbot, ui.model.close())
        for page in ui.pages:
            if page is not overview:
                page.deleteLater()
    finally:
        complete(qtbot, sim.close())

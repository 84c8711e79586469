"""Settings → Servers: Insight servers added, tested, removed and saved (the wallet reconnects),
the local fluxd from flux.conf tested, the server in use shown with its tip height."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import settings
from app.services import ServerTests, Services
from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.pages.settings_page import SettingsPage

pytestmark = pytest.mark.gui
DEAD = "http://127.0.0.1:9/api"


def _page(sw: SimWallet, qtbot: QtBot) -> SettingsPage:
    services = Services(sw.ctx)
    page = SettingsPage(
        sw.ctx.settings, data_dir=sw.ctx.data_dir, log_path=sw.ctx.log_path,
        running_network="regtest", save=services.save_settings, apply_theme=lambda _: None,
        tray_available=False, server_probe=ServerTests(services, sw.engine.call),
        wallet=sw.ui.model)
    qtbot.addWidget(page)
    page.show()
    return page


def test_servers_add_test_remove_persist_and_in_use(sim_wallet: SimWallet,
                                                    qtbot: QtBot) -> None:
    sw = sim_wallet
    page = _page(sw, qtbot)
    servers = page.servers
    assert servers is not None
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    tip = sw.sim.chain.tip_height
    sw.run(lambda: f"block {tip}" in servers.in_use.text())
    assert "127.0.0.1" in servers.in_use.text()

    servers.new_url.setText(DEAD + "/")
    servers.add_button.click()
    assert servers.urls() == [sw.sim.insight_url, DEAD]
    assert settings.load(sw.ctx.data_dir).servers.insight_for("regtest") == [
        sw.sim.insight_url, DEAD]
    assert servers.reconnecting is not None
    sw.complete(servers.reconnecting)
    assert sw.ui.model.connection.ok

    servers.insight.setCurrentRow(0)
    servers.test_button.click()
    sw.run(lambda: "answers" in servers.insight_note.text())
    assert f"block {tip}" in servers.insight_note.text()
    servers.insight.setCurrentRow(1)
    servers.insight_note.setText("")
    servers.test_button.click()
    sw.run(lambda: bool(servers.insight_note.text()) and "Asking" not in
           servers.insight_note.text())
    assert "answers" not in servers.insight_note.text() and servers.insight_note.text()

    servers.remove_button.click()
    assert servers.urls() == [sw.sim.insight_url]
    assert settings.load(sw.ctx.data_dir).servers.insight_for("regtest") == [sw.sim.insight_url]

    servers.new_url.setText("not a url")
    servers.add_button.click()
    assert "not a server address" in servers.insight_note.text()
    assert servers.urls() == [sw.sim.insight_url]


def test_local_fluxd_test_reads_flux_conf(sim_wallet: SimWallet, qtbot: QtBot,
                                          tmp_path: Path) -> None:
    sw = sim_wallet
    page = _page(sw, qtbot)
    servers = page.servers
    assert servers is not None
    conf = tmp_path / "flux.conf"
    conf.write_text(f"rpcuser={sw.sim.rpc_user}\nrpcpassword={sw.sim.rpc_password}\n"
                    f"rpcport={sw.sim.rpc_port}\nrpcconnect=127.0.0.1\n")
    servers.flux_conf.setText(str(conf))
    servers.test_local.click()
    sw.run(lambda: "answers" in servers.local_note.text())
    assert f"block {sw.sim.chain.tip_height}" in servers.local_note.text()
    servers.flux_conf.setText(str(tmp_path / "missing.conf"))
    servers.local_note.setText("")
    servers.test_local.click()
    sw.run(lambda: bool(servers.local_note.text()) and "Asking" not in
           servers.local_note.text())
    assert "answers" not in servers.local_note.text() and servers.local_note.text()

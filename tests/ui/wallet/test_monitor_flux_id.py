"""The GUI's monitor follows the wallet: once it is unlocked the doctor compares the node's owner
Flux ID with the wallet's (and polls again to say so), once it locks the doctor says it did not
compare. The real wallet model on the engine, the real monitor service on the simulated node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest

from app.monitor_backend import AppMonitorBackend, follow_wallet
from app.monitor_wallet import LOCKED
from app.settings import Settings
from nodectl.monitor.doctor import unchecked
from tests.conftest import complete
from tests.sim.nodeapi.filekeyring import FileKeyring
from tests.sim.nodeapi.localnode import local_node
from tests.ui.wallet.conftest import GOOD_PASSWORD, MNEMONIC_12, SimWallet
from ui.monitor_service import MonitorService
from wallet.fluxid import flux_id_from_mnemonic

OTHER_OWNER = "1111111111111111111114oLvT2"


@pytest.fixture
def ring(tmp_path: Path) -> Any:
    before = keyring.core._keyring_backend
    keyring.set_keyring(FileKeyring(tmp_path / "keyring.json"))
    yield
    keyring.core._keyring_backend = before


def test_unlock_compares_lock_says_not_compared(sim_wallet: SimWallet, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                ring: Any) -> None:
    qtbot = sim_wallet.qtbot
    nodes = local_node(tmp_path / "node")
    node = complete(qtbot, nodes.__aenter__())
    try:
        for key, value in node.env.items():
            monkeypatch.setenv(key, value)
        node.script.owner_id = OTHER_OWNER
        settings = Settings()
        settings.node_monitor.update({"local_api": node.fluxos_address})
        backend = AppMonitorBackend(settings, node.data_dir, lambda: None)
        service = MonitorService(backend)
        feed = follow_wallet(service, backend, sim_wallet.ui, sim_wallet.engine)
        service.load_nodes()
        try:
            local = service.node("local")
            assert local is not None
            sim_wallet.complete(service.poll_all())
            first = service.results["local"]
            assert "flux_id_mismatch" not in {f.rule for f in first.findings}
            [item] = unchecked(first.snapshot, local.context)
            assert first.unchecked == (item,)  # what the dashboard's doctor panel shows
            assert item.why.endswith(LOCKED[0]) and item.next_step == LOCKED[1]

            sim_wallet.complete(sim_wallet.ui.model.unlock(GOOD_PASSWORD))
            expected = flux_id_from_mnemonic(MNEMONIC_12).address
            sim_wallet.run(lambda: local.context.wallet_flux_id == expected)
            sim_wallet.run(lambda: "flux_id_mismatch" in {
                f.rule for f in service.results["local"].findings})
            mismatch = next(f for f in service.results["local"].findings
                            if f.rule == "flux_id_mismatch")
            assert expected in mismatch.cause and OTHER_OWNER in mismatch.cause
            assert feed.current.flux_id == expected

            sim_wallet.ui.model.lock()
            sim_wallet.run(lambda: local.context.wallet_flux_id is None)
            assert local.context.wallet_flux_id_unknown == LOCKED
            sim_wallet.run(lambda: "flux_id_mismatch" not in {
                f.rule for f in service.results["local"].findings})
        finally:
            sim_wallet.complete(service.close())
    finally:
        complete(qtbot, nodes.__aexit__(None, None, None))

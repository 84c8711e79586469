"""A remote node's doctor row fixes through FluxOS: the button waits for the wallet's Flux ID
(unlocked), logs in as the node's owner, restarts the benchmark, and the re-check says fixed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.monitor_wallet import WalletFluxId
from app.remote_fixes import RemoteFixes, SessionStore
from tests.app.test_remote_fixes import OWNER_ID, wallet
from tests.ui.test_node_dashboard import rig, ring, run, until

pytestmark = pytest.mark.gui
__all__ = ["ring"]  # the keyring fixture, used by name


def test_remote_fix_waits_for_the_flux_id_then_fixes_and_rechecks(
        qtbot, qasync_loop, tmp_path: Path, monkeypatch, ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, "bench_failed") as r:
            r.node.script.owner_id = OWNER_ID.address
            r.backend.remote_actions = RemoteFixes(wallet(OWNER_ID),
                                                   SessionStore(use_keyring=False))
            r.board.remotes.address.setText(r.node.fluxos_address)
            r.board.remotes.add_button.click()
            key = f"remote:{r.node.fluxos_address}"
            await until(lambda: key in r.service.results)
            r.board.node_picker.setCurrentIndex(r.board.node_picker.findData(key))
            r.board.tabs.setCurrentIndex(1)
            await until(lambda: "bench_failed" in r.board.doctor.rows)
            row = r.board.doctor.rows["bench_failed"]
            assert row.action_button is not None and row.command is None
            assert row.action_button.text() == "Restart the benchmark through FluxOS"
            assert not row.action_button.isEnabled()  # no Flux ID while the wallet is locked
            await asyncio.sleep(0.05)
            assert r.board.grab().save(str(tmp_path / "remote-fix-locked.png"))

            node = r.service.node(key)
            assert node is not None
            WalletFluxId(OWNER_ID.address).apply_to([node])  # what the unlock does
            await r.service.poll_all()
            row = r.board.doctor.rows["bench_failed"]
            assert row.action_button is not None and row.action_button.isEnabled()
            row.action_button.click()
            await until(lambda: not r.board.doctor.fixed.isHidden())
            assert r.board.doctor.fixed.text().startswith("Checked again: fixed (bench_failed")
            assert r.node.script.admin_calls == ["restartnodebenchmarks"]
            await asyncio.sleep(0.05)
            assert r.board.grab().save(str(tmp_path / "remote-fix-done.png"))

    run(qasync_loop, scenario)

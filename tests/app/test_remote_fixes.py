"""Doctor fixes on a remote node through FluxOS's admin routes, against the scripted node's
FluxOS: the login is FluxOS's (the simulator checks the signature with coincurve), only an admin
session acts, sessions are reused from the keyring and renewed when FluxOS forgets them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest

from app.monitor_wiring import remote_watch
from app.remote_fixes import RemoteFixes, SessionStore
from nodectl.monitor.doctor import Action
from nodectl.monitor.errors import NotAllowed
from nodectl.monitor.fluxos import FluxosApi, api_base
from nodectl.monitor.target import WatchedNode
from tests.sim.nodeapi import servers
from tests.sim.nodeapi.filekeyring import FileKeyring
from tests.sim.nodeapi.harness import serve
from tests.sim.nodeapi.script import NodeScript
from tests.sim.nodeapi.states import scripted
from wallet.address import bitcoin_p2pkh_address
from wallet.errors import WalletLocked
from wallet.fluxid import FluxId
from wallet.keys import PrivateKey

OWNER = PrivateKey(bytes.fromhex("11" * 32), compressed=True)
OWNER_ID = FluxId(bitcoin_p2pkh_address(OWNER.public_key()), OWNER, "wif")
STRANGER = PrivateKey(bytes.fromhex("22" * 32), compressed=True)
STRANGER_ID = FluxId(bitcoin_p2pkh_address(STRANGER.public_key()), STRANGER, "wif")


@dataclass
class Remote:
    script: NodeScript
    hits: Counter[str]
    node: WatchedNode
    app: Any


@pytest.fixture
def ring(tmp_path: Path) -> Any:
    before = keyring.core._keyring_backend
    ring = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(ring)
    yield ring
    keyring.core._keyring_backend = before


@asynccontextmanager
async def remote(tmp_path: Path, state: str = "bench_failed") -> AsyncIterator[Remote]:
    script = scripted(state)
    script.owner_id = OWNER_ID.address
    hits: Counter[str] = Counter()
    app = servers.fluxos_app(script, hits)
    async with serve(app) as url:
        node = remote_watch(url.removeprefix("http://"), tmp_path)
        try:
            yield Remote(script, hits, node, app)
        finally:
            await node.close()


def wallet(flux_id: FluxId) -> Any:
    async def source() -> FluxId:
        return flux_id
    return source


@pytest.mark.asyncio
async def test_benchmark_rerun_through_fluxos_then_the_doctor_sees_it_fixed(
        tmp_path: Path, ring: Any) -> None:
    async with remote(tmp_path) as r:
        before = await r.node.watch.poll()
        assert "bench_failed" in {f.rule for f in before.findings}
        fixes = RemoteFixes(wallet(OWNER_ID))
        words = await fixes.run(r.node, Action.RESTART_BENCH)
        assert words == ("Restart the benchmark through FluxOS: FluxOS says "
                         "“Restarting Benchmarks”.")
        assert r.script.admin_calls == ["restartnodebenchmarks"]
        assert r.hits["/id/verifylogin"] == 1
        after = await r.node.watch.poll()
        assert "bench_failed" not in {f.rule for f in after.findings}

        # A second fix uses the session (14 days), also from a new run through the keyring.
        again = RemoteFixes(wallet(OWNER_ID))
        assert (await again.run(r.node, Action.RESTART_FLUXD)).endswith(
            "FluxOS says “Daemon successfully restarted”.")
        assert r.hits["/id/verifylogin"] == 1
        assert r.script.admin_calls == ["restartnodebenchmarks", "restartdaemon"]
        assert OWNER_ID.address in (tmp_path / "keyring.json").read_text()


@pytest.mark.asyncio
async def test_a_session_fluxos_forgot_is_renewed_once(tmp_path: Path) -> None:
    async with remote(tmp_path) as r:
        fixes = RemoteFixes(wallet(OWNER_ID), SessionStore(use_keyring=False))
        await fixes.run(r.node, Action.RESTART_FLUXD)
        r.app[servers.LOGIN].sessions.clear()  # FluxOS restarted: its logins are gone
        words = await fixes.run(r.node, Action.RESTART_FLUXD)
        assert words.endswith("“Daemon successfully restarted”.")
        assert r.hits["/id/verifylogin"] == 2
        assert r.script.admin_calls == ["restartdaemon", "restartdaemon"]


@pytest.mark.asyncio
async def test_not_the_owner_does_nothing_and_says_why(tmp_path: Path) -> None:
    async with remote(tmp_path) as r:
        fixes = RemoteFixes(wallet(STRANGER_ID), SessionStore(use_keyring=False))
        words = await fixes.run(r.node, Action.RESTART_BENCH, owner=OWNER_ID.address)
        assert words.startswith(f"Not done: Logged in as user, not admin: {STRANGER_ID.address}")
        assert OWNER_ID.address in words
        assert r.script.admin_calls == []
        # Nor can a forged header act: the simulator checks the session and the signature.
        forged = json.dumps({"zelid": OWNER_ID.address, "signature": "AAAA",
                             "loginPhrase": "1" * 13 + "x" * 40})
        api = FluxosApi(api_base(r.node.address))
        try:
            with pytest.raises(NotAllowed):
                await api.call("GET", "/flux/restartdaemon", zelidauth=forged)
        finally:
            await api.close()
        assert r.script.admin_calls == []


@pytest.mark.asyncio
async def test_a_node_that_refuses_login_phrases_takes_the_emergency_phrase(
        tmp_path: Path) -> None:
    async with remote(tmp_path) as r:
        r.script.login_refusal = ("DOS", "The node is in DOS state")
        fixes = RemoteFixes(wallet(OWNER_ID), SessionStore(use_keyring=False))
        words = await fixes.run(r.node, Action.RESTART_BENCH)
        assert "Restarting Benchmarks" in words
        assert r.hits["/id/emergencyphrase"] == 1


@pytest.mark.asyncio
async def test_locked_wallet_and_fixes_fluxos_cannot_do(tmp_path: Path) -> None:
    async with remote(tmp_path) as r:
        async def locked() -> FluxId:
            raise WalletLocked("The wallet is locked; unlock it to continue.")

        words = await RemoteFixes(locked, SessionStore(use_keyring=False)).run(
            r.node, Action.RESTART_BENCH)
        assert words == ("Not done: the fix logs in to the node with your Flux ID. The wallet "
                         "is locked; unlock it to continue.")
        fixes = RemoteFixes(wallet(OWNER_ID), SessionStore(use_keyring=False))
        words = await fixes.run(r.node, Action.RESTART_MONGOD)
        assert words == ("Not done: FluxOS offers no way to do this from afar. On the node, "
                         "run: sudo systemctl restart mongod")
        assert sum(r.hits.values()) == 0 and r.script.admin_calls == []

"""NodeManager end to end against tests/sim over real HTTP on 127.0.0.1: add a node, start it,
STARTED → CONFIRMED, rewards counted, refusals never read as success, the user's collateral
decision, fluxnode.conf round trip and bad input."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from flux.money import COIN
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.sim.fluxnodes import FluxnodeModel
from tests.wallet.test_wallet_sim import FAST_RETRY, PASSWORD, service_for
from wallet.backends.insight import InsightBackend
from wallet.errors import BroadcastRejected
from wallet.keys import PrivateKey
from wallet.nodes.client import NodeListsClient
from wallet.nodes.errors import NodeInputError, NodeListError, StartRefused
from wallet.nodes.manager import NodeManager
from wallet.nodes.state import NodeState
from wallet.nodes.views import parse_outpoint
from wallet.send import SendRequest
from wallet.service import WalletService


@dataclass
class World:
    sim: SimNetwork
    service: WalletService
    manager: NodeManager
    tmp: Path
    skew: int = 0

    def now(self) -> float:
        return self.sim.chain.tip.time + self.skew


@pytest_asyncio.fixture
async def world(sim: SimNetwork, tmp_path: Path) -> AsyncIterator[World]:  # noqa: F811
    FluxnodeModel(sim.chain)
    service = await service_for(tmp_path, InsightBackend([sim.insight_url], retry=FAST_RETRY))
    lists = NodeListsClient(sim.insight_url)
    w = World(sim, service, NodeManager(service, lists), tmp_path)
    w.manager.clock = w.now
    try:
        yield w
    finally:
        await lists.close()
        await w.service.close()


async def prepare_collateral(w: World) -> tuple[str, int]:
    """A reviewed send-to-self of exactly 1 000 FLUX in one output, mined once."""
    w.sim.fund(w.service.receive_address(), 1_500 * COIN)
    await w.service.sync()
    to_self = w.service.receive_address(new=True)
    review = await w.service.prepare_send(SendRequest(to_self, "1000"))
    txid = await w.service.send(review)
    w.sim.mine()
    vout = next(n for n, o in enumerate(review.outputs) if o.satoshis == 1_000 * COIN)
    return txid, vout


@pytest.mark.asyncio
async def test_add_start_confirmed_paid_and_restart_keeps_starting(world: World) -> None:
    w, m = world, world.manager
    outpoint = await prepare_collateral(w)
    assert [c.outpoint for c in await m.candidates("cumulus")] == [outpoint]
    entry = await m.add_node("alpha", outpoint)
    assert entry.identity_source == "new" and entry.tier == "cumulus"
    [view] = await m.nodes()
    assert view.status.state == NodeState.NOT_STARTED and view.tier == "cumulus"
    assert view.maturity is not None and view.maturity.blocks_left == 99
    with pytest.raises(StartRefused, match="1/100 confirmations") as refused:
        await m.start("alpha")
    assert refused.value.eta_seconds == 99 * 30
    w.sim.mine(99)

    review = await m.review_start("alpha")
    assert "no fee" in review.describe() and review.version == 5
    w.skew = 1  # a later sigTime: a different START
    record = await m.start("alpha")
    assert w.sim.chain.in_mempool(record.txid)
    assert (await m.nodes())[0].status.state == NodeState.STARTING

    # "starting" survives a restart: the record is in the wallet file.
    await w.service.close()
    again = WalletService(w.service.store, InsightBackend([w.sim.insight_url], retry=FAST_RETRY),
                          network="regtest")
    await again.open(PASSWORD)
    w.service = m.service = again
    assert (await m.nodes())[0].status.state == NodeState.STARTING
    with pytest.raises(StartRefused, match="still pending"):
        await m.start("alpha")

    w.sim.mine()
    [view] = await m.nodes()
    assert view.status.state == NodeState.STARTED and view.last_start is None
    # The START built earlier is refused by the network and never reads as sent.
    with pytest.raises(BroadcastRejected):
        await m.send_start(review)
    assert m.entry("alpha").last_start is None

    model = w.sim.chain.fluxnodes
    assert model is not None
    model.run_node(PrivateKey.from_wif(m.entry("alpha").identity_wif).public_key())
    w.sim.mine()
    assert (await m.nodes())[0].status.state == NodeState.CONFIRMED
    w.sim.mine(2)
    [view] = await m.nodes()
    assert view.status.state == NodeState.CONFIRMED
    assert view.rewards.payments >= 1 and view.rewards.total >= COIN
    assert view.rewards.day == view.rewards.total
    assert view.rewards.last_paid_height == view.status.last_paid_height


@pytest.mark.asyncio
async def test_decision_unlocks_a_1000_flux_coin(world: World) -> None:
    w, m = world, world.manager
    w.sim.fund(w.service.receive_address(), 1_000 * COIN)
    state = await w.service.sync()
    [coin] = state.coins
    assert coin.locked and state.balances.spendable == 0
    m.set_collateral_decision(coin.outpoint, False)
    state = w.service.state
    assert state is not None and not state.coins[0].locked
    assert state.balances.spendable == 1_000 * COIN
    review = await w.service.prepare_send(SendRequest(w.service.receive_address(new=True), "1"))
    assert any((i.txid, i.vout) == coin.outpoint for i in review.inputs)
    m.set_collateral_decision(coin.outpoint, None)
    assert w.service.state is not None and w.service.state.coins[0].locked


@pytest.mark.asyncio
async def test_conf_round_trip_and_remove_keeps_lock(world: World) -> None:
    w, m = world, world.manager
    outpoint = await prepare_collateral(w)
    entry = await m.add_node("beta", outpoint)
    path = w.tmp / "fluxnode.conf"
    assert m.export_conf(path) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    m.remove_node("beta")
    assert w.service.document.nodes == []
    state = await w.service.sync()
    assert next(c for c in state.coins if c.outpoint == outpoint).locked
    result = m.import_conf(path)
    assert result.added == ("beta",)
    assert m.entry("beta").identity_wif == entry.identity_wif
    assert m.import_conf(path).skipped[0][0] == "beta"
    old = m.entry("beta").identity_wif
    assert m.new_identity("beta") != old


@pytest.mark.asyncio
async def test_bad_input_is_refused_plainly(world: World) -> None:
    w, m = world, world.manager
    for text in ("xyz", "ab" * 32, "ab" * 32 + ":x", "ab" * 31 + ":0"):
        with pytest.raises(NodeInputError, match="TXID:VOUT"):
            parse_outpoint(text)
    with pytest.raises(NodeInputError, match="No node is named 'ghost'"):
        m.entry("ghost")
    with pytest.raises(NodeInputError, match="not an unspent coin of this wallet"):
        await m.add_node("x", ("cd" * 32, 0))
    w.sim.fund(w.service.receive_address(), 1_000 * COIN + 1)  # one satoshi too many
    state = await w.service.sync()
    with pytest.raises(NodeInputError, match="not exactly a tier amount"):
        await m.add_node("x", state.coins[0].outpoint)
    with pytest.raises(NodeInputError, match="not a WIF"):
        await m.add_node("x", state.coins[0].outpoint, identity_wif="garbage")
    with pytest.raises(NodeInputError, match="cannot be a node name"):
        await m.add_node("bad name!", state.coins[0].outpoint)
    with pytest.raises(NodeListError, match="FluxOS"):
        await m.reward_estimates()


@pytest_asyncio.fixture
async def garbage_url() -> AsyncIterator[str]:
    async def junk(request: web.Request) -> web.Response:
        return web.Response(text="<html>not json</html>")

    async def bad_entry(request: web.Request) -> web.Response:
        return web.json_response({"result": [{"collateral": "junk"}], "error": None})

    app = web.Application()
    app.router.add_post("/api/fluxnode/listfluxnodes", bad_entry)
    app.router.add_get("/api/status", junk)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_garbage_from_the_server_is_a_node_list_error(garbage_url: str) -> None:
    client = NodeListsClient(garbage_url)
    try:
        with pytest.raises(NodeListError, match="not JSON"):
            await client.tip()
        with pytest.raises(NodeListError, match="COutPoint"):
            await client.lists([("ab" * 32, 0)])
    finally:
        await client.close()

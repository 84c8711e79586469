"""Both backends against the protocol-faithful simulator (tests/sim) over real HTTP: they must
agree with each other and with the chain, and map its rejections the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from tests.sim import testkit
from tests.sim.fixtures import sim  # noqa: F401  (the fixture)
from tests.sim.server import SimNetwork
from wallet.backends.broadcast_errors import BroadcastKind
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.backends.select import choose_backend
from wallet.backends.verify import verified_utxos
from wallet.errors import BroadcastRejected

KEY_A, KEY_B = testkit.key("backend-a"), testkit.key("backend-b")
ADDR_A, ADDR_B = testkit.address(KEY_A), testkit.address(KEY_B)


@pytest_asyncio.fixture
async def backends(sim: SimNetwork) -> AsyncIterator[tuple[InsightBackend, FluxdRpcBackend]]:  # noqa: F811
    insight = InsightBackend([sim.insight_url], retry=RetryPolicy(rounds=1))
    rpc = FluxdRpcBackend(RpcConfig(sim.rpc_user, sim.rpc_password, port=sim.rpc_port))
    try:
        yield insight, rpc
    finally:
        await insight.close()
        await rpc.close()


@pytest.mark.asyncio
async def test_backends_agree_with_the_chain(sim: SimNetwork, backends) -> None:  # noqa: F811
    insight, rpc = backends
    first = sim.fund(ADDR_A, 150_000_000, confirmations=3)
    second = sim.fund(ADDR_B, 20_000_000, confirmations=1)
    pending = sim.fund(ADDR_A, 7_000, confirmations=0)
    tip = sim.height
    assert await insight.tip_height() == await rpc.tip_height() == tip

    for backend in (insight, rpc):
        coins = {c.outpoint: c for c in await backend.utxos([ADDR_A, ADDR_B])}
        assert set(coins) == {
            (first.txid, first.vout),
            (second.txid, second.vout),
            (pending.txid, pending.vout),
        }, backend.name
        assert coins[(first.txid, first.vout)].satoshis == 150_000_000
        # Funded with 3 confirmations, then the second funding mined one more block.
        assert coins[(first.txid, first.vout)].confirmations == 4
        assert coins[(first.txid, first.vout)].height == tip - 3
        assert coins[(pending.txid, pending.vout)].confirmations == 0
        assert coins[(pending.txid, pending.vout)].height is None

        balances = await backend.balances([ADDR_A, ADDR_B])
        assert balances[ADDR_A].confirmed == 150_000_000, backend.name
        assert balances[ADDR_A].unconfirmed == 7_000, backend.name
        assert balances[ADDR_B].used

        page = await backend.history([ADDR_A, ADDR_B])
        assert page.total == 3, backend.name
        assert page.items[0].txid == pending.txid and not page.items[0].confirmed
        assert {i.txid for i in page.items} == {first.txid, second.txid, pending.txid}

        checked = await verified_utxos(backend, await backend.utxos([ADDR_A]))
        assert {c.satoshis for c in checked} == {150_000_000, 7_000}


@pytest.mark.asyncio
async def test_broadcast_and_mapped_rejections(sim: SimNetwork, backends) -> None:  # noqa: F811
    insight, rpc = backends
    coin = sim.fund(ADDR_A, 100_000_000, confirmations=2)
    for backend in (insight, rpc):
        soon = testkit.raw_spend(sim, coin, KEY_A, [(ADDR_B, 99_990_000)], expiry_delta=2)
        with pytest.raises(BroadcastRejected) as info:
            await backend.broadcast(soon)
        assert info.value.kind == BroadcastKind.EXPIRING_SOON, (backend.name, info.value.detail)

    good = testkit.raw_spend(sim, coin, KEY_A, [(ADDR_B, 99_990_000)])
    txid = await insight.broadcast(good)
    assert txid in {i.txid for i in (await rpc.history([ADDR_B])).items}
    double = testkit.raw_spend(sim, coin, KEY_A, [(ADDR_B, 99_980_000)])
    for backend in (insight, rpc):
        with pytest.raises(BroadcastRejected) as info:
            await backend.broadcast(double)
        assert info.value.kind in (BroadcastKind.CONFLICT, BroadcastKind.INPUTS_SPENT), (
            backend.name,
            info.value.detail,
        )

    lying = testkit.raw_spend(
        sim,
        sim.fund(ADDR_A, 50_000_000, confirmations=1),
        KEY_A,
        [(ADDR_B, 49_990_000)],
        amount=60_000_000,
    )
    with pytest.raises(BroadcastRejected) as info:
        await rpc.broadcast(lying)
    assert info.value.kind == BroadcastKind.BAD_SIGNATURE, info.value.detail


@pytest.mark.asyncio
async def test_selection_prefers_the_synced_node(sim: SimNetwork, backends) -> None:  # noqa: F811
    insight, rpc = backends
    choice = await choose_backend(insight, rpc)
    assert choice.local, choice.reason
    await sim.stop_server("rpc")
    # A fresh client: stop_server closes the port but not already-open keep-alive connections.
    async with FluxdRpcBackend(
        RpcConfig(sim.rpc_user, sim.rpc_password, port=sim.rpc_port)
    ) as down:
        choice = await choose_backend(insight, down)
    assert not choice.local and "not reachable" in choice.reason

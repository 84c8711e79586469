"""Sync asks for many transactions per request, against the simulator over real HTTP: fluxd
JSON-RPC batches (and a node that refuses them), Insight's multi-address pages that carry whole
transactions, page edges, and a history that grows while it is read."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from tests.sim.fixtures import sim  # noqa: F401  (the fixture)
from tests.sim.server import SimNetwork
from wallet.backends.base import HistoryPage
from wallet.backends.fluxd_rpc import FluxdRpcBackend, RpcError
from wallet.backends.insight import InsightBackend
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import SyncState, WalletSync

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


def fund(sim: SimNetwork, count: int) -> int:  # noqa: F811
    """`count` payments spread over 5 receive and 2 change addresses; their sum."""
    kc = keychain()
    addresses = [kc.derive(RECEIVE, i).address for i in range(5)]
    addresses += [kc.derive(CHANGE, i).address for i in range(2)]
    outputs = [(addresses[n % len(addresses)], 10_000 + n) for n in range(count)]
    if outputs:
        sim.fund_many(outputs, per_block=40)
    return sum(s for _, s in outputs)


def rpc_backend(sim: SimNetwork, port: int | None = None) -> FluxdRpcBackend:  # noqa: F811
    return FluxdRpcBackend(
        RpcConfig(sim.rpc_user, sim.rpc_password, port or sim.rpc_port, network="regtest")
    )


class CountingInsight(InsightBackend):
    """The real client, counting the transactions it had to fetch one by one."""

    def __init__(self, servers: Sequence[str]) -> None:
        super().__init__(servers, retry=RetryPolicy(rounds=1))
        self.raw_fetched: list[str] = []

    async def raw_transaction(self, txid: str) -> str:
        self.raw_fetched.append(txid)
        return await super().raw_transaction(txid)


def total(state: SyncState) -> int:
    return sum(u.satoshis for u in state.utxos)


# --- fluxd JSON-RPC batches -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_raw_transactions_travel_as_one_batch(sim: SimNetwork) -> None:  # noqa: F811
    funded = [sim.fund(keychain().derive(RECEIVE, i).address, 50_000 + i) for i in range(3)]
    async with rpc_backend(sim) as rpc:
        raws = await rpc.raw_transactions([f.txid for f in funded])
        assert rpc.requests_made == 1
    assert [bytes.fromhex(r) for r in raws] == [sim.chain.txs[f.txid].raw for f in funded]


@pytest.mark.asyncio
async def test_one_unknown_txid_in_a_batch_fails_the_fetch_with_fluxds_reason(
    sim: SimNetwork,  # noqa: F811
) -> None:
    good = sim.fund(keychain().derive(RECEIVE, 0).address, 50_000).txid
    unknown = "ab" * 32
    async with rpc_backend(sim) as rpc:
        with pytest.raises(RpcError, match="does not know this transaction") as info:
            await rpc.raw_transactions([good, unknown, good])
        assert info.value.code == -5
        # The same node still answers the good ones in a batch afterwards.
        assert len(await rpc.raw_transactions([good, good])) == 2
        assert rpc.requests_made == 2


@pytest_asyncio.fixture
async def batch_refusing_proxy(sim: SimNetwork) -> AsyncIterator[int]:  # noqa: F811
    """fluxd behind a proxy that answers a JSON array as old JSON-RPC servers do (HTTP 500)."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if isinstance(json.loads(body), list):
            error = {"code": -32700, "message": "Top-level object parse error"}
            return web.json_response({"result": None, "error": error, "id": None}, status=500)
        headers = {"Authorization": request.headers.get("Authorization", "")}
        async with aiohttp.ClientSession() as session, session.post(
            sim.rpc_url, data=body, headers=headers
        ) as reply:
            return web.Response(
                status=reply.status, body=await reply.read(), content_type="application/json"
            )

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_a_node_refusing_batches_is_asked_one_call_per_request(
    sim: SimNetwork, batch_refusing_proxy: int, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    expected = fund(sim, 30)
    async with rpc_backend(sim) as direct:
        reference = await WalletSync(keychain(), direct).sync()
    caplog.set_level(logging.WARNING, logger="wallet.backends.fluxd_rpc")
    async with rpc_backend(sim, batch_refusing_proxy) as proxied:
        state = await WalletSync(keychain(), proxied).sync()
        requests = proxied.requests_made
    assert total(state) == total(reference) == expected
    assert [e.txid for e in state.history] == [e.txid for e in reference.history]
    refusals = [r for r in caplog.records if "does not answer JSON-RPC batch" in r.message]
    assert len(refusals) == 1
    # One refused batch, then single calls: at least one per transaction.
    assert requests > 30


@pytest.mark.asyncio
async def test_fluxd_full_sync_asks_few_requests(sim: SimNetwork) -> None:  # noqa: F811
    expected = fund(sim, 600)
    async with rpc_backend(sim) as rpc:
        state = await WalletSync(keychain(), rpc).sync()
        # tip, history and coin reads, and 600 transactions in batches of 250.
        assert rpc.requests_made <= 12
    assert total(state) == expected and len(state.history) == 600


# --- Insight pages ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("count", [0, 1, 50, 51, 100])
async def test_insight_pages_carry_the_transactions(
    sim: SimNetwork, count: int  # noqa: F811
) -> None:
    expected = fund(sim, count)
    async with CountingInsight([sim.insight_url]) as insight:
        state = await WalletSync(keychain(), insight).sync()
    assert total(state) == expected
    assert len(state.history) == len({e.txid for e in state.history}) == count
    # Every transaction came hash-checked from the pages, none by /rawtx.
    assert insight.raw_fetched == []


@pytest.mark.asyncio
async def test_a_page_copy_that_does_not_hash_is_fetched_raw(sim: SimNetwork) -> None:  # noqa: F811
    expected = fund(sim, 12)

    class Tampering(CountingInsight):
        async def history(
            self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
        ) -> HistoryPage:
            page = await super().history(addresses, start=start, limit=limit)
            items = list(page.items)
            if items and items[0].raw:
                # A changed last byte: the copy no longer parses as that transaction.
                items[0] = replace(items[0], raw=items[0].raw[:-2] + "01")
            return replace(page, items=items)

    async with Tampering([sim.insight_url]) as insight:
        state = await WalletSync(keychain(), insight).sync()
    assert total(state) == expected and len(state.history) == 12
    assert insight.raw_fetched and len(insight.raw_fetched) <= 2


@pytest.mark.asyncio
async def test_history_growing_during_a_full_read_is_read_again(
    sim: SimNetwork, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    # Two full pages: the tx pushed off the second page is not asked for by a single pass.
    expected = fund(sim, 100)
    grown: list[str] = []

    class Growing(CountingInsight):
        async def history(
            self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
        ) -> HistoryPage:
            page = await super().history(addresses, start=start, limit=limit)
            if start == 0 and not grown and page.total:
                # A block arrives between the first page and the next: every older tx moves
                # one place down, so the second page starts with the first page's last tx and
                # the oldest one falls off the end.
                grown.append(sim.fund(keychain().derive(RECEIVE, 1).address, 777).txid)
            return page

    caplog.set_level(logging.INFO, logger="wallet.sync_pages")
    async with Growing([sim.insight_url]) as insight:
        state = await WalletSync(keychain(), insight).sync()
    txids = [e.txid for e in state.history]
    assert len(txids) == len(set(txids)) == 101
    assert grown[0] in txids
    assert total(state) == expected + 777
    # The oldest tx came from the second pass's pages, not from a /rawtx for its coin.
    assert insight.raw_fetched == []
    assert any("reading again" in r.message for r in caplog.records)


@pytest.mark.asyncio
async def test_insight_simulator_refuses_pages_larger_than_fifty(
    sim: SimNetwork,  # noqa: F811
) -> None:
    address = keychain().derive(RECEIVE, 0).address
    url = f"{sim.insight_url}/addrs/{address}/txs"
    async with aiohttp.ClientSession() as session:
        async with session.get(url, params={"from": "0", "to": "51"}) as reply:
            assert reply.status == 503
            assert "less than or equal to 50" in await reply.text()
        async with session.post(
            f"{sim.insight_url}/addrs/txs", json={"addrs": address, "from": 0, "to": 50}
        ) as reply:
            body: dict[str, Any] = await reply.json()
    assert reply.status == 200 and body["totalItems"] == 0 and body["items"] == []

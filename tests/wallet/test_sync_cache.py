"""The saved sync state: a restart refreshes from it and ends where a full sync would; a cache
that does not read (tampered, another format) is dropped for a full sync."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from flux.http import RetryPolicy
from tests.sim.fixtures import sim  # noqa: F401  (the fixture)
from tests.sim.server import SimNetwork
from wallet.backends.insight import InsightBackend
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import SyncState, WalletSync
from wallet.sync_cache import dump_sync_state, load_sync_state

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


class CountingInsight(InsightBackend):
    def __init__(self, url: str) -> None:
        super().__init__([url], retry=RetryPolicy(rounds=1))
        self.raw_fetched = 0

    async def raw_transaction(self, txid: str) -> str:
        self.raw_fetched += 1
        return await super().raw_transaction(txid)


def view(state: SyncState) -> tuple[Any, ...]:
    return (state.tip, state.utxos, state.history, state.last_used, state.scanned)


async def synced(sim: SimNetwork) -> dict[str, Any]:  # noqa: F811
    kc = keychain()
    for i in range(6):
        sim.fund(kc.derive(RECEIVE, i * 3).address, 100_000 + i)
    sim.fund(kc.derive(CHANGE, 1).address, 55_555, confirmations=0)
    async with CountingInsight(sim.insight_url) as insight:
        state = await WalletSync(kc, insight).sync()
    return json.loads(json.dumps(dump_sync_state(state)))


@pytest.mark.asyncio
async def test_a_restart_from_the_cache_ends_where_a_full_sync_does(
    sim: SimNetwork,  # noqa: F811
) -> None:
    saved = await synced(sim)
    sim.mine(1)  # the pending payment is mined while the wallet is closed
    sim.fund(keychain().derive(RECEIVE, 2).address, 4_321)
    cached = load_sync_state(saved)
    assert cached is not None and len(cached.txs) == 7
    async with CountingInsight(sim.insight_url) as insight:
        restarted = await WalletSync(keychain(), insight).sync(cached)
        assert insight.raw_fetched == 0
        fresh = await WalletSync(keychain(), insight).sync()
    assert view(restarted) == view(fresh)
    assert len(restarted.history) == 8 and all(e.confirmations > 0 for e in restarted.history)


@pytest.mark.asyncio
async def test_a_tampered_cache_is_dropped_for_a_full_sync(
    sim: SimNetwork, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    saved = await synced(sim)
    caplog.set_level(logging.WARNING, logger="wallet.sync_cache")
    row = saved["txs"][0]
    # One byte changed near the end: the bytes no longer hash to the txid.
    tampered = {**saved, "txs": [[row[0], row[1][:-20] + "ff" + row[1][-18:], *row[2:]]]}
    assert load_sync_state(tampered) is None
    assert load_sync_state({**saved, "format": 99}) is None
    assert load_sync_state({**saved, "local_pending": ["cd" * 32]}) is None
    assert load_sync_state({**saved, "scanned": [10**9, 0]}) is None
    assert load_sync_state(["not", "a", "cache"]) is None
    assert len([r for r in caplog.records if "full one" in r.message]) == 5
    assert load_sync_state(saved) is not None

"""Full wallet sync from the simulator: 50 used addresses, 10 000 transactions (JSON).

The simulator (tests/sim) serves Insight and fluxd RPC on 127.0.0.1 from this same process, so
the seconds include the servers' work on the same cores. HTTP requests are counted by the
backends themselves. Each backend is measured for a full sync, an incremental refresh after one
new payment, a refresh that finds nothing new (the 30 s poll on a quiet wallet), and a restart
as the app does it after unlocking: the sync cache file the wallet
wrote (wallet/sync_store.py: sealed with the wallet's key) is read, opened and loaded, and a new
backend and WalletSync refresh from it until the state is synced again (the unlock's key
derivation, the same with or without a cache, is not counted). Insight is measured once more with
50 ms added before every answer, as a real explorer over the internet.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flux.fluxconf import RpcConfig
from tests.sim import SimNetwork
from wallet.backends.base import ChainBackend
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import UnlockedWallet, WalletStore
from wallet.sync import SyncState, WalletSync
from wallet.sync_store import PURPOSE, SyncStore

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
RECEIVE_USED = 40
CHANGE_USED = 10
TRANSACTIONS = 10_000
ADDED_LATENCY_S = 0.05
NEW_PAYMENT = 123_456


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


class WalletFile:
    """A wallet file for the sync cache to sit beside (a fast KDF: unlocking is not measured)."""

    def __init__(self, folder: Path) -> None:
        store = WalletStore(folder / "bench.fluxwallet", kdf=KdfParams.scrypt(log2_n=10))
        document = WalletDocument(kind=HdSeed(MNEMONIC), network="regtest")
        self.wallet: UnlockedWallet = store.create(document, "bench")
        self.cache_path = store.sidecar_path(PURPOSE)

    def cache(self, backend: ChainBackend) -> SyncStore:
        return SyncStore(self.wallet, self.cache_path, backend.name)


def fund(sim: SimNetwork) -> int:
    kc = keychain()
    addresses = [kc.derive(RECEIVE, i).address for i in range(RECEIVE_USED)]
    addresses += [kc.derive(CHANGE, i).address for i in range(CHANGE_USED)]
    outputs = [(addresses[n % len(addresses)], 10_000 + n) for n in range(TRANSACTIONS)]
    sim.fund_many(outputs, per_block=100)
    return sum(s for _, s in outputs)


class Expected:
    """The wallet's true balance and history length as the bench funds it."""

    def __init__(self, satoshis: int) -> None:
        self.satoshis = satoshis
        self.entries = TRANSACTIONS

    def check(self, state: SyncState, what: str) -> None:
        total = sum(u.satoshis for u in state.utxos)
        if total != self.satoshis or len(state.history) != self.entries:
            raise SystemExit(
                f"{what}: sync result wrong: {total} sat and {len(state.history)} entries, "
                f"expected {self.satoshis} sat and {self.entries}"
            )

    def pay(self, sim: SimNetwork) -> None:
        sim.fund(keychain().derive(RECEIVE, 5).address, NEW_PAYMENT)
        self.satoshis += NEW_PAYMENT
        self.entries += 1


async def measure(
    make_backend: Callable[[], ChainBackend], expected: Expected, sim: SimNetwork
) -> dict[str, Any]:
    backend = make_backend()
    sync = WalletSync(keychain(), backend)
    started = time.perf_counter()
    state = await sync.sync()
    seconds = time.perf_counter() - started
    full_requests = getattr(backend, "requests_made", 0)
    expected.check(state, "full sync")
    expected.pay(sim)
    started = time.perf_counter()
    state = await sync.sync(state)
    refresh_seconds = time.perf_counter() - started
    refresh_requests = getattr(backend, "requests_made", 0) - full_requests
    expected.check(state, "incremental refresh")
    # The 30 s poll when nothing happened: a refresh that finds nothing new.
    started = time.perf_counter()
    state = await sync.sync(state)
    idle_seconds = time.perf_counter() - started
    idle_requests = getattr(backend, "requests_made", 0) - full_requests - refresh_requests
    expected.check(state, "refresh without news")
    with tempfile.TemporaryDirectory() as folder:
        wallet = WalletFile(Path(folder))
        # What the wallet saves after a sync and at exit; the restart below reads it back.
        started = time.perf_counter()
        await wallet.cache(backend).save(state)
        save_seconds = time.perf_counter() - started
        await backend.close()
        saved_bytes = wallet.cache_path.stat().st_size
        entries = len(state.history)
        # A restarted app holds neither the state of the run before nor its garbage.
        del state, sync
        gc.collect()
        restart = await measure_restart(make_backend, wallet, expected)
    return {
        "full_sync_s": round(seconds, 2),
        "full_sync_http_requests": full_requests,
        "incremental_refresh_s": round(refresh_seconds, 3),
        "incremental_refresh_http_requests": refresh_requests,
        "idle_refresh_s": round(idle_seconds, 3),
        "idle_refresh_http_requests": idle_requests,
        "history_entries": entries,
        "sync_cache_bytes": saved_bytes,
        "sync_cache_save_s": round(save_seconds, 3),
        **restart,
    }


async def measure_restart(
    make_backend: Callable[[], ChainBackend], wallet: WalletFile, expected: Expected
) -> dict[str, Any]:
    backend = make_backend()
    started = time.perf_counter()
    cached = await wallet.cache(backend).load()
    if cached is None:
        raise SystemExit("the saved sync state did not load")
    loaded_seconds = time.perf_counter() - started
    state = await WalletSync(keychain(), backend).sync(cached)
    seconds = time.perf_counter() - started
    requests = getattr(backend, "requests_made", 0)
    await backend.close()
    expected.check(state, "restart with the cache")
    return {
        "restart_with_cache_s": round(seconds, 3),
        "restart_cache_load_s": round(loaded_seconds, 3),
        "restart_http_requests": requests,
    }


async def main() -> dict[str, Any]:
    async with SimNetwork() as sim:
        started = time.perf_counter()
        expected = Expected(fund(sim))
        funding_s = time.perf_counter() - started

        def insight() -> ChainBackend:
            return InsightBackend([sim.insight_url])

        def rpc() -> ChainBackend:
            return FluxdRpcBackend(
                RpcConfig(sim.rpc_user, sim.rpc_password, sim.rpc_port, network="regtest")
            )

        insight_result = await measure(insight, expected, sim)
        sim.faults["insight"].delay = ADDED_LATENCY_S
        try:
            insight_latency = await measure(insight, expected, sim)
        finally:
            sim.faults["insight"].delay = 0.0
        rpc_result = await measure(rpc, expected, sim)
    return {
        "wallet_sync": {
            "used_addresses": RECEIVE_USED + CHANGE_USED,
            "transactions": TRANSACTIONS,
            "sim_funding_s": round(funding_s, 2),
            "insight": insight_result,
            "insight_added_latency_ms": round(ADDED_LATENCY_S * 1000),
            "insight_with_latency": insight_latency,
            "fluxd_rpc": rpc_result,
        }
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
    sys.exit(0)

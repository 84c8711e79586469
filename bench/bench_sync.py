"""Full wallet sync from the simulator: 50 used addresses, 10 000 transactions (JSON).

The simulator (tests/sim) serves Insight and fluxd RPC on 127.0.0.1 from this same process, so
the seconds include the servers' work on the same cores. HTTP requests are counted by the
backends themselves.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from flux.fluxconf import RpcConfig
from tests.sim import SimNetwork
from wallet.backends.base import ChainBackend
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import WalletSync

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
RECEIVE_USED = 40
CHANGE_USED = 10
TRANSACTIONS = 10_000


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


def fund(sim: SimNetwork) -> int:
    kc = keychain()
    addresses = [kc.derive(RECEIVE, i).address for i in range(RECEIVE_USED)]
    addresses += [kc.derive(CHANGE, i).address for i in range(CHANGE_USED)]
    outputs = [(addresses[n % len(addresses)], 10_000 + n) for n in range(TRANSACTIONS)]
    sim.fund_many(outputs, per_block=100)
    return sum(s for _, s in outputs)


async def measure(
    backend: ChainBackend, expected: int, expected_txs: int, sim: SimNetwork
) -> dict[str, Any]:
    sync = WalletSync(keychain(), backend)
    started = time.perf_counter()
    state = await sync.sync()
    seconds = time.perf_counter() - started
    full_requests = getattr(backend, "requests_made", 0)
    total = sum(u.satoshis for u in state.utxos)
    if total != expected or len(state.history) != expected_txs:
        raise SystemExit(f"sync result wrong: {total} sat, {len(state.history)} entries")
    sim.fund(keychain().derive(RECEIVE, 5).address, 123_456)
    started = time.perf_counter()
    state = await sync.sync(state)
    refresh_seconds = time.perf_counter() - started
    await backend.close()
    if len(state.history) != expected_txs + 1:
        raise SystemExit("the incremental refresh missed the new transaction")
    return {
        "full_sync_s": round(seconds, 2),
        "full_sync_http_requests": full_requests,
        "incremental_refresh_s": round(refresh_seconds, 3),
        "incremental_refresh_http_requests": getattr(backend, "requests_made", 0) - full_requests,
        "history_entries": len(state.history),
    }


async def main() -> dict[str, Any]:
    async with SimNetwork() as sim:
        started = time.perf_counter()
        expected = fund(sim)
        funding_s = time.perf_counter() - started
        insight = await measure(
            InsightBackend([sim.insight_url]), expected, TRANSACTIONS, sim
        )
        rpc_backend = FluxdRpcBackend(
            RpcConfig(sim.rpc_user, sim.rpc_password, sim.rpc_port, network="regtest")
        )
        rpc = await measure(rpc_backend, expected + 123_456, TRANSACTIONS + 1, sim)
    return {
        "wallet_sync": {
            "used_addresses": RECEIVE_USED + CHANGE_USED,
            "transactions": TRANSACTIONS,
            "sim_funding_s": round(funding_s, 2),
            "insight": insight,
            "fluxd_rpc": rpc,
        }
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
    sys.exit(0)

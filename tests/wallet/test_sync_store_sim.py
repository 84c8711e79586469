"""A restart from the sync cache against tests/sim over real HTTP (Insight and fluxd RPC): what
happened on the chain while the app was closed shows after unlocking, as a full sync shows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from flux.money import COIN
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.backends.base import ChainBackend
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.keychain import RECEIVE, Keychain
from wallet.send import SendRequest
from wallet.service import WalletService
from wallet.state import WalletState
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "correct horse"
FAST_RETRY = RetryPolicy(rounds=1, total_timeout=5.0, connect_timeout=2.0)

Backend = Callable[[SimNetwork], ChainBackend]


def insight(network: SimNetwork) -> ChainBackend:
    return InsightBackend([network.insight_url], retry=FAST_RETRY)


def rpc(network: SimNetwork) -> ChainBackend:
    return FluxdRpcBackend(
        RpcConfig(network.rpc_user, network.rpc_password, network.rpc_port, network="regtest")
    )


def address(index: int) -> str:
    keychain = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    return keychain.derive(RECEIVE, index).address


def view(state: WalletState) -> tuple[object, ...]:
    return (state.tip, state.balances, state.coins, state.history)


def store(tmp_path: Path) -> WalletStore:
    kdf = KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)
    return WalletStore(tmp_path / "w.fluxwallet", kdf=kdf)


async def first_run(network: SimNetwork, tmp_path: Path, backend: Backend) -> WalletService:
    network.fund(address(0), 5 * COIN)
    network.fund(address(4), 2 * COIN)
    service = WalletService(store(tmp_path), backend(network), network="regtest")
    await service.restore(MNEMONIC, PASSWORD)
    await service.sync()
    return service


async def unlocked(network: SimNetwork, tmp_path: Path, backend: Backend) -> WalletService:
    service = WalletService(store(tmp_path), backend(network), network="regtest")
    await service.open(PASSWORD)
    assert service._cached is not None  # the restart starts from the cache
    return service


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", [insight, rpc])
async def test_payments_that_came_while_closed_show_after_unlocking(
    sim: SimNetwork, tmp_path: Path, backend: Backend  # noqa: F811
) -> None:
    service = await first_run(sim, tmp_path, backend)
    before = (await service.sync()).balances.total
    await service.close()
    mined = sim.fund(address(2), 3 * COIN).txid
    waiting = sim.fund(address(4), COIN, confirmations=0).txid
    service = await unlocked(sim, tmp_path, backend)
    try:
        state = await service.sync()
        entries = {e.txid: e for e in state.history}
        assert entries[mined].amount == 3 * COIN and entries[mined].confirmations == 1
        assert entries[waiting].amount == COIN and entries[waiting].pending
        assert state.balances.total == before + 4 * COIN
        sim.mine()  # and the next refresh sees it mined
        state = await service.sync()
        assert not [e for e in state.history if e.pending]
        # Heights are known (fluxd's history has none: they come from the coin list, read
        # again for the addresses the new transactions touched).
        depths = {e.txid: e.confirmations for e in state.history}
        assert depths[mined] == 2 and depths[waiting] == 1
        assert view(await service.sync(full=True)) == view(state)
    finally:
        await service.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", [insight, rpc])
async def test_a_send_that_expired_while_closed_is_dropped_after_unlocking(
    sim: SimNetwork, tmp_path: Path, backend: Backend  # noqa: F811
) -> None:
    service = await first_run(sim, tmp_path, backend)
    before = (await service.sync()).balances
    review = await service.prepare_send(SendRequest(address(40), "1", expiry_delta=4))
    txid = await service.send(review)
    assert (await service.sync()).history[0].pending
    await service.close()
    sim.mine(4, include_mempool=False)  # never mined: it expires while the app is closed
    service = await unlocked(sim, tmp_path, backend)
    try:
        state = await service.sync()
        assert txid in state.dropped and txid not in {e.txid for e in state.history}
        assert state.balances == before
        assert txid not in service.document.pending
    finally:
        await service.close()

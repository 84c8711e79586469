"""Acceptance: the wallet service against tests/sim over real HTTP (Insight and fluxd RPC)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from flux.money import COIN
from flux.networks import MAINNET
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.backends.base import ChainBackend
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.errors import (
    BackendMismatch,
    BackendResponseError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
)
from wallet.history import TxType
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.send import SendRequest
from wallet.service import WalletService
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "correct horse"
FAST_RETRY = RetryPolicy(rounds=1, total_timeout=5.0, connect_timeout=2.0)


def seed_keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


def dead_url() -> str:
    """An Insight URL whose port refuses connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


async def service_for(tmp_path: Path, backend: ChainBackend) -> WalletService:
    store = WalletStore(
        tmp_path / "w.fluxwallet", kdf=KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)
    )
    service = WalletService(store, backend, network="regtest")
    await service.restore(MNEMONIC, PASSWORD)
    return service


def fund_wallet(network: SimNetwork) -> list[str]:
    kc = seed_keychain()
    addresses = [
        kc.derive(RECEIVE, 3).address,
        kc.derive(RECEIVE, 19).address,
        kc.derive(CHANGE, 2).address,
    ]
    network.fund(addresses[0], 5 * COIN)
    network.fund(addresses[1], 2 * COIN)
    network.fund(addresses[2], 1 * COIN, coinbase=True, confirmations=100)
    return addresses


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["insight", "rpc"])
async def test_restore_finds_funds_past_index_zero_and_on_change(
    sim: SimNetwork, tmp_path: Path, kind: str  # noqa: F811
) -> None:
    addresses = fund_wallet(sim)
    backend: ChainBackend
    if kind == "insight":
        backend = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    else:
        backend = FluxdRpcBackend(
            RpcConfig(sim.rpc_user, sim.rpc_password, sim.rpc_port, network="regtest")
        )
    service = await service_for(tmp_path, backend)
    try:
        state = await service.sync()
    finally:
        await service.close()
    confirmed, _received = sim.chain.balance(addresses)
    assert state.balances.total == confirmed == 8 * COIN
    assert state.balances.spendable == 8 * COIN
    assert state.tip == sim.height
    txids = set(sim.chain.address_txids(addresses))
    assert {e.txid for e in state.history} == txids
    assert sorted((e.type, e.amount) for e in state.history) == sorted(
        [(TxType.RECEIVED, 5 * COIN), (TxType.RECEIVED, 2 * COIN), (TxType.NODE_REWARD, COIN)]
    )


@pytest.mark.asyncio
async def test_sends_and_their_errors(sim: SimNetwork, tmp_path: Path) -> None:  # noqa: F811
    fund_wallet(sim)
    service = await service_for(tmp_path, InsightBackend([sim.insight_url], retry=FAST_RETRY))
    outside = Keychain.from_document(
        WalletDocument(kind=HdSeed(MNEMONIC, "other"), network="regtest")
    ).derive(RECEIVE, 0).address
    try:
        await service.sync()
        review = await service.prepare_send(SendRequest(outside, "3.25"))
        assert review.change > 0 and review.expiry_height == sim.height + 30
        txid = await service.send(review)
        assert sim.chain.in_mempool(txid)
        sim.mine()
        state = await service.sync()
        assert state.balances.total == 8 * COIN - review.total
        assert state.history[0].type == TxType.SENT and state.history[0].confirmations == 1
        with pytest.raises(InsufficientFunds):
            await service.prepare_send(SendRequest(outside, "100"))
        with pytest.raises(InvalidAmount, match="at most 8 decimals"):
            await service.prepare_send(SendRequest(outside, "1.123456789"))
        with pytest.raises(InvalidAddress, match="not a Flux address"):
            await service.prepare_send(SendRequest(outside[:-1] + "x", "1"))
        mainnet = Keychain.from_document(
            WalletDocument(kind=HdSeed(MNEMONIC), network=MAINNET.name)
        ).derive(RECEIVE, 0).address
        with pytest.raises(InvalidAddress, match="mainnet address"):
            await service.prepare_send(SendRequest(mainnet, "1"))
        review = await service.prepare_send(SendRequest(outside, "max"))
        assert review.change == 0 and review.total == state.balances.spendable
        await service.send(review)
        sim.mine()
        state = await service.sync()
        assert state.balances.total == 0 and state.coins == ()
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_expired_pending_tx_is_dropped(sim: SimNetwork, tmp_path: Path) -> None:  # noqa: F811
    fund_wallet(sim)
    service = await service_for(tmp_path, InsightBackend([sim.insight_url], retry=FAST_RETRY))
    try:
        before = (await service.sync()).balances
        review = await service.prepare_send(
            SendRequest(seed_keychain().derive(RECEIVE, 40).address, "1", expiry_delta=4)
        )
        txid = await service.send(review)
        pending = await service.sync()
        assert pending.history[0].txid == txid and pending.history[0].pending
        assert pending.balances.spendable < before.spendable
        sim.mine(4, include_mempool=False)
        state = await service.sync()
        assert txid in state.dropped and txid not in {e.txid for e in state.history}
        assert state.balances == before
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_failover_when_the_first_server_is_down(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    fund_wallet(sim)
    backend = InsightBackend([dead_url(), sim.insight_url], retry=FAST_RETRY)
    service = await service_for(tmp_path, backend)
    try:
        state = await service.sync()
        assert state.balances.total == 8 * COIN
        assert str(sim.insight_port) in state.backend
    finally:
        await service.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", ["lie_amount", "malformed"])
async def test_lying_or_broken_server_stops_before_signing(
    sim: SimNetwork, tmp_path: Path, fault: str  # noqa: F811
) -> None:
    fund_wallet(sim)
    # GET requests only: the simulator's fault middleware consumes POST bodies while active.
    backend = InsightBackend([sim.insight_url], retry=FAST_RETRY, batch_size=100)
    service = await service_for(tmp_path, backend)
    try:
        await service.sync()
        to = seed_keychain().derive(RECEIVE, 40).address
        review = await service.prepare_send(SendRequest(to, "1"))
        faults = sim.faults["insight"]
        if fault == "lie_amount":
            # A new payment makes the refresh read that address's coins again (the others'
            # cannot have changed), and the server lies about them.
            sim.fund(seed_keychain().derive(RECEIVE, 3).address, COIN)
            faults.lie_amount = COIN
            faults.only = ("/utxo",)
            with pytest.raises(BackendMismatch, match="transaction itself says"):
                await service.sync()
        else:
            faults.malformed = True
            faults.only = ("/rawtx",)
            with pytest.raises(BackendResponseError, match="cannot be right"):
                await service.send(review)
        assert sim.chain.mempool == {}
    finally:
        await service.close()

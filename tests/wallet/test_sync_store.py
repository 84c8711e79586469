"""The sync cache file beside the wallet file, through the real WalletService and WalletStore:
an unlock refreshes from it; one that does not open (tampered, truncated, another wallet's,
another format) is ignored for a full sync; it never holds a plaintext txid."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.wallet.memchain import MemoryChain
from wallet.history import Unparsed
from wallet.keychain import CHANGE, RECEIVE
from wallet.send import SendRequest
from wallet.service import WalletService
from wallet.state import WalletState
from wallet.storage import sidecar
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore
from wallet.sync_store import PURPOSE, STORE_FORMAT

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
OTHER = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
PASSWORD = "correct horse"
OUTSIDE = "tmAjD2oz6p8Lu99uJZsXLwfpoWA26LFcByJ"


def make_store(path: Path) -> WalletStore:
    return WalletStore(path, kdf=KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8))


def cache_file(path: Path) -> Path:
    return sidecar.sidecar_path(path, PURPOSE)


def view(state: WalletState) -> tuple[object, ...]:
    return (state.tip, state.balances, state.coins, state.history)


async def funded(tmp_path: Path, chain: MemoryChain) -> tuple[Path, WalletState]:
    """A wallet with a few payments, synced and closed (its cache written)."""
    path = tmp_path / "default.fluxwallet"
    service = WalletService(make_store(path), chain, network="testnet")
    await service.restore(MNEMONIC, PASSWORD)
    keychain = service.keychain
    for i in (0, 3, 7):
        chain.fund(keychain.derive(RECEIVE, i).address, (i + 1) * COIN)
    chain.fund(keychain.derive(CHANGE, 1).address, COIN // 2, mine=False)
    state = await service.sync()
    await service.close()
    return path, state


async def reopened(path: Path, chain: MemoryChain) -> WalletService:
    service = WalletService(make_store(path), chain, network="testnet")
    await service.open(PASSWORD)
    return service


@pytest.mark.asyncio
async def test_an_unlock_refreshes_from_the_cache_and_ends_where_a_full_sync_does(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    assert cache_file(path).exists()
    chain.calls.clear()
    service = await reopened(path, chain)
    try:
        state = await service.sync()
        # Every transaction came from the cache: none was fetched again.
        assert chain.calls.get("raw_transaction", 0) == 0
        assert view(state) == view(before)
        full = await service.sync(full=True)
        assert view(full) == view(state)
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_payments_mined_and_received_while_closed_show_after_the_restart(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    keychain_address = before.receive_address
    assert keychain_address is not None
    chain.mine()  # the pending payment is mined while the app is closed
    paid = chain.fund(keychain_address, 3 * COIN)
    waiting = chain.fund(keychain_address, COIN, mine=False)
    chain.calls.clear()
    service = await reopened(path, chain)
    try:
        state = await service.sync()
        assert chain.calls.get("raw_transaction", 0) == 2  # only the new ones: from the cache
        by_txid = {e.txid: e for e in state.history}
        assert by_txid[paid].amount == 3 * COIN and not by_txid[paid].pending
        assert by_txid[waiting].pending
        assert not any(e.pending for e in state.history if e.txid not in (waiting,))
        assert state.balances.total == before.balances.total + 4 * COIN
        assert view(await service.sync(full=True)) == view(state)
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_pending_payment_dropped_while_closed_is_gone_after_the_restart(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    pending = [e.txid for e in before.history if e.pending]
    assert len(pending) == 1
    chain.mempool.remove(pending[0])
    del chain.txs[pending[0]]
    service = await reopened(path, chain)
    try:
        state = await service.sync()
        assert pending[0] in state.dropped
        assert pending[0] not in {e.txid for e in state.history}
        assert state.balances.total == before.balances.total - COIN // 2
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_send_the_cache_missed_stays_pending_after_the_restart(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    service = await reopened(path, chain)
    before = await service.sync()
    review = await service.prepare_send(SendRequest(OUTSIDE, "1"))
    txid = await service.send(review)
    # The network lost it, and the app stopped without closing: the cache (older than the
    # wallet file, which holds the send as pending) has no trace of it.
    chain.mempool.remove(txid)
    del chain.txs[txid]
    service.lock()
    service = await reopened(path, chain)
    try:
        assert service._cached is not None and txid not in service._cached.txs
        state = await service.sync()
        assert txid in {e.txid for e in state.history if e.pending}
        assert txid in service.document.pending
        assert state.balances.spendable < before.balances.spendable - COIN
    finally:
        await service.close()


def damage(path: Path, how: str) -> None:
    data = bytearray(cache_file(path).read_bytes())
    if how == "tampered":
        data[len(data) // 2] ^= 0x01
    elif how == "truncated":
        del data[len(data) // 3 :]
    elif how == "old format":
        data[len(sidecar.SIDE_MAGIC)] = sidecar.SIDE_VERSION + 1
    elif how == "garbage":
        data = bytearray(b"not a cache at all")
    cache_file(path).write_bytes(bytes(data))


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["tampered", "truncated", "old format", "garbage"])
async def test_a_damaged_cache_is_ignored_for_a_full_sync(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    damage(path, how)
    chain.calls.clear()
    caplog.clear()  # only what reopening says (an earlier test may have set INFO logging)
    with caplog.at_level(logging.WARNING, logger="wallet.sync_store"):
        service = await reopened(path, chain)
    try:
        warnings = [r for r in caplog.records
                    if r.name == "wallet.sync_store" and r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "full one" in warnings[0].getMessage()
        state = await service.sync()
        assert chain.calls.get("raw_transaction", 0) == 4  # fetched again: a full sync
        assert view(state) == view(before)
    finally:
        await service.close()
    # The full sync wrote a good cache again.
    chain.calls.clear()
    service = await reopened(path, chain)
    try:
        await service.sync()
        assert chain.calls.get("raw_transaction", 0) == 0
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_another_wallets_cache_does_not_open(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    other = tmp_path / "other.fluxwallet"
    service = WalletService(make_store(other), chain, network="testnet")
    await service.restore(MNEMONIC, PASSWORD)  # the same seed, another wallet file and key
    await service.close()
    cache_file(other).write_bytes(cache_file(path).read_bytes())
    service = WalletService(make_store(other), chain, network="testnet")
    await service.open(PASSWORD)
    try:
        assert service._cached is None
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_new_wallet_at_the_same_path_does_not_reuse_the_cache(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    store = make_store(path)
    document = WalletDocument(kind=HdSeed(OTHER), network="testnet")
    store.create(document, PASSWORD, overwrite=True).lock()
    assert not cache_file(path).exists()
    service = await reopened(path, chain)
    try:
        state = await service.sync()
        assert state.balances.total == 0 and state.history == ()
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_the_cache_survives_a_password_change(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    service = await reopened(path, chain)
    try:
        await service.sync()
        await service.change_password(PASSWORD, "a new one")
    finally:
        await service.close()
    chain.calls.clear()
    service = WalletService(make_store(path), chain, network="testnet")
    await service.open("a new one")
    try:
        assert service._cached is not None
        state = await service.sync()
        assert chain.calls.get("raw_transaction", 0) == 0
        assert view(state) == view(before)
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_the_cache_holds_no_plaintext_txid(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, before = await funded(tmp_path, chain)
    data = cache_file(path).read_bytes()
    assert len(data) > 1000
    for entry in before.history:
        raw = bytes.fromhex(entry.txid)
        for needle in (entry.txid.encode(), raw, raw[::-1]):
            assert needle not in data
    assert b'"txs"' not in data and STORE_FORMAT == 1


@pytest.mark.asyncio
async def test_a_sync_that_changes_nothing_does_not_rewrite_the_cache(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    service = await reopened(path, chain)
    try:
        await service.sync()
        assert service._cache is not None
        await service._cache.flush()
        written = cache_file(path).stat().st_ino
        chain.mine(include_mempool=False)  # a new block without the wallet: the cache stays
        await service.sync()
        await service._cache.flush()
        assert cache_file(path).stat().st_ino == written
        chain.fund(service.keychain.derive(RECEIVE, 1).address, COIN)
        await service.sync()
        await service._cache.flush()
        assert cache_file(path).stat().st_ino != written
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_restart_after_new_blocks_only_keeps_the_results_at_their_new_depth(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    chain.mine(3, include_mempool=False)  # blocks without the wallet while it is closed
    service = await reopened(path, chain)
    try:
        state = await service.sync()
        kept = service._sync_state
        assert kept is not None
        # Nothing changed: no cached transaction had to be parsed to get here.
        assert all(isinstance(c.body, Unparsed) for c in kept.txs.values() if c.confirmed)
        assert min(e.confirmations for e in state.history if not e.pending) == 4
        assert view(await service.sync(full=True)) == view(state)
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_refresh_that_changes_nothing_matches_a_full_sync_at_each_tip(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    path, _ = await funded(tmp_path, chain)
    service = await reopened(path, chain)
    full = WalletService(make_store(tmp_path / "full.fluxwallet"), chain, network="testnet")
    await full.restore(MNEMONIC, PASSWORD)
    try:
        for blocks in (0, 1, 5):
            chain.mine(blocks, include_mempool=False)
            assert view(await service.sync()) == view(await full.sync(full=True))
        chain.mine()  # the pending payment is mined: a change, computed anew
        assert view(await service.sync()) == view(await full.sync(full=True))
    finally:
        await service.close()
        await full.close()

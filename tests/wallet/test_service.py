"""WalletService over a real WalletStore (fast KDF) and the in-memory chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.wallet.memchain import MemoryChain
from wallet.errors import (
    InsufficientFunds,
    InvalidKey,
    InvalidMnemonic,
    StaleReview,
    StorageError,
    WalletLocked,
)
from wallet.history import TxType
from wallet.keychain import CHANGE, RECEIVE
from wallet.send import SendRequest
from wallet.service import WalletService
from wallet.state import WalletState
from wallet.storage.crypto import KdfParams
from wallet.storage.model import NodeEntry, WalletDocument, WatchOnly
from wallet.storage.store import WalletStore

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "correct horse"
OUTSIDE = "tmAjD2oz6p8Lu99uJZsXLwfpoWA26LFcByJ"


def make_store(tmp_path: Path) -> WalletStore:
    kdf = KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)
    return WalletStore(tmp_path / "wallets" / "testnet" / "default.fluxwallet", kdf=kdf)


async def restored(tmp_path: Path, chain: MemoryChain) -> WalletService:
    service = WalletService(make_store(tmp_path), chain, network="testnet")
    await service.restore(MNEMONIC, PASSWORD)
    return service


@pytest.mark.asyncio
async def test_create_gives_a_seed_and_receive_addresses_are_remembered(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    service = WalletService(make_store(tmp_path), chain, network="testnet")
    mnemonic = await service.create(PASSWORD)
    assert len(mnemonic.split()) == 24
    state = await service.sync()
    assert state.balances.total == 0 and state.history == ()
    first = service.receive_address()
    assert state.receive_address == first
    fresh = [service.receive_address(new=True) for _ in range(3)]
    assert fresh[0] == first and len(set(fresh)) == 3
    service.lock()
    again = WalletService(make_store(tmp_path), chain, network="testnet")
    await again.open(PASSWORD)
    assert again.document.accounts[0].receive_count == 3
    assert again.receive_address(new=True) == again.keychain.derive(RECEIVE, 3).address


@pytest.mark.asyncio
async def test_restore_sync_send_and_pending_balances(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    service = await restored(tmp_path, chain)
    kc = service.keychain
    chain.fund(kc.derive(RECEIVE, 4).address, 6 * COIN)
    chain.fund(kc.derive(CHANGE, 2).address, 1 * COIN)
    seen: list[WalletState] = []
    unsubscribe = service.subscribe(seen.append)
    state = await service.sync()
    assert state.balances.total == state.balances.spendable == 7 * COIN
    assert len(state.history) == 2 and seen[-1] is state
    review = await service.prepare_send(SendRequest(OUTSIDE, "2.5"))
    assert review.change_address == kc.derive(CHANGE, 3).address
    txid = await service.send(review)
    state = seen[-1]
    assert state.history[0].txid == txid and state.history[0].pending
    assert state.history[0].type == TxType.SENT
    assert state.balances.pending == review.change
    assert state.balances.total == 7 * COIN - review.total
    assert state.balances.spendable == 7 * COIN - sum(i.satoshis for i in review.inputs)
    assert await service.refresh_if_new_tip() is not None  # a pending tx: always refresh
    chain.mine()
    state = await service.sync()
    assert not state.history[0].pending and state.balances.pending == 0
    assert state.balances.spendable == 7 * COIN - review.total
    assert await service.refresh_if_new_tip() is None
    unsubscribe()
    await service.sync(full=True)
    assert len(seen) == 4
    assert service.document.accounts[0].change_count == 4


@pytest.mark.asyncio
async def test_collateral_is_locked_and_frozen_coins_stay_put(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    service = await restored(tmp_path, chain)
    kc = service.keychain
    collateral = chain.fund(kc.derive(RECEIVE, 0).address, 1000 * COIN)
    node = chain.fund(kc.derive(RECEIVE, 1).address, 50 * COIN)
    chain.fund(kc.derive(RECEIVE, 2).address, 3 * COIN)
    service.document.nodes.append(NodeEntry("n1", node, 0))
    state = await service.sync()
    assert state.balances.locked == 1050 * COIN and state.balances.spendable == 3 * COIN
    with pytest.raises(InsufficientFunds, match="locked"):
        await service.prepare_send(SendRequest(OUTSIDE, "10"))
    service.unlock_collateral((collateral, 0))
    assert service.state is not None and service.state.balances.spendable == 1003 * COIN
    service.freeze((collateral, 0))
    assert service.state.balances.frozen == 1000 * COIN
    review = await service.prepare_send(SendRequest(OUTSIDE, "max"))
    three = next(c for c in state.coins if c.satoshis == 3 * COIN)
    assert [i.txid for i in review.inputs] == [three.txid]


@pytest.mark.asyncio
async def test_errors_wrong_network_and_lock(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    with pytest.raises(InvalidMnemonic):
        await WalletService(make_store(tmp_path), chain, network="testnet").restore(
            "legal winner thank", PASSWORD
        )
    service = await restored(tmp_path, chain)
    service.lock()
    with pytest.raises(WalletLocked):
        service.receive_address()
    with pytest.raises(WalletLocked):
        await service.sync()
    mainnet = WalletService(make_store(tmp_path), chain, network="mainnet")
    with pytest.raises(StorageError, match="for testnet"):
        await mainnet.open(PASSWORD)


@pytest.mark.asyncio
async def test_watch_only_and_imported_key_wallets(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    seeded = await restored(tmp_path / "seed", chain)
    xpub = seeded.keychain.account_xpub
    assert xpub is not None
    chain.fund(seeded.keychain.derive(RECEIVE, 2).address, 4 * COIN)
    watch = WalletService(make_store(tmp_path / "watch"), chain, network="testnet")
    await watch.watch(PASSWORD, xpub=xpub)
    state = await watch.sync()
    assert state.watch_only and state.balances.total == 4 * COIN
    assert state.receive_address == seeded.keychain.derive(RECEIVE, 3).address
    wif = "cVbZ8ovhye9AoAHFsqobCf7LxbXDAECy9Kb8TZdfsDYMZGBUyCnm"
    loose = WalletService(make_store(tmp_path / "loose"), chain, network="testnet")
    await loose.import_keys([wif], PASSWORD)
    address = loose.receive_address(new=True)
    chain.fund(address, 2 * COIN)
    state = await loose.sync()
    assert not state.watch_only and state.balances.spendable == 2 * COIN
    review = await loose.prepare_send(SendRequest(OUTSIDE, "1"))
    assert review.change_address == address
    await loose.send(review)
    assert chain.mempool


@pytest.mark.asyncio
async def test_private_extended_key_is_refused_for_watch_only(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    seeded = await restored(tmp_path / "seed", chain)
    account = seeded.keychain._account
    assert account is not None and account.is_private
    xprv = account.xprv()
    store = make_store(tmp_path / "watch")
    watch = WalletService(store, chain, network="testnet")
    with pytest.raises(InvalidKey, match="private extended key") as caught:
        await watch.watch(PASSWORD, xpub=xprv)
    assert xprv not in str(caught.value)
    assert not store.path.exists()
    assert xprv not in repr(WatchOnly(xprv))


@pytest.mark.asyncio
async def test_xprv_kept_by_an_older_watch_only_file_is_replaced_by_its_xpub(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    seeded = await restored(tmp_path / "seed", chain)
    account = seeded.keychain._account
    assert account is not None
    store = make_store(tmp_path / "old")
    document = WalletDocument(kind=WatchOnly(account.xprv()), network="testnet")
    store.create(document, PASSWORD).lock()
    service = WalletService(store, chain, network="testnet")
    await service.open(PASSWORD)
    assert not service.keychain.can_sign
    service.lock()
    reopened = store.open(PASSWORD)
    kind = reopened.document.kind
    assert isinstance(kind, WatchOnly) and kind.xpub == account.xpub()
    reopened.lock()


@pytest.mark.asyncio
@pytest.mark.parametrize("change", ["freeze", "collateral"])
async def test_a_coin_frozen_or_locked_after_the_review_is_not_spent(
    tmp_path: Path, change: str
) -> None:
    chain = MemoryChain(TESTNET)
    service = await restored(tmp_path, chain)
    kc = service.keychain
    chain.fund(kc.derive(RECEIVE, 0).address, 5 * COIN)
    chain.fund(kc.derive(RECEIVE, 1).address, 7 * COIN)
    await service.sync()
    review = await service.prepare_send(SendRequest(OUTSIDE, "9"))
    first = review.inputs[0]
    if change == "freeze":
        service.freeze((first.txid, first.vout))
    else:
        service.document.nodes.append(NodeEntry("n1", first.txid.upper(), first.vout))
    with pytest.raises(StaleReview, match="Build the review again"):
        await service.send(review)
    assert chain.mempool == []

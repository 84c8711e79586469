"""Sync against an in-memory chain: gap-limit discovery, history types, pending expiry, lies."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.paths import VECTORS_DIR
from tests.wallet.memchain import LyingChain, MemoryChain
from wallet.backends.base import HistoryPage
from wallet.errors import BackendMismatch, BackendResponseError
from wallet.history import ChainTx, TxType, classify
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.send import SendRequest, broadcast, build_review, sign_review
from wallet.storage.model import HdSeed, ImportedKeys, WalletDocument, WatchOnly
from wallet.sync import WalletSync
from wallet.txmodel import Transaction

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
WIF = "cVbZ8ovhye9AoAHFsqobCf7LxbXDAECy9Kb8TZdfsDYMZGBUyCnm"


def hd_keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="testnet"))


def addr(keychain: Keychain, chain: int, index: int) -> str:
    return keychain.derive(chain, index).address


@pytest.mark.asyncio
async def test_discovery_finds_funds_past_index_zero_and_on_change_chain() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 1 * COIN)
    chain.fund(addr(kc, RECEIVE, 7), 2 * COIN)
    chain.fund(addr(kc, RECEIVE, 26), 3 * COIN)  # within 20 of index 7
    chain.fund(addr(kc, CHANGE, 3), 4 * COIN)
    chain.fund(addr(kc, RECEIVE, 60), 5 * COIN)  # beyond the gap after 26: not found
    fresh = hd_keychain()
    state = await WalletSync(fresh, chain).sync()
    assert sum(u.satoshis for u in state.utxos) == 10 * COIN
    assert state.last_used == {RECEIVE: 26, CHANGE: 3}
    assert state.scanned == {RECEIVE: 47, CHANGE: 24}
    assert [e.type for e in state.history] == [TxType.RECEIVED] * 4
    assert sorted(e.amount for e in state.history) == [1 * COIN, 2 * COIN, 3 * COIN, 4 * COIN]
    assert all(e.confirmations >= 1 for e in state.history)


@pytest.mark.asyncio
async def test_xpub_watch_only_sees_the_same_coins_but_cannot_sign() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 3), 2 * COIN)
    chain.fund(addr(kc, CHANGE, 0), 1 * COIN)
    xpub = kc.account_xpub
    assert xpub is not None
    watch = Keychain.from_document(WalletDocument(kind=WatchOnly(xpub=xpub), network="testnet"))
    state = await WalletSync(watch, chain).sync()
    assert sum(u.satoshis for u in state.utxos) == 3 * COIN
    assert not watch.can_sign


@pytest.mark.asyncio
async def test_imported_keys_and_watched_addresses() -> None:
    chain = MemoryChain(TESTNET)
    imported = Keychain.from_document(
        WalletDocument(kind=ImportedKeys([WIF]), network="testnet")
    )
    address = imported.fixed_addresses[0].address
    chain.fund(address, 7 * COIN)
    state = await WalletSync(imported, chain).sync()
    assert [u.satoshis for u in state.utxos] == [7 * COIN]
    watched = Keychain.from_document(
        WalletDocument(kind=WatchOnly(addresses=[address]), network="testnet")
    )
    state = await WalletSync(watched, chain).sync()
    assert [e.amount for e in state.history] == [7 * COIN]


async def _send(chain: MemoryChain, kc: Keychain, state, to: str, amount: str, **kw) -> str:
    review = build_review(
        SendRequest(to, amount, **kw),
        keychain=kc,
        coins=state.utxos,
        tip=state.tip,
        change_address=addr(kc, CHANGE, state.next_unused(CHANGE)),
    )
    signed = await sign_review(review, keychain=kc, backend=chain)
    return await broadcast(signed, chain)


@pytest.mark.asyncio
async def test_history_types_amounts_and_incremental_refresh() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 10 * COIN)
    chain.fund(addr(kc, RECEIVE, 1), 3 * COIN, coinbase=True)
    sync = WalletSync(kc, chain)
    state = await sync.sync()
    outsider = Keychain.from_document(WalletDocument(kind=ImportedKeys([WIF]), network="testnet"))
    foreign = outsider.fixed_addresses[0].address
    await _send(chain, kc, state, foreign, "4", message="rent")
    chain.mine()
    before = dict(chain.calls)
    state = await sync.sync(state)
    # Incremental: one history page and only the new transaction fetched.
    assert chain.calls["raw_transaction"] - before.get("raw_transaction", 0) == 1
    sent = state.history[0]
    assert sent.type == TxType.SENT and sent.addresses == (foreign,)
    assert sent.fee is not None and sent.amount == -(4 * COIN + sent.fee)
    assert sent.message == "rent"
    await _send(chain, kc, state, addr(kc, RECEIVE, 2), "1")
    chain.mine()
    state = await sync.sync(state)
    own = state.history[0]
    assert own.type == TxType.SELF and own.fee is not None and own.amount == -own.fee
    types = {e.type for e in state.history}
    assert types == {TxType.SENT, TxType.SELF, TxType.RECEIVED, TxType.NODE_REWARD}
    total = sum(u.satoshis for u in state.utxos)
    assert total == sum(e.amount for e in state.history)
    assert state.last_used[CHANGE] == 1


@pytest.mark.asyncio
async def test_expired_pending_tx_is_dropped_and_its_inputs_freed() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 5 * COIN)
    sync = WalletSync(kc, chain)
    state = await sync.sync()
    txid = await _send(chain, kc, state, addr(kc, RECEIVE, 4), "1", expiry_delta=4)
    sync.add_local_pending(state, chain.txs[txid])
    assert state.history[0].pending and state.history[0].expiry_height == chain.tip + 4
    assert all(u.txid == txid for u in state.utxos)  # the 5 FLUX coin is spent by it
    chain.mine(3, include_mempool=False)
    state = await sync.sync(state)
    assert state.history[0].txid == txid  # not expired yet: next block can still take it
    chain.mine(1, include_mempool=False)
    state = await sync.sync(state)
    assert txid in state.dropped
    assert txid not in {e.txid for e in state.history}
    assert [u.satoshis for u in state.utxos] == [5 * COIN]


@pytest.mark.asyncio
async def test_local_pending_tx_unknown_to_a_lagging_server_is_dropped_after_expiry() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 5 * COIN)
    sync = WalletSync(kc, chain)
    state = await sync.sync()
    review = build_review(
        SendRequest(addr(kc, RECEIVE, 1), "2", expiry_delta=5),
        keychain=kc, coins=state.utxos, tip=state.tip,
        change_address=addr(kc, CHANGE, 0),
    )
    signed = await sign_review(review, keychain=kc, backend=chain)
    sync.add_local_pending(state, signed.tx)  # the server never got it
    assert sum(u.satoshis for u in state.utxos) == 5 * COIN - review.fee
    state = await sync.sync(state)
    assert state.history[0].txid == signed.txid
    chain.mine(5)
    state = await sync.sync(state)
    assert signed.txid in state.dropped
    assert [u.satoshis for u in state.utxos] == [5 * COIN]


@pytest.mark.asyncio
async def test_server_lying_about_an_amount_is_caught() -> None:
    chain = LyingChain(TESTNET)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 5 * COIN)
    with pytest.raises(BackendMismatch, match="transaction itself says 500000000"):
        await WalletSync(kc, chain).sync()


@pytest.mark.asyncio
async def test_server_sending_another_transaction_is_caught() -> None:
    chain = MemoryChain(TESTNET)
    kc = hd_keychain()
    txid = chain.fund(addr(kc, RECEIVE, 0), 5 * COIN)
    other = chain.fund(addr(kc, RECEIVE, 30), 1 * COIN)
    honest = chain.raw_transaction

    async def swapped(wanted: str) -> str:
        return await honest(other if wanted == txid else wanted)

    chain.raw_transaction = swapped  # type: ignore[method-assign]
    with pytest.raises(BackendMismatch, match="different transaction"):
        await WalletSync(hd_keychain(), chain).sync()


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("txidStart", TxType.FLUXNODE_START), ("txidConfirm", TxType.FLUXNODE_CONFIRM)],
)
def test_fluxnode_start_and_confirm_are_typed_by_version(prefix: str, expected: TxType) -> None:
    vectors = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())
    vector = next(v for v in vectors["official_vectors"] if v["name"].startswith(prefix))
    tx = Transaction.parse(bytes.fromhex(vector["inputs"]["rawtx"]))
    assert tx.txid == vector["expected_txid"]
    entry = classify(
        ChainTx(tx.txid, tx, 100, True), tip=105, owner_of=lambda s: None, known={},
        network=TESTNET,
    )
    assert entry.type == expected and entry.amount == 0 and entry.confirmations == 6


class InflatedHistory(MemoryChain):
    """Claims a huge history and serves it in small pages, as a hostile server could."""

    def __init__(self, total: int, page: int) -> None:
        super().__init__(TESTNET)
        self.total = total
        self.page = page
        self.pages_served = 0

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> HistoryPage:
        real = await super().history(addresses, start=0, limit=limit)
        self.pages_served += 1
        return HistoryPage(real.items[: self.page], max(self.total, real.total), start)


@pytest.mark.asyncio
@pytest.mark.parametrize(("total", "page"), [(10**9, 1), (300_000, 50), (6_000, 1)])
async def test_absurd_history_size_is_refused_without_asking_for_every_page(
    total: int, page: int
) -> None:
    chain = InflatedHistory(total, page)
    kc = hd_keychain()
    chain.fund(addr(kc, RECEIVE, 0), 1 * COIN)
    with pytest.raises(BackendResponseError, match="switch to another server"):
        await WalletSync(hd_keychain(), chain).sync()
    assert chain.pages_served == 1

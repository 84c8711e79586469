"""Builds the immutable WalletState snapshot from the open wallet (document, keys, last sync).

Before the first sync of a session the snapshot shows the wallet file's last known view (marked
with its time in `as_of`), so an offline start never looks like an empty wallet.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from types import MappingProxyType
from typing import Final

from wallet.backends.base import Trust
from wallet.history import HistoryEntry, TxType
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.state import (
    AddressInfo,
    Balances,
    Coin,
    ContactInfo,
    WalletState,
    coins_and_balances,
)
from wallet.storage.last_known import MAX_HISTORY, KnownCoin, KnownTx, LastKnown
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import SyncState

Outpoint = tuple[str, int]
# The stored view's time is refreshed at most this often when nothing else changed, so a wallet
# polled every 30 s is not rewritten every 30 s.
REFRESH_AS_OF_SECONDS: Final = 600


def build_state(
    *, network: str, document: WalletDocument, keychain: Keychain, sync: SyncState | None,
    locked: Collection[Outpoint], receive: str | None, backend: str,
) -> WalletState:
    coins: tuple[Coin, ...] = ()
    balances = Balances()
    history: tuple[HistoryEntry, ...] = ()
    tip = -1
    as_of: int | None = None
    if sync is not None:
        coins, balances = coins_and_balances(sync.utxos, locked=locked, frozen=document.frozen)
        history = tuple(sync.history)
        tip = sync.tip
    elif document.last_known is not None:
        known = document.last_known
        coins, balances = _known_coins(known, locked, document.frozen), _known_balances(known)
        history, tip, as_of = tuple(_known_tx(t) for t in known.history), known.tip, known.as_of
    return WalletState(
        network=network,
        name=document.name,
        watch_only=not keychain.can_sign,
        tip=tip,
        balances=balances,
        coins=coins,
        history=history,
        receive_address=receive,
        backend=backend,
        dropped=tuple(sync.dropped) if sync is not None else (),
        labels=MappingProxyType(dict(document.labels)),
        addresses=address_infos(keychain, document, coins, history, shown=receive),
        contacts=tuple(ContactInfo(c.name, c.address, c.note) for c in document.address_book),
        has_seed=isinstance(document.kind, HdSeed) and keychain.can_sign,
        auto_lock_minutes=document.settings.auto_lock_minutes,
        expiry_delta=document.settings.expiry_delta,
        synced=sync is not None,
        as_of=as_of,
    )


def remember_last_known(
    document: WalletDocument, state: WalletState, *, now: int | None = None
) -> bool:
    """Keep a live snapshot's view in the document; True when the document changed (save it)."""
    if state.as_of is not None or not state.synced:
        return False
    stamp = int(time.time()) if now is None else now
    known = last_known_of(state, stamp)
    previous = document.last_known
    if known.same_view(previous) and previous is not None and (
        stamp - previous.as_of < REFRESH_AS_OF_SECONDS
    ):
        return False
    document.last_known = known
    return True


def last_known_of(state: WalletState, as_of: int) -> LastKnown:
    history = state.history
    if len(history) > MAX_HISTORY:
        newest = sorted(history, key=lambda e: e.confirmations)[:MAX_HISTORY]
        history = tuple(newest)
    b = state.balances
    return LastKnown(
        as_of=as_of,
        tip=state.tip,
        balances={
            "total": b.total, "spendable": b.spendable, "pending": b.pending,
            "locked": b.locked, "frozen": b.frozen, "immature": b.immature,
            "unverified": b.unverified,
        },
        coins=tuple(
            KnownCoin(c.txid, c.vout, c.address, c.satoshis, c.confirmations, c.height,
                      c.coinbase)
            for c in state.coins
        ),
        history=tuple(
            KnownTx(e.txid, str(e.type), e.amount, e.fee, e.height, e.confirmations,
                    e.expiry_height, e.addresses, e.message, e.time)
            for e in history
        ),
    )


def _known_balances(known: LastKnown) -> Balances:
    return Balances(**{k: known.balances.get(k, 0) for k in Balances.__slots__})


def _known_coins(
    known: LastKnown, locked: Collection[Outpoint], frozen: Collection[Outpoint]
) -> tuple[Coin, ...]:
    return tuple(
        Coin(c.txid, c.vout, c.address, c.satoshis, c.confirmations, c.height, c.coinbase,
             frozen=(c.txid, c.vout) in frozen, locked=(c.txid, c.vout) in locked,
             trust=Trust.SINGLE_SOURCE)
        for c in known.coins
    )


def _known_tx(t: KnownTx) -> HistoryEntry:
    return HistoryEntry(t.txid, TxType(t.type), t.amount, t.fee, t.height, t.confirmations,
                        t.expiry_height, t.addresses, t.message, t.time)


def address_infos(
    keychain: Keychain, document: WalletDocument, coins: Iterable[Coin],
    history: Iterable[HistoryEntry], *, shown: str | None = None,
) -> tuple[AddressInfo, ...]:
    """Every address handed out so far (at least the first of each chain, and the receive
    address on screen) with its balance."""
    balance: dict[str, int] = {}
    for coin in coins:
        balance[coin.address] = balance.get(coin.address, 0) + coin.satoshis
    used = {a for entry in history for a in entry.addresses}
    labels = document.labels
    rows: list[AddressInfo] = []

    def info(address: str, chain: str, index: int) -> AddressInfo:
        return AddressInfo(address, chain, index, balance.get(address, 0),
                           address in used or address in balance, labels.get(address, ""))

    if keychain.is_hd:
        account = document.accounts[0] if document.accounts else None
        for chain, name in ((RECEIVE, "receive"), (CHANGE, "change")):
            handed = 0
            if account is not None:
                handed = account.receive_count if chain == RECEIVE else account.change_count
            entry = keychain.lookup(shown) if shown and chain == RECEIVE else None
            if entry is not None and entry.index is not None and entry.chain == RECEIVE:
                handed = max(handed, entry.index + 1)
            for entry in keychain.derive_range(chain, 0, max(handed, 1)):
                rows.append(info(entry.address, name, entry.index or 0))
    for number, entry in enumerate(keychain.fixed_addresses):
        rows.append(info(entry.address, "imported", number))
    return tuple(rows)

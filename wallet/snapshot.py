"""Builds the immutable WalletState snapshot from the open wallet (document, keys, last sync)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from types import MappingProxyType

from wallet.history import HistoryEntry
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.state import (
    AddressInfo,
    Balances,
    Coin,
    ContactInfo,
    WalletState,
    coins_and_balances,
)
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import SyncState

Outpoint = tuple[str, int]


def build_state(
    *, network: str, document: WalletDocument, keychain: Keychain, sync: SyncState | None,
    locked: Collection[Outpoint], receive: str | None, backend: str,
) -> WalletState:
    coins: tuple[Coin, ...] = ()
    balances = Balances()
    if sync is not None:
        coins, balances = coins_and_balances(sync.utxos, locked=locked, frozen=document.frozen)
    history = tuple(sync.history) if sync is not None else ()
    return WalletState(
        network=network,
        name=document.name,
        watch_only=not keychain.can_sign,
        tip=sync.tip if sync is not None else -1,
        balances=balances,
        coins=coins,
        history=history,
        receive_address=receive,
        backend=backend,
        dropped=tuple(sync.dropped) if sync is not None else (),
        labels=MappingProxyType(dict(document.labels)),
        addresses=address_infos(keychain, document, coins, history),
        contacts=tuple(ContactInfo(c.name, c.address, c.note) for c in document.address_book),
        has_seed=isinstance(document.kind, HdSeed) and keychain.can_sign,
        auto_lock_minutes=document.settings.auto_lock_minutes,
        expiry_delta=document.settings.expiry_delta,
        synced=sync is not None,
    )


def address_infos(
    keychain: Keychain, document: WalletDocument, coins: Iterable[Coin],
    history: Iterable[HistoryEntry],
) -> tuple[AddressInfo, ...]:
    """Every address handed out so far (at least the first of each chain) with its balance."""
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
            for entry in keychain.derive_range(chain, 0, max(handed, 1)):
                rows.append(info(entry.address, name, entry.index or 0))
    for number, entry in enumerate(keychain.fixed_addresses):
        rows.append(info(entry.address, "imported", number))
    return tuple(rows)

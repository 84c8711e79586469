"""Plain data the wallet service hands to its views (GUI or CLI): balances, coins, history,
addresses, contacts and the connection. Every snapshot is immutable: a view may read it from any
thread while the service builds the next one."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from flux.networks import Network
from flux.tiers import valid_collateral_amounts
from wallet.backends.base import Trust, Utxo
from wallet.fees import COINBASE_MATURITY

if TYPE_CHECKING:
    # Types only: history (and its transaction decoding) loads with the first sync.
    from wallet.history import HistoryEntry

Outpoint = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Balances:
    """Satoshi sums over the wallet's coins. `total` counts every coin, pending ones included."""

    total: int = 0
    # What a send can use now: confirmed, mature, not frozen, not locked.
    spendable: int = 0
    # Unconfirmed incoming coins (including change of the wallet's own pending sends).
    pending: int = 0
    # Node collateral kept out of sends.
    locked: int = 0
    # Coins the user froze.
    frozen: int = 0
    # Node/block rewards with fewer than 100 confirmations.
    immature: int = 0
    # Coins no second source vouches for (one server's word, or disputed): part of `total`, and
    # of `spendable` only when no second source was there to ask. Views must show it.
    unverified: int = 0


@dataclass(frozen=True, slots=True)
class Coin:
    txid: str
    vout: int
    address: str
    satoshis: int
    confirmations: int
    height: int | None
    coinbase: bool
    frozen: bool
    locked: bool
    trust: Trust = Trust.SINGLE_SOURCE

    @property
    def verified(self) -> bool:
        return self.trust is Trust.VERIFIED

    @property
    def outpoint(self) -> Outpoint:
        return (self.txid, self.vout)

    @property
    def spendable(self) -> bool:
        mature = not self.coinbase or self.confirmations >= COINBASE_MATURITY
        return not self.frozen and not self.locked and self.confirmations >= 1 and mature


class WalletStatus(StrEnum):
    NONE = "none"  # no wallet file yet: views offer the first-run wizard
    LOCKED = "locked"
    UNLOCKED = "unlocked"


@dataclass(frozen=True, slots=True)
class AddressInfo:
    address: str
    # "receive", "change" or "imported"
    chain: str
    index: int
    balance: int
    used: bool
    label: str = ""


@dataclass(frozen=True, slots=True)
class ContactInfo:
    name: str
    address: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Connection:
    """Which server the wallet talks to, in words, and whether the last sync worked."""

    text: str
    ok: bool | None
    tip_height: int = -1
    syncing: bool = False


def _no_labels() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class WalletState:
    """A snapshot of the open wallet; replaced as a whole, never mutated. Before the first sync
    `tip` is -1 and there are no coins or history yet."""

    network: str
    name: str
    watch_only: bool
    tip: int
    balances: Balances
    coins: tuple[Coin, ...]
    history: tuple[HistoryEntry, ...]
    receive_address: str | None
    backend: str
    # Pending transactions dropped by this sync because they expired.
    dropped: tuple[str, ...] = ()
    # Labels of addresses and txids (read-only view of a copy).
    labels: Mapping[str, str] = field(default_factory=_no_labels)
    addresses: tuple[AddressInfo, ...] = ()
    contacts: tuple[ContactInfo, ...] = ()
    # An HD wallet with seed words (imported keys and watch-only wallets have none).
    has_seed: bool = False
    auto_lock_minutes: int = 0
    expiry_delta: int = 30
    synced: bool = False
    # Set (Unix seconds) while the coins, balances and history come from the wallet file's last
    # known view because no sync has worked yet in this session; None for a live view.
    as_of: int | None = None

    @property
    def can_sign(self) -> bool:
        return not self.watch_only


def collateral_outpoints(
    utxos: Iterable[Utxo],
    network: Network,
    *,
    nodes: Collection[Outpoint] = (),
    unlocked: Collection[Outpoint] = (),
) -> set[Outpoint]:
    """Coins locked as node collateral: the wallet's node entries, and any coin of exactly a
    tier's collateral amount unless the user unlocked it (spending one stops a node)."""
    amounts = valid_collateral_amounts(network)
    locked = {o for o in nodes if o not in unlocked}
    for u in utxos:
        if u.satoshis in amounts and u.outpoint not in unlocked:
            locked.add(u.outpoint)
    return locked


def coins_and_balances(
    utxos: Iterable[Utxo], *, locked: Collection[Outpoint], frozen: Collection[Outpoint]
) -> tuple[tuple[Coin, ...], Balances]:
    coins = tuple(
        Coin(
            u.txid,
            u.vout,
            u.address,
            u.satoshis,
            u.confirmations,
            u.height,
            u.coinbase,
            frozen=u.outpoint in frozen,
            locked=u.outpoint in locked,
            trust=u.trust,
        )
        for u in utxos
    )
    balances = Balances(
        total=sum(c.satoshis for c in coins),
        spendable=sum(c.satoshis for c in coins if c.spendable),
        pending=sum(c.satoshis for c in coins if c.confirmations == 0),
        locked=sum(c.satoshis for c in coins if c.locked),
        frozen=sum(c.satoshis for c in coins if c.frozen and not c.locked),
        immature=sum(
            c.satoshis for c in coins if c.coinbase and c.confirmations < COINBASE_MATURITY
        ),
        unverified=sum(c.satoshis for c in coins if not c.verified),
    )
    return coins, balances


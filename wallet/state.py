"""Plain data the wallet service hands to its views (GUI or CLI): balances, coins, history."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from flux.networks import Network
from flux.tiers import valid_collateral_amounts
from wallet.backends.base import Trust, Utxo
from wallet.fees import COINBASE_MATURITY
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


@dataclass(frozen=True, slots=True)
class WalletState:
    """A snapshot after a sync; replaced as a whole, never mutated."""

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

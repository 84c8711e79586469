"""What sync knows about one wallet, carried from one refresh to the next."""

from __future__ import annotations

from dataclasses import dataclass, field

from wallet.backends.base import Trust, Utxo
from wallet.errors import AddressNotWatched
from wallet.history import ChainTx, HistoryEntry
from wallet.keychain import CHAINS
from wallet.txmodel import Transaction

# No chain is scanned beyond this many addresses, whatever a server claims or the file says.
MAX_ADDRESSES_PER_CHAIN = 10_000


def check_watchable(index: int) -> int:
    """For a hand-out before any sync: the next sync scans past every handed-out index below
    the cap, so only an index at or past the cap could go unwatched."""
    if index >= MAX_ADDRESSES_PER_CHAIN:
        raise AddressNotWatched(
            f"Address #{index} is past the {MAX_ADDRESSES_PER_CHAIN:,} addresses FluxDesk "
            "watches per chain; it will not use it. Sync the wallet, and if this persists "
            "switch to another server."
        )
    return index


@dataclass
class SyncState:
    """Everything sync knows; carried from one refresh to the next."""

    tip: int = -1
    # chain -> highest used index (-1 = none) and number of addresses derived and watched.
    last_used: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CHAINS, -1))
    scanned: dict[int, int] = field(default_factory=lambda: dict.fromkeys(CHAINS, 0))
    txs: dict[str, ChainTx] = field(default_factory=dict)
    # Sent by this wallet and not yet seen confirmed: dropped once expired.
    local_pending: dict[str, Transaction] = field(default_factory=dict)
    # Results of the last sync.
    utxos: list[Utxo] = field(default_factory=list)
    # The server's coin list after checking it against the raw transactions.
    listed: list[Utxo] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # The tip `utxos` and `history` were last computed at; None when they never were (then a
    # refresh computes them even if nothing changed).
    results_tip: int | None = None
    dropped: list[str] = field(default_factory=list)
    # What a second source said about a confirmed transaction (see witness.py): VERIFIED is
    # kept, DISPUTED is asked again on the next sync.
    trust: dict[str, Trust] = field(default_factory=dict)

    def next_unused(self, chain: int) -> int:
        return self.last_used[chain] + 1

    def handout_index(self, chain: int, at_least: int = 0) -> int:
        """The index to show or pay change to: unused, and one this wallet watches.

        An address past the scanned window would not be looked at by the next sync (nor by a
        fresh restore), so a payment to it would vanish: AddressNotWatched instead.
        """
        index = max(self.next_unused(chain), at_least)
        if index >= self.scanned[chain]:
            raise AddressNotWatched(
                f"The next {'change' if chain else 'receive'} address (#{index}) lies beyond the "
                f"{self.scanned[chain]:,} addresses this wallet's last sync watched, so a payment "
                "to it could go unseen; FluxDesk does not watch it and will not use it. Sync "
                "again (each sync watches further). If it persists, the server may be claiming "
                "that every address was used: switch to another server."
            )
        return index

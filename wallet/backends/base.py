"""The one interface every chain backend implements, and the plain data it returns.

Amounts are integer satoshis. Nothing a backend returns is trusted for signing: values and scripts
of inputs are re-read from the previous transactions themselves (see verify.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class Trust(StrEnum):
    """How many independent sources vouch that a coin's transaction is in the chain."""

    # A second server (or the local fluxd, the wallet's own node) has it in its block.
    VERIFIED = "verified"
    # Only the server in use says so: no second source was available or reachable.
    SINGLE_SOURCE = "single_source"
    # A second source's block at that height does not hold it: counted as unconfirmed.
    DISPUTED = "disputed"


@dataclass(frozen=True, slots=True)
class Utxo:
    txid: str
    vout: int
    address: str
    satoshis: int
    script_pubkey: bytes
    # None while the transaction is only in the mempool.
    height: int | None
    confirmations: int
    # True when the backend marks the output as a coinbase; Insight only says so below 100
    # confirmations, fluxd never does — verify.py reads it from the raw transaction instead.
    coinbase: bool = False
    # Set by sync after asking a second source (see witness.py).
    trust: Trust = Trust.SINGLE_SOURCE

    @property
    def outpoint(self) -> tuple[str, int]:
        return (self.txid, self.vout)


@dataclass(frozen=True, slots=True)
class AddressBalance:
    address: str
    confirmed: int
    # Net mempool change; negative while an outgoing transaction is unconfirmed.
    unconfirmed: int
    # Total ever received (confirmed); with `unconfirmed` it tells whether the address was used.
    received: int

    @property
    def used(self) -> bool:
        return self.received > 0 or self.unconfirmed != 0


@dataclass(frozen=True, slots=True)
class HistoryItem:
    txid: str
    # Block height when the backend reports it; None for mempool or when the backend (fluxd
    # getaddresstxids) only lists txids.
    height: int | None
    confirmed: bool
    # The block's time (Unix seconds) when the backend reports it (Insight does, fluxd's
    # getaddresstxids does not).
    time: int | None = None
    # The raw transaction as hex when the page carried it whole (Insight's /addrs/txs items);
    # unchecked: sync hashes it against the txid and fetches it raw when it does not match.
    raw: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of an address set's history, newest first (mempool first)."""

    items: list[HistoryItem]
    total: int
    start: int

    @property
    def next_start(self) -> int | None:
        end = self.start + len(self.items)
        return end if end < self.total and self.items else None


@dataclass(frozen=True, slots=True)
class BlockSummary:
    """What an explorer says about one block: enough to check a transaction is in it."""

    hash: str
    height: int
    merkle_root: str
    txids: list[str]
    main_chain: bool


@dataclass(frozen=True, slots=True)
class BackendStatus:
    """What select.py needs to decide whether a backend can be used."""

    name: str
    tip_height: int
    synced: bool
    detail: str = ""
    warnings: list[str] = field(default_factory=list)


@runtime_checkable
class ChainBackend(Protocol):
    @property
    def name(self) -> str:
        """Short human name for messages, e.g. "Insight flux-explorer.sspwallet.io"."""
        ...

    async def tip_height(self) -> int: ...

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        """Unspent outputs of these addresses, mempool included (spent-in-mempool excluded)."""
        ...

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]: ...

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> HistoryPage: ...

    async def raw_transaction(self, txid: str) -> str:
        """The transaction's raw bytes as hex (checked against the txid by the caller)."""
        ...

    async def broadcast(self, raw_hex: str) -> str:
        """Send a signed transaction; returns its txid or raises BroadcastRejected."""
        ...

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        """Fee rate in satoshis per 1000 bytes, or None when the node has no estimate."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class BulkRawSource(Protocol):
    """A backend that hands out many raw transactions per request (fluxd: a JSON-RPC batch)."""

    async def raw_transactions(self, txids: Sequence[str]) -> list[str]:
        """Raw hex of each txid, in order; the first one the server refuses raises."""
        ...

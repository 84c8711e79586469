"""Plain data the wallet pages show; app/ fills them from the wallet engine (ui never sees app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class WalletState(StrEnum):
    NONE = "none"  # no wallet file yet: pages offer the first-run wizard
    LOCKED = "locked"
    UNLOCKED = "unlocked"


@dataclass(frozen=True)
class Balances:
    total: int = 0
    spendable: int = 0
    pending: int = 0
    collateral: int = 0
    # Node rewards below coinbase maturity: in the total, not spendable yet.
    immature: int = 0
    frozen: int = 0


@dataclass(frozen=True)
class CoinRow:
    txid: str
    vout: int
    address: str
    satoshis: int
    confirmations: int
    coinbase: bool = False
    frozen: bool = False
    # Tier name ("Cumulus", …) when this output is a node's collateral; it is locked then.
    collateral: str = ""
    label: str = ""

    @property
    def outpoint(self) -> tuple[str, int]:
        return (self.txid, self.vout)

    @property
    def locked(self) -> bool:
        return bool(self.collateral)


@dataclass(frozen=True)
class AddressRow:
    address: str
    # "receive", "change" or "imported"
    chain: str
    index: int
    balance: int
    used: bool
    label: str = ""


@dataclass(frozen=True)
class ContactRow:
    name: str
    address: str
    note: str = ""


@dataclass(frozen=True)
class SendRequest:
    address: str
    # What the person typed ("12.5" or "max"); the engine parses it.
    amount_text: str
    fee_preset: str = "normal"
    message: str = ""
    # Coin control: spend only these outpoints (None = the engine chooses among unfrozen coins).
    coins: frozenset[tuple[str, int]] | None = None


@dataclass(frozen=True)
class Review:
    """Everything the review dialog shows before the explicit Broadcast."""

    recipients: tuple[tuple[str, int], ...]
    amount: int
    fee: int
    change: int
    inputs: int
    size: int
    expiry_height: int
    tip_height: int
    message: str = ""
    change_address: str | None = None
    # The engine's own object (signed transaction + plan); the view only hands it back.
    token: object = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        return self.amount + self.fee

    @property
    def fee_rate(self) -> float:
        return self.fee / self.size if self.size else 0.0


@dataclass(frozen=True)
class ConsolidationPlan:
    batches: int
    inputs: int
    amount: int
    fee: int
    token: object = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ConnectionInfo:
    text: str
    ok: bool | None
    tip_height: int = -1
    syncing: bool = False


FEE_PRESETS = (
    ("slow", "Economy (may take longer)"),
    ("normal", "Normal"),
    ("fast", "Fast"),
)

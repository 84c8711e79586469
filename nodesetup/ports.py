"""The flow's external effects as small protocols, so tests inject real adapters or fakes.

Adapters translate their domain's errors into the typed errors below (or the wallet's
StartRefused / StartMaybeSent and BroadcastRejected, which the flow understands as they are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from wallet.nodes.state import NodeStatus, StartRecord

Outpoint = tuple[str, int]
ProgressSink = Callable[[float, str, float | None], None]  # fraction, words, eta seconds


class SetupError(Exception):
    """A port could not do its part; the message says why and what to do."""

    def __init__(self, message: str, advice: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice


# --- benchmark -------------------------------------------------------------------------------

@dataclass(frozen=True)
class BenchResult:
    best_tier: str | None  # highest tier every requirement passed (None: none)
    failed: dict[str, list[str]] = field(default_factory=dict)  # tier -> what fell short


class Benchmark(Protocol):
    async def run(self, on_progress: ProgressSink) -> BenchResult: ...


# --- wallet ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    txid: str
    index: int
    satoshis: int
    confirmations: int

    @property
    def outpoint(self) -> Outpoint:
        return self.txid, self.index


@dataclass(frozen=True)
class CollateralOffer:
    """A reviewed send-to-self of exactly the tier amount in one output; nothing signed yet."""

    tier: str
    amount: int  # satoshis, the one output
    fee: int
    address: str  # our own address that receives it
    change: int
    handle: object  # the wallet's review, passed back to send_collateral


@dataclass(frozen=True)
class ChainTip:
    height: int
    time: int


class Wallet(Protocol):
    async def tip(self) -> ChainTip: ...

    async def candidates(self, tier: str) -> list[Candidate]:
        """Unspent coins of exactly the tier amount (matured or not), most confirmed first."""
        ...

    async def offer_collateral(self, tier: str) -> CollateralOffer: ...

    async def send_collateral(self, offer: CollateralOffer) -> Outpoint: ...

    def flux_id(self) -> str: ...

    def has_node(self, outpoint: Outpoint) -> str | None:
        """The alias of the wallet's node entry for this collateral, if there is one."""
        ...

    async def add_node(self, alias: str, outpoint: Outpoint) -> None:
        """A node entry with a new identity key (kept encrypted in the wallet file)."""
        ...

    def identity_wif(self, outpoint: Outpoint) -> str: ...

    async def start(self, outpoint: Outpoint, *, replace_pending: bool) -> StartRecord:
        """Pre-check, build, verify_start, broadcast. StartRefused (with an ETA for maturity),
        StartMaybeSent or BroadcastRejected when it did not go through."""
        ...

    async def status(self, outpoint: Outpoint, record: StartRecord | None) -> NodeStatus: ...


# --- installer -------------------------------------------------------------------------------

@dataclass(frozen=True)
class InstallInputs:
    tier: str
    identity_wif: str = field(repr=False)
    collateral: Outpoint
    flux_id: str


@dataclass(frozen=True)
class InstallOutcome:
    ok: bool
    failed_step: str = ""
    message: str = ""
    fix: str = ""


class Installer(Protocol):
    async def install(self, inputs: InstallInputs, on_progress: ProgressSink) -> InstallOutcome:
        """Runs (or resumes) the plan; steps finished earlier are skipped."""
        ...

    async def flux_conf(self) -> dict[str, str] | None:
        """The installed flux.conf as key -> value (None when there is none)."""
        ...


# --- the node itself -------------------------------------------------------------------------

@dataclass(frozen=True)
class NodeHealth:
    height: int | None
    tip: int | None
    bench: str | None  # fluxbench's result: a tier, "running", "failed", … (None: silent)
    fluxos_up: bool
    advice: tuple[str, ...] = ()  # the doctor's findings as "cause — next step"

    @property
    def synced(self) -> bool:
        return self.height is not None and self.tip is not None and self.height >= self.tip


class NodeProbe(Protocol):
    async def health(self, tier: str) -> NodeHealth: ...


@dataclass(frozen=True)
class Ports:
    benchmark: Benchmark
    wallet: Wallet
    installer: Installer
    probe: NodeProbe

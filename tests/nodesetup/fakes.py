"""In-memory ports for the flow's own logic (the real adapters are tested in test_one_click)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nodesetup.ports import (
    BenchResult,
    Candidate,
    ChainTip,
    CollateralOffer,
    InstallInputs,
    InstallOutcome,
    NodeHealth,
    Outpoint,
    ProgressSink,
)
from wallet.nodes.errors import StartRefused
from wallet.nodes.state import NodeState, NodeStatus, StartRecord

TXID = "cd" * 32
WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"


@dataclass
class FakeBenchmark:
    best: str | None = "NIMBUS"
    runs: int = 0

    async def run(self, on_progress: ProgressSink) -> BenchResult:
        self.runs += 1
        on_progress(0.5, "CPU", None)
        failed = {} if self.best == "STRATUS" else {"STRATUS": ["CPU, all threads"]}
        return BenchResult(self.best, failed)


@dataclass
class FakeWallet:
    coins: list[Candidate] = field(default_factory=list)
    nodes: dict[Outpoint, tuple[str, str]] = field(default_factory=dict)
    sent: list[CollateralOffer] = field(default_factory=list)
    starts: list[Outpoint] = field(default_factory=list)
    state: NodeState = NodeState.NOT_STARTED
    start_error: Exception | None = None

    async def tip(self) -> ChainTip:
        return ChainTip(1000, 1_700_000_000)

    async def candidates(self, tier: str) -> list[Candidate]:
        return sorted(self.coins, key=lambda c: -c.confirmations)

    async def offer_collateral(self, tier: str) -> CollateralOffer:
        return CollateralOffer(tier, 1_000 * 10**8, 226, "t1self", 499 * 10**8, object())

    async def send_collateral(self, offer: CollateralOffer) -> Outpoint:
        self.sent.append(offer)
        self.coins.append(Candidate(TXID, 1, offer.amount, 0))
        return TXID, 1

    def flux_id(self) -> str:
        return "1FluxIdOfTheWallet"

    def has_node(self, outpoint: Outpoint) -> str | None:
        return self.nodes[outpoint][0] if outpoint in self.nodes else None

    async def add_node(self, alias: str, outpoint: Outpoint) -> None:
        self.nodes[outpoint] = (alias, WIF)

    def identity_wif(self, outpoint: Outpoint) -> str:
        return self.nodes[outpoint][1]

    async def start(self, outpoint: Outpoint, *, replace_pending: bool) -> StartRecord:
        if self.start_error is not None:
            raise self.start_error
        self.starts.append(outpoint)
        self.state = NodeState.STARTED
        return StartRecord("ef" * 32, 1_700_000_000, 1_700_000_000)

    async def status(self, outpoint: Outpoint, record: StartRecord | None) -> NodeStatus:
        eta = 240 * 30 if self.state == NodeState.STARTED else None
        return NodeStatus(outpoint, self.state, f"state {self.state}", "next", eta_seconds=eta)


def immature(confirmations: int) -> StartRefused:
    left = 100 - confirmations
    return StartRefused(f"{confirmations}/100 confirmations", reason="maturity",
                        eta_seconds=left * 30)


@dataclass
class FakeInstaller:
    conf: dict[str, str] | None = None
    fail_once: bool = False
    runs: list[InstallInputs] = field(default_factory=list)

    async def install(self, inputs: InstallInputs, on_progress: ProgressSink) -> InstallOutcome:
        self.runs.append(inputs)
        on_progress(0.5, "Installing fluxd", 600.0)
        if self.fail_once:
            self.fail_once = False
            return InstallOutcome(False, "flux_packages", "apt failed", "check the network")
        self.conf = {"zelnodeprivkey": inputs.identity_wif,
                     "zelnodeoutpoint": inputs.collateral[0],
                     "zelnodeindex": str(inputs.collateral[1])}
        return InstallOutcome(True)

    async def flux_conf(self) -> dict[str, str] | None:
        return self.conf


@dataclass
class FakeProbe:
    height: int | None = 100
    tip: int | None = 1000
    bench: str | None = "running"
    fluxos_up: bool = True
    advice: tuple[str, ...] = ()

    async def health(self, tier: str) -> NodeHealth:
        return NodeHealth(self.height, self.tip, self.bench, self.fluxos_up, self.advice)

    def ready(self, tier: str = "NIMBUS") -> None:
        self.height, self.bench = self.tip, tier

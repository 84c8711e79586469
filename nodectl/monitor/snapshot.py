"""One poll's facts about a node, and what the person told us about it.

Every field may be missing: a source that failed leaves its fields None and its typed error in
``errors`` under the source's name, so the dashboard and the doctor can say which part is silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flux.networks import MAINNET, Network
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.ipwatch import IpChange
from nodectl.monitor.metrics import Metrics
from nodectl.monitor.models import (
    BenchFigures,
    BenchStatus,
    ChainInfo,
    ClockDrift,
    DosState,
    FluxnodeStatus,
    ListEntry,
)
from nodectl.monitor.services import Pm2Process, UnitState

# Source names used as keys of Snapshot.errors.
FLUXD, FLUXOS, FLUXBENCH, SYSTEMD, PM2, METRICS, LOGS, NETWORK = (
    "fluxd", "fluxos", "fluxbench", "systemd", "pm2", "metrics", "logs", "network")


NO_WALLET_FLUX_ID = ("FluxDesk does not know this wallet's Flux ID (no wallet is open).",
                     "Open the wallet in FluxDesk to compare the node's owner Flux ID with it.")


@dataclass(frozen=True)
class NodeContext:
    """What the person (or the installer) told us about this node."""

    wallet_flux_id: str | None = None  # the Flux ID the wallet uses, as a plain string
    # Why the wallet's Flux ID is not known (wallet locked, none, no seed) and the next step;
    # None: the caller did not say (the doctor then uses its own words).
    wallet_flux_id_unknown: tuple[str, str] | None = None
    collateral_tier: str | None = None  # CUMULUS / NIMBUS / STRATUS, when the wallet knows it
    watchdog_dir: str | None = None  # e.g. /home/flux/watchdog
    data_path: str = "/"  # the disk whose free space matters (fluxd's datadir)
    arcane: bool = False  # ArcaneOS runs the watchdog as a systemd unit, not under pm2
    node_user: str | None = None  # the account fluxd, FluxOS and pm2 run as (installer's)
    network: Network = MAINNET  # block spacing by height, from flux.conf's network

    @property
    def no_wallet_flux_id(self) -> tuple[str, str]:
        """Why the wallet's Flux ID is unknown and what would make it known."""
        return self.wallet_flux_id_unknown or NO_WALLET_FLUX_ID


@dataclass(frozen=True)
class Snapshot:
    taken_at: float  # unix time
    chain: ChainInfo | None = None
    network_tip: int | None = None  # from an explorer or another node, when known
    height_since: float | None = None  # unix time our height last moved
    node: FluxnodeStatus | None = None
    list_entry: ListEntry | None = None
    bench_status: BenchStatus | None = None
    bench: BenchFigures | None = None
    bench_failure_log: str | None = None  # newest "---Failed…" line of fluxbench's log
    bench_version: str | None = None
    fluxos_version: str | None = None
    clock: ClockDrift | None = None
    dos: DosState | None = None
    public_ip: str | None = None
    ip_changes: tuple[IpChange, ...] = ()  # inside the last 20 h
    owner_flux_id: str | None = None
    login_refusal: str | None = None
    units: Mapping[str, UnitState] = field(default_factory=dict)
    pm2: Mapping[str, Pm2Process] | None = None
    metrics: Metrics | None = None
    errors: Mapping[str, MonitorError] = field(default_factory=dict)

    @property
    def tip(self) -> int | None:
        """The best height we know of: the network's, else fluxd's best header."""
        candidates = [h for h in (self.network_tip, self.chain.headers if self.chain else None,
                                  self.chain.blocks if self.chain else None) if h is not None]
        return max(candidates) if candidates else None

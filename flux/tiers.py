"""The one FluxNode tier table: collateral, hardware minimums, EPS/DWS thresholds, reward share.

Facts and sources are in docs/protocol-fluxnode.md (collateral, rewards) and docs/node-ops.md
(hardware). Collateral: fluxd src/fluxnode/fluxnode.h and coins.cpp GetCoinAmountsByTier. Hardware:
the official installer's benchmark replica (RunOnFlux/fluxnode-multitool hardwarebench.sh), the
operator docs (RunOnFlux/flux-docs what-are-fluxnodes.md), the watchdog EPS minimums and FluxOS
``fluxSpecifics``; fluxbench itself is closed source, so these are the best available official
approximation and the binding verdict is fluxbench on the node. Reward share: fluxd main.cpp
GetFluxnodeSubsidy (PON).

Units follow the replica, because that is how the figures are measured:
* RAM: total bytes ÷ 1024³, rounded to a whole number (``free -b`` then ``printf %.0f``).
* SSD capacity: sizes ÷ 1024³ of the disks whose write test reaches the SSD-class speed; the
  docs call it "GB", the replica divides by 1024³.
* EPS: single-thread sysbench events/s × the tier's thread count (4/8/16).
* DWS: MiB/s, averaged over the two fastest of three 1 GiB writes.
* Bandwidth: Mbit/s; the docs do not say which direction, so both are checked (unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from flux.money import COIN

if TYPE_CHECKING:
    from flux.networks import Network

# A disk counts as "SSD" (its size goes to SSD capacity) only at this write speed or faster.
SSD_CLASS_MIN_DWS_MIB_S = 180.0


class Tier(IntEnum):
    """FluxNode tiers with fluxd's enum values."""

    CUMULUS = 1
    NIMBUS = 2
    STRATUS = 3


@dataclass(frozen=True)
class TierSpec:
    """Everything known about one tier. Amounts in satoshis."""

    tier: Tier
    collateral: int  # the current (V2) collateral
    legacy_collateral: int  # the pre-2022 (V1) collateral, valid only before its transition
    min_threads: int
    min_cores: int
    min_ram_gib: int
    min_ssd_gib: int
    min_eps: float
    eps_threads: int  # single-thread EPS is multiplied by this before comparing with min_eps
    min_dws_mib_s: float
    min_bandwidth_mbit: float
    architectures: frozenset[str] | None  # Debian architecture names; None: any architecture
    reward_base: int  # payout per block out of the 14 FLUX PON subsidy, scaled with it

    @property
    def name(self) -> str:
        """fluxd's upper-case name, e.g. "CUMULUS"."""
        return self.tier.name

    @property
    def title(self) -> str:
        """The name people read, e.g. "Cumulus"."""
        return self.tier.name.capitalize()

    @property
    def key(self) -> str:
        """The lower-case name used in settings and the installer, e.g. "cumulus"."""
        return self.tier.name.lower()

    @property
    def collateral_flux(self) -> int:
        return self.collateral // COIN


TIERS: tuple[TierSpec, ...] = (
    TierSpec(
        tier=Tier.CUMULUS,
        collateral=1_000 * COIN,
        legacy_collateral=10_000 * COIN,
        min_threads=4,
        min_cores=2,
        min_ram_gib=7,
        min_ssd_gib=220,
        min_eps=240.0,
        eps_threads=4,
        min_dws_mib_s=SSD_CLASS_MIN_DWS_MIB_S,
        min_bandwidth_mbit=25.0,
        architectures=None,
        reward_base=1 * COIN,
    ),
    TierSpec(
        tier=Tier.NIMBUS,
        collateral=12_500 * COIN,
        legacy_collateral=25_000 * COIN,
        min_threads=8,
        min_cores=4,
        min_ram_gib=30,
        min_ssd_gib=440,
        min_eps=640.0,
        eps_threads=8,
        min_dws_mib_s=SSD_CLASS_MIN_DWS_MIB_S,
        min_bandwidth_mbit=50.0,
        architectures=None,
        reward_base=35 * COIN // 10,
    ),
    TierSpec(
        tier=Tier.STRATUS,
        collateral=40_000 * COIN,
        legacy_collateral=100_000 * COIN,
        min_threads=16,
        min_cores=8,
        min_ram_gib=61,
        min_ssd_gib=880,
        min_eps=1520.0,
        eps_threads=16,
        # The replica downgrades a box to NIMBUS unless the tested disk reaches 400 MiB/s on amd64.
        min_dws_mib_s=400.0,
        min_bandwidth_mbit=100.0,
        architectures=frozenset({"amd64"}),
        reward_base=9 * COIN,
    ),
)

TIER_KEYS: tuple[str, ...] = tuple(t.key for t in TIERS)

# Where each requirement comes from, shown next to the tier matrix and in the JSON output.
SOURCES: dict[str, str] = {
    "threads": "logical CPUs (getconf _NPROCESSORS_ONLN) — installer replica hardwarebench.sh; "
    "flux-docs what-are-fluxnodes.md",
    "cores": "physical cores — flux-docs what-are-fluxnodes.md; 'cpu cores' in hardwarebench.sh",
    "ram": "total RAM ÷ 1024³ rounded — hardwarebench.sh; "
    "FluxOS fluxSpecifics.ram 7000/30000/61000",
    "ssd": "sum of disks writing ≥ 180 MiB/s — hardwarebench.sh; "
    "FluxOS fluxSpecifics.hdd 220/440/880",
    "eps": "sysbench cpu --cpu-max-prime=60000 --time=20, single thread × 4/8/16 — "
    "hardwarebench.sh; "
    "watchdog tier_eps_min 240/640/1520",
    "dws": "dd 1 GiB bs=64k conv=fdatasync ×3, best two averaged — hardwarebench.sh "
    "(180 MiB/s SSD class; 400 MiB/s and amd64 for STRATUS)",
    "arch": "STRATUS needs amd64 — hardwarebench.sh",
    "bandwidth": "25/50/100 Mbit/s — flux-docs what-are-fluxnodes.md (direction not stated)",
}


@dataclass(frozen=True)
class TierTransition:
    """Heights [begin, end) during which both V1 and V2 collateral of a tier were valid."""

    tier: Tier
    begin: int
    end: int


def tier_spec(tier: Tier) -> TierSpec:
    for spec in TIERS:
        if spec.tier == tier:
            return spec
    raise ValueError(f"unknown tier {tier!r}")


def tier_by_name(name: str) -> TierSpec:
    """The tier called `name` in any case ("cumulus", "CUMULUS", "Cumulus")."""
    for spec in TIERS:
        if spec.name == name.strip().upper():
            return spec
    known = ", ".join(t.key for t in TIERS)
    raise KeyError(f"Unknown tier {name!r}; known tiers: {known}")


def valid_collateral_amounts(network: Network, height: int | None = None) -> dict[int, Tier]:
    """Collateral amounts (satoshis) accepted at `height` (None = today), mapped to their tier.

    Before a tier's transition only V1 counts, during it both, after it only V2 (fluxd coins.cpp
    GetCoinAmountsByTier).
    """
    amounts: dict[int, Tier] = {}
    transitions = {t.tier: t for t in network.tier_transitions}
    for spec in TIERS:
        transition = transitions.get(spec.tier)
        if height is None or transition is None or height >= transition.end:
            amounts[spec.collateral] = spec.tier
        elif height < transition.begin:
            amounts[spec.legacy_collateral] = spec.tier
        else:
            amounts[spec.collateral] = spec.tier
            amounts[spec.legacy_collateral] = spec.tier
    return amounts


def tier_for_amount(amount: int, network: Network, height: int | None = None) -> Tier | None:
    """The tier whose collateral is exactly `amount` satoshis, or None."""
    return valid_collateral_amounts(network, height).get(amount)

"""FluxNode tier hardware minimums as data.

Source: shared/specs/node-ops.md §1.1 (tier table) and §2.2 (how each figure is measured), which
in turn cite the official installer's hardware benchmark replica (RunOnFlux/fluxnode-multitool
hardwarebench.sh), the operator docs (RunOnFlux/flux-docs what-are-fluxnodes.md), the watchdog
EPS minimums and FluxOS ``fluxSpecifics``. fluxbench itself is closed source, so these are the best
available official approximation; the binding verdict is fluxbench on the node.

Units follow the replica, because that is how the figures are measured:
* RAM: total bytes ÷ 1024³, rounded to a whole number (``free -b`` then ``printf %.0f``).
* SSD capacity: sizes ÷ 1024³ of the disks whose write test reaches the SSD-class speed; the
  docs call it "GB", the replica divides by 1024³.
* EPS: single-thread sysbench events/s × the tier's thread count (4/8/16).
* DWS: MiB/s, averaged over the two fastest of three 1 GiB writes.
* Bandwidth: Mbit/s; the docs do not say which direction, so both are checked (UNCONFIRMED).
"""

from __future__ import annotations

from dataclasses import dataclass

# A disk counts as "SSD" (its size goes to SSD capacity) only at this write speed or faster.
SSD_CLASS_MIN_DWS_MIB_S = 180.0


@dataclass(frozen=True)
class TierSpec:
    name: str
    collateral_flux: int
    min_threads: int
    min_cores: int
    min_ram_gib: int
    min_ssd_gib: int
    min_eps: float
    eps_threads: int  # single-thread EPS is multiplied by this before comparing with min_eps
    min_dws_mib_s: float
    min_bandwidth_mbit: float
    architectures: frozenset[str] | None  # None: any architecture

    @property
    def title(self) -> str:
        return self.name.capitalize()


TIERS: tuple[TierSpec, ...] = (
    TierSpec(
        name="CUMULUS",
        collateral_flux=1_000,
        min_threads=4,
        min_cores=2,
        min_ram_gib=7,
        min_ssd_gib=220,
        min_eps=240.0,
        eps_threads=4,
        min_dws_mib_s=SSD_CLASS_MIN_DWS_MIB_S,
        min_bandwidth_mbit=25.0,
        architectures=None,
    ),
    TierSpec(
        name="NIMBUS",
        collateral_flux=12_500,
        min_threads=8,
        min_cores=4,
        min_ram_gib=30,
        min_ssd_gib=440,
        min_eps=640.0,
        eps_threads=8,
        min_dws_mib_s=SSD_CLASS_MIN_DWS_MIB_S,
        min_bandwidth_mbit=50.0,
        architectures=None,
    ),
    TierSpec(
        name="STRATUS",
        collateral_flux=40_000,
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
    ),
)

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


def tier_by_name(name: str) -> TierSpec:
    for tier in TIERS:
        if tier.name == name.upper():
            return tier
    known = ", ".join(t.name for t in TIERS)
    raise KeyError(f"Unknown tier {name!r}; known tiers: {known}")


def normalise_arch(machine: str) -> str:
    """Map ``platform.machine()`` names to Debian architecture names (what the replica compares)."""
    lowered = machine.lower()
    aliases = {
        "x86_64": "amd64",
        "amd64": "amd64",
        "aarch64": "arm64",
        "arm64": "arm64",
        "armv7l": "armhf",
        "i686": "i386",
        "i386": "i386",
    }
    return aliases.get(lowered, lowered)

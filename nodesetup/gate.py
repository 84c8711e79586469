"""The health gate before a START: a START for a node that cannot confirm costs ~6 h of DOS.

The node must be synced, its fluxbench must pass the collateral's tier, FluxOS must answer, and
flux.conf must name exactly this collateral and identity key (the WIF carries the key's
compression, so equal WIFs also mean the same compression).
"""

from __future__ import annotations

from dataclasses import dataclass

from nodesetup.model import tier_rank
from nodesetup.ports import NodeHealth, Outpoint


@dataclass(frozen=True)
class GateProblem:
    kind: str  # "sync", "bench", "fluxos", "conf"
    text: str

    @property
    def transient(self) -> bool:
        """Sync and benchmark fix themselves with time; the others need the person."""
        return self.kind in ("sync", "bench")


def health_gate(health: NodeHealth, conf: dict[str, str] | None, *, tier: str,
                identity_wif: str, outpoint: Outpoint) -> list[GateProblem]:
    problems = []
    if not health.synced:
        where = (f"block {health.height} of {health.tip}" if health.height is not None
                 and health.tip is not None else "its height is unknown")
        problems.append(GateProblem("sync", f"The node is not synced ({where})."))
    if tier_rank(health.bench) < tier_rank(tier):
        problems.append(GateProblem(
            "bench", f"fluxbench has not passed {tier.title()} (it says "
            f"{health.bench or 'nothing'})."))
    if not health.fluxos_up:
        problems.append(GateProblem("fluxos", "FluxOS does not answer."))
    if conf is None:
        problems.append(GateProblem("conf", "The node has no flux.conf."))
        return problems
    expected = {"zelnodeprivkey": identity_wif, "zelnodeoutpoint": outpoint[0],
                "zelnodeindex": str(outpoint[1])}
    names = {"zelnodeprivkey": "identity key", "zelnodeoutpoint": "collateral txid",
             "zelnodeindex": "collateral index"}
    for key, value in expected.items():
        found = conf.get(key, "").strip()
        if key == "zelnodeoutpoint":
            found = found.lower()
        if found != value:
            problems.append(GateProblem(
                "conf", f"flux.conf's {key} is not the wallet's {names[key]} for this node."))
    return problems

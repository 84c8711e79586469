"""Block reward schedule per network since the PON upgrade (docs/protocol-fluxnode.md §Rewards).

fluxd main.cpp GetBlockSubsidy / GetFluxnodeSubsidy: from PON on a block pays 14 FLUX, cut by
10 % (integer satoshis, s = s * 9 / 10) once per reduction interval, at most `max_reductions`
times. Each tier's node gets ``subsidy * base / 14 FLUX`` with the base of the tier table
(1 / 3.5 / 9 FLUX); the rest goes to the development fund. The block producer gets no share.
Rewards before PON (proof of work, halvings) are history and not modelled here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flux.errors import FluxError
from flux.money import COIN
from flux.tiers import TIERS, Tier

PON_INITIAL_SUBSIDY = 14 * COIN


class RewardsUnknown(FluxError):
    """A height for which this schedule does not apply (before PON, or PON not active)."""


class RewardSplit(NamedTuple):
    """What one block pays: per tier (one node of each) and the development-fund remainder."""

    tiers: dict[Tier, int]
    dev_fund: int

    @property
    def total(self) -> int:
        return sum(self.tiers.values()) + self.dev_fund


@dataclass(frozen=True)
class RewardSchedule:
    """One network's PON subsidy: where it starts, how often and how many times it is cut."""

    start_height: int | None  # PON activation height; None: not active on this network
    reduction_interval: int  # blocks between two 10 % cuts
    max_reductions: int
    initial_subsidy: int = PON_INITIAL_SUBSIDY

    def reductions(self, height: int) -> int:
        if self.start_height is None or height < self.start_height:
            start = "is not active" if self.start_height is None else (
                f"starts at block {self.start_height}"
            )
            raise RewardsUnknown(
                f"Block {height} predates the PON reward schedule (which {start}); "
                "earlier rewards are not modelled."
            )
        return min((height - self.start_height) // self.reduction_interval, self.max_reductions)

    def subsidy(self, height: int) -> int:
        """The block subsidy at `height` in satoshis."""
        subsidy = self.initial_subsidy
        for _ in range(self.reductions(height)):
            subsidy = subsidy * 9 // 10
        return subsidy

    def split(self, height: int) -> RewardSplit:
        """The per-tier payouts and the dev-fund remainder of the block at `height`."""
        subsidy = self.subsidy(height)
        tiers = {t.tier: subsidy * t.reward_base // self.initial_subsidy for t in TIERS}
        return RewardSplit(tiers, subsidy - sum(tiers.values()))

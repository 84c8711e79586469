"""Rewards: what each node was paid (from the wallet's history) and an estimate per tier.

History tags a coinbase that pays one of our addresses as a node reward; a node is paid to its
collateral's address, so a node's rewards are the node-reward entries naming that address.
Windows are in blocks from the tip (24 h = 2 880 blocks of 30 s). The estimate is arithmetic on
published facts and is labelled as one: the tier's share of the block subsidy at the tip
(flux.rewards), one payout per tier per block, shared by the tier's enabled nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flux.networks import Network
from flux.tiers import Tier, tier_spec
from wallet.history import HistoryEntry, TxType
from wallet.nodes.timing import PON_TIMING, NodeTiming

DAY_SECONDS = 86_400


@dataclass(frozen=True)
class RewardTotals:
    """Satoshis received in the last 24 h, 30 days and ever, and how many payments."""

    day: int
    month: int
    total: int
    payments: int
    last_paid_height: int | None


def node_rewards(history: Iterable[HistoryEntry], address: str, *, tip: int,
                 timing: NodeTiming = PON_TIMING) -> RewardTotals:
    day_blocks = DAY_SECONDS // timing.block_spacing
    day = month = total = payments = 0
    last: int | None = None
    for entry in history:
        if entry.type != TxType.NODE_REWARD or address not in entry.addresses:
            continue
        payments += 1
        total += entry.amount
        age = None if entry.height is None else tip - entry.height
        if age is not None and age < day_blocks:
            day += entry.amount
        if age is not None and age < 30 * day_blocks:
            month += entry.amount
        if entry.height is not None and (last is None or entry.height > last):
            last = entry.height
    return RewardTotals(day, month, total, payments, last)


@dataclass(frozen=True)
class RewardEstimate:
    """An ESTIMATE of one node's income in a tier, with every input shown."""

    tier: Tier
    height: int  # the block whose subsidy is used
    per_block: int  # the tier's payout per block, satoshis
    blocks_per_day: int
    nodes: int  # enabled nodes in the tier
    per_day: int  # satoshis per node per day: per_block * blocks_per_day / nodes
    apr_percent: float  # per_day * 365 / collateral * 100

    @property
    def formula(self) -> str:
        return (f"{self.per_block} sat per block x {self.blocks_per_day} blocks per day / "
                f"{self.nodes} {self.tier.name.lower()} nodes")

    @property
    def payment_interval_seconds(self) -> int:
        """About how often one node of the tier is paid: one payout per block, in turn."""
        return self.nodes * DAY_SECONDS // self.blocks_per_day

    def describe(self, amount: Callable[[int], str]) -> str:
        """"about 1.5 FLUX/day per node (estimate: …; APR about 4.38 %)", amounts written by
        ``amount`` (satoshis -> text), so the CLI and the GUI say the same thing."""
        return (f"about {amount(self.per_day)}/day per node (estimate: {self.formula}; "
                f"APR about {round(self.apr_percent, 2)} %)")


def estimate(network: Network, tier: Tier, *, height: int, nodes: int,
             timing: NodeTiming = PON_TIMING) -> RewardEstimate | None:
    """None when the tier has no enabled node (nothing to share). RewardsUnknown (flux.rewards)
    when the schedule does not cover ``height``."""
    if nodes <= 0:
        return None
    per_block = network.rewards.split(height).tiers[tier]
    blocks = DAY_SECONDS // timing.block_spacing
    per_day = per_block * blocks // nodes
    collateral = tier_spec(tier).collateral
    return RewardEstimate(tier, height, per_block, blocks, nodes, per_day,
                          per_day * 365 * 100 / collateral)

"""Rewards per node from history windows, and the per-tier estimate against the schedule."""

from __future__ import annotations

import pytest

from flux.money import COIN
from flux.networks import MAINNET, REGTEST
from flux.rewards import RewardsUnknown
from flux.tiers import Tier
from wallet.history import HistoryEntry, TxType
from wallet.nodes.rewards import estimate, node_rewards

PON = MAINNET.rewards.start_height
assert PON is not None


def paid(height: int | None, amount: int, address: str = "tA", kind: TxType = TxType.NODE_REWARD,
         ) -> HistoryEntry:
    return HistoryEntry(f"{height}", kind, amount, None, height, 1, 0, (address,))


def test_node_rewards_by_window_and_address() -> None:
    tip = 100_000
    history = [
        paid(tip, COIN),  # now
        paid(tip - 2_879, 2 * COIN),  # still within 24 h (2 880 blocks of 30 s)
        paid(tip - 2_880, 4 * COIN),  # a day old: 30 days only
        paid(tip - 86_400, 8 * COIN),  # older than 30 days
        paid(tip - 5, 16 * COIN, address="tB"),  # another node's address
        paid(tip - 5, 32 * COIN, kind=TxType.RECEIVED),  # not a reward
    ]
    totals = node_rewards(history, "tA", tip=tip)
    assert (totals.day, totals.month, totals.total) == (3 * COIN, 7 * COIN, 15 * COIN)
    assert totals.payments == 4 and totals.last_paid_height == tip


def test_estimate_follows_the_schedule() -> None:
    # First PON era: a Cumulus payout is 1 FLUX a block, 2 880 blocks a day.
    first = estimate(MAINNET, Tier.CUMULUS, height=PON, nodes=2_880)
    assert first is not None
    assert (first.per_block, first.blocks_per_day, first.per_day) == (COIN, 2_880, COIN)
    assert first.apr_percent == pytest.approx(36.5)
    assert "2880 blocks per day / 2880 cumulus nodes" in first.formula
    # After the first 10 % cut the payout is 0.9 of it, as the schedule says.
    later = estimate(MAINNET, Tier.STRATUS, height=PON + MAINNET.rewards.reduction_interval,
                     nodes=1_000)
    assert later is not None
    split = MAINNET.rewards.split(PON + MAINNET.rewards.reduction_interval)
    assert later.per_block == split.tiers[Tier.STRATUS] == 9 * COIN * 9 // 10
    assert later.per_day == later.per_block * 2_880 // 1_000
    assert estimate(MAINNET, Tier.NIMBUS, height=PON, nodes=0) is None
    with pytest.raises(RewardsUnknown):
        estimate(REGTEST, Tier.CUMULUS, height=10, nodes=5)

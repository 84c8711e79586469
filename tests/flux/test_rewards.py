"""The PON reward schedule against docs/protocol-fluxnode.md (fluxd main.cpp GetBlockSubsidy)."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flux.money import COIN
from flux.networks import MAINNET, REGTEST, TESTNET
from flux.rewards import RewardSchedule, RewardsUnknown
from flux.tiers import Tier

PON = 2_020_000
YEAR = 1_051_200


def test_year_zero_pays_14_flux_split_1_3_5_9_and_half_to_the_dev_fund():
    assert MAINNET.rewards.subsidy(PON) == 14 * COIN
    split = MAINNET.rewards.split(PON)
    assert split.tiers == {Tier.CUMULUS: COIN, Tier.NIMBUS: 350_000_000, Tier.STRATUS: 9 * COIN}
    assert split.dev_fund == 50_000_000
    assert split.total == 14 * COIN


def test_the_published_yearly_table():
    # Year 1 (block 3 071 200): 12.6 = 0.9 + 3.15 + 8.1 + 0.45; year 2: 11.34 in total.
    assert PON + YEAR == 3_071_200
    year1 = MAINNET.rewards.split(3_071_200)
    assert year1.tiers == {
        Tier.CUMULUS: 90_000_000, Tier.NIMBUS: 315_000_000, Tier.STRATUS: 810_000_000
    }
    assert year1.dev_fund == 45_000_000
    assert MAINNET.rewards.subsidy(3_071_199) == 14 * COIN
    assert MAINNET.rewards.subsidy(PON + 2 * YEAR) == 1_134_000_000
    assert MAINNET.rewards.split(PON + 2 * YEAR).tiers[Tier.CUMULUS] == 81_000_000


def test_at_most_twenty_cuts_on_mainnet_and_ten_on_regtest():
    assert MAINNET.rewards.subsidy(PON + 30 * YEAR) == MAINNET.rewards.subsidy(PON + 20 * YEAR)
    assert MAINNET.rewards.subsidy(PON + 20 * YEAR) < MAINNET.rewards.subsidy(PON + 19 * YEAR)
    regtest = dataclasses.replace(REGTEST.rewards, start_height=0)
    assert regtest.subsidy(10 * 100) == regtest.subsidy(50 * 100) < regtest.subsidy(9 * 100)


def test_reduction_interval_per_network():
    assert (MAINNET.rewards.reduction_interval, MAINNET.rewards.max_reductions) == (YEAR, 20)
    assert (TESTNET.rewards.start_height, TESTNET.rewards.reduction_interval) == (800, 525_600)
    assert TESTNET.rewards.subsidy(800 + 525_600) == 1_260_000_000


def test_heights_before_pon_are_refused_with_a_reason():
    with pytest.raises(RewardsUnknown, match="starts at block 2020000"):
        MAINNET.rewards.subsidy(PON - 1)
    with pytest.raises(RewardsUnknown, match="is not active"):
        REGTEST.rewards.split(5)


@given(st.integers(min_value=0, max_value=40_000_000))
def test_split_always_pays_exactly_the_subsidy(offset):
    schedule = RewardSchedule(0, YEAR, 20)
    split = schedule.split(offset)
    assert split.total == schedule.subsidy(offset)
    assert 0 <= split.dev_fund < split.tiers[Tier.CUMULUS]
    assert split.tiers[Tier.CUMULUS] < split.tiers[Tier.NIMBUS] < split.tiers[Tier.STRATUS]

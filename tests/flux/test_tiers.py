"""The one tier table against docs/protocol-fluxnode.md and docs/node-ops.md."""

import pytest

from flux.money import COIN
from flux.networks import MAINNET, TESTNET
from flux.tiers import (
    TIER_KEYS,
    TIERS,
    Tier,
    tier_by_name,
    tier_for_amount,
    tier_spec,
    valid_collateral_amounts,
)


def test_tier_table():
    amounts = {spec.tier: spec.collateral for spec in TIERS}
    assert amounts == {
        Tier.CUMULUS: 1_000 * COIN,
        Tier.NIMBUS: 12_500 * COIN,
        Tier.STRATUS: 40_000 * COIN,
    }
    legacy = {spec.tier: spec.legacy_collateral for spec in TIERS}
    assert legacy == {
        Tier.CUMULUS: 10_000 * COIN,
        Tier.NIMBUS: 25_000 * COIN,
        Tier.STRATUS: 100_000 * COIN,
    }
    assert tier_spec(Tier.NIMBUS).title == "Nimbus"
    assert tier_spec(Tier.NIMBUS).name == "NIMBUS"
    assert [int(t) for t in Tier] == [1, 2, 3]


def test_collateral_amounts_today_are_v2_only():
    assert tier_for_amount(1_000 * COIN, MAINNET) is Tier.CUMULUS
    assert tier_for_amount(40_000 * COIN, TESTNET) is Tier.STRATUS
    assert tier_for_amount(1_000 * COIN + 1, MAINNET) is None
    assert tier_for_amount(10_000 * COIN, MAINNET) is None
    assert tier_for_amount(10_000 * COIN, MAINNET, height=3_000_000) is None


def test_collateral_amounts_follow_mainnet_transition_heights():
    before = valid_collateral_amounts(MAINNET, 1_076_531)
    assert set(before) == {10_000 * COIN, 25_000 * COIN, 100_000 * COIN}
    during = valid_collateral_amounts(MAINNET, 1_076_532)  # Cumulus window opens
    assert during[1_000 * COIN] is Tier.CUMULUS and during[10_000 * COIN] is Tier.CUMULUS
    assert 12_500 * COIN not in during
    after_cumulus = valid_collateral_amounts(MAINNET, 1_086_612)
    assert 10_000 * COIN not in after_cumulus and 25_000 * COIN in after_cumulus
    assert set(valid_collateral_amounts(MAINNET, 1_097_412)) == {s.collateral for s in TIERS}


def test_names_in_every_spelling_find_the_same_tier():
    assert TIER_KEYS == ("cumulus", "nimbus", "stratus")
    for spelling in ("nimbus", "NIMBUS", " Nimbus "):
        assert tier_by_name(spelling).tier is Tier.NIMBUS
    with pytest.raises(KeyError, match="cumulus, nimbus, stratus"):
        tier_by_name("thunder")


def test_reward_shares_add_up_to_the_pon_block_minus_the_dev_fund():
    # 1 + 3.5 + 9 of the 14 FLUX PON subsidy; 0.5 FLUX goes to the development fund.
    assert [t.reward_base for t in TIERS] == [COIN, 350_000_000, 9 * COIN]
    assert 14 * COIN - sum(t.reward_base for t in TIERS) == COIN // 2


def test_collateral_in_flux_and_keys():
    assert [(t.key, t.collateral_flux) for t in TIERS] == [
        ("cumulus", 1_000), ("nimbus", 12_500), ("stratus", 40_000)
    ]

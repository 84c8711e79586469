"""Network parameters against the spec tables (wallet-protocol.md §1–2, fluxnode-protocol.md §1)."""

import dataclasses

import pytest

from wallet.errors import UnknownNetwork, WalletError
from wallet.networks import (
    ACADIA_BRANCH_ID,
    COIN,
    MAINNET,
    NETWORK_UPGRADES,
    NETWORKS,
    REGTEST,
    TESTNET,
    TIERS,
    Tier,
    branch_id_at,
    network_by_name,
    same_encoding,
    tier_for_amount,
    tier_spec,
    valid_collateral_amounts,
)


def test_mainnet_parameters():
    assert MAINNET.p2pkh_prefix == bytes.fromhex("1cb8")
    assert MAINNET.p2sh_prefix == bytes.fromhex("1cbd")
    assert MAINNET.wif_prefix == 0x80
    assert (MAINNET.xpub_version, MAINNET.xprv_version) == (0x0488B21E, 0x0488ADE4)
    assert MAINNET.coin_type == 19167
    assert (MAINNET.p2p_port, MAINNET.rpc_port) == (16125, 16124)
    assert MAINNET.message_start == bytes.fromhex("24e92764")
    assert MAINNET.branch_id == 0x76B809BB


def test_testnet_and_regtest_parameters():
    for net in (TESTNET, REGTEST):
        assert net.p2pkh_prefix == bytes.fromhex("1d25")
        assert net.p2sh_prefix == bytes.fromhex("1cba")
        assert net.wif_prefix == 0xEF
        assert (net.xpub_version, net.xprv_version) == (0x043587CF, 0x04358394)
        assert net.coin_type == 1
        assert net.rpc_port == 26124
    assert TESTNET.p2p_port == 26125
    assert REGTEST.p2p_port == 26126
    assert TESTNET.message_start != REGTEST.message_start


def test_networks_are_frozen_data():
    with pytest.raises(dataclasses.FrozenInstanceError):
        MAINNET.coin_type = 1  # type: ignore[misc]
    assert len({n.name for n in NETWORKS}) == 3


@pytest.mark.parametrize(
    ("name", "expected"),
    [("mainnet", MAINNET), ("Main", MAINNET), (" testnet ", TESTNET), ("reg", REGTEST)],
)
def test_network_by_name(name, expected):
    assert network_by_name(name) is expected


def test_unknown_network_is_a_typed_error():
    with pytest.raises(UnknownNetwork, match="mainnet, testnet, regtest"):
        network_by_name("bitcoin")
    assert issubclass(UnknownNetwork, WalletError)


def test_testnet_and_regtest_share_encoding_but_not_mainnet():
    assert same_encoding(TESTNET, REGTEST)
    assert not same_encoding(MAINNET, TESTNET)


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
    assert tier_spec(Tier.NIMBUS).name == "Nimbus"
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


def test_branch_ids():
    assert all(u.branch_id in (0, ACADIA_BRANCH_ID) for u in NETWORK_UPGRADES)
    assert branch_id_at(MAINNET, 124_999) == 0
    assert branch_id_at(MAINNET, 125_000) == ACADIA_BRANCH_ID
    assert branch_id_at(MAINNET, 2_100_000) == ACADIA_BRANCH_ID
    assert branch_id_at(TESTNET, 69) == 0
    assert branch_id_at(TESTNET, 70) == ACADIA_BRANCH_ID
    assert branch_id_at(REGTEST, 10_000) == 0
    pon = next(u for u in NETWORK_UPGRADES if u.name == "PON")
    assert (pon.mainnet_height, pon.testnet_height, pon.protocol_version) == (
        2_020_000,
        800,
        170020,
    )

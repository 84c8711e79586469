"""Network parameters against docs/protocol-wallet.md (fluxd chainparams.cpp, upgrades.cpp)."""

import dataclasses

import pytest

from flux.errors import FluxError, UnknownNetwork
from flux.networks import (
    ACADIA_BRANCH_ID,
    MAINNET,
    NETWORK_UPGRADES,
    NETWORKS,
    PON_TARGET_SPACING,
    REGTEST,
    TESTNET,
    block_spacing,
    branch_id_at,
    network_by_name,
    same_encoding,
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
    assert issubclass(UnknownNetwork, FluxError)


def test_testnet_and_regtest_share_encoding_but_not_mainnet():
    assert same_encoding(TESTNET, REGTEST)
    assert not same_encoding(MAINNET, TESTNET)


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


def test_ports_per_network():
    assert (TESTNET.p2p_port, TESTNET.rpc_port) == (26125, 26124)
    assert (REGTEST.p2p_port, REGTEST.rpc_port) == (26126, 26124)
    assert [n.ports.fluxbench_rpc for n in NETWORKS] == [16224, 26224, 26224]


def test_block_spacing_switches_at_pon():
    # 120 s (testnet 60 s) proof-of-work blocks before PON, 30 s node-made blocks from PON on.
    assert PON_TARGET_SPACING == 30
    assert block_spacing(MAINNET, 2_019_999) == 120
    assert block_spacing(MAINNET, 2_020_000) == 30
    assert block_spacing(TESTNET, 799) == 60
    assert block_spacing(TESTNET, 800) == 30
    # Regtest activates no upgrade by default.
    assert REGTEST.upgrade_height("PON") is None
    assert block_spacing(REGTEST, 10_000) == REGTEST.pow_target_spacing


def test_upgrade_height_of_an_unknown_upgrade_is_an_error():
    assert MAINNET.upgrade_height("P2SHNODES") == 1_549_500
    with pytest.raises(KeyError):
        MAINNET.upgrade_height("NOPE")

"""t-addresses: published vectors, network checks, scripts, and fuzzing of the decoders."""

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flux.networks import MAINNET, REGTEST, TESTNET
from tests.paths import VECTORS_DIR
from wallet.address import (
    address_from_hash,
    address_from_script,
    bitcoin_p2pkh_address,
    decode_address,
    decode_address_for,
    decode_bitcoin_p2pkh,
    is_valid_address,
    networks_for_address,
    p2pkh_address,
    p2sh_address,
    script_pubkey_for_address,
)
from wallet.encoding import b58check_encode, hash160
from wallet.errors import InvalidAddress, InvalidKey, WalletError
from wallet.hd import HDKey
from wallet.keys import PrivateKey
from wallet.script import ScriptKind, multisig_script, nulldata_script, p2pkh_script, p2sh_script

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
SSP = VECTORS["bip39_bip32_ssp_PUBLISHED"]
START = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())["common_keys"]


def test_collateral_address_vector():
    pubkey = bytes.fromhex(START["collateral_pubkey_compressed"])
    address = p2pkh_address(pubkey, MAINNET)
    assert address == START["collateral_address_computed"]
    network, kind, digest = decode_address(address)
    assert (network, kind, digest) == (MAINNET, ScriptKind.P2PKH, hash160(pubkey))
    assert kind == "p2pkh"


def test_message_signer_address_vector():
    vector = VECTORS["message_signing_PUBLISHED"][0]
    pubkey = bytes.fromhex(vector["signer_pubkey"])
    assert p2pkh_address(pubkey, MAINNET) == vector["signer_t1_address_DERIVED"]


def test_ssp_2of2_p2sh_address_from_xpubs():
    vector = SSP["multisig_2of2"]
    path = f"m/{vector['typeIndex']}/{vector['addressIndex']}"
    keys = [
        HDKey.from_extended_key(vector[name], MAINNET).derive(path).public_key
        for name in ("xpub_wallet", "xpub_key")
    ]
    redeem = multisig_script(2, keys, sort=True)
    assert redeem.hex() == vector["redeemScript"]
    address = p2sh_address(redeem, MAINNET)
    assert address == vector["address"] and address.startswith("t3")
    network, kind, digest = decode_address(address)
    assert (network, kind, digest) == (MAINNET, ScriptKind.P2SH, hash160(redeem))
    assert script_pubkey_for_address(address, MAINNET) == p2sh_script(hash160(redeem))


def test_btc_external_identity_vector():
    vector = SSP["external_identity_11_0_btc"]
    pubkey = bytes.fromhex(vector["pubkey"])
    assert bitcoin_p2pkh_address(pubkey) == vector["address"]
    assert decode_bitcoin_p2pkh(vector["address"]) == hash160(pubkey)
    assert PrivateKey.from_wif(vector["wif"]).public_key() == pubkey
    with pytest.raises(InvalidAddress, match="Bitcoin-style"):
        decode_address(vector["address"])
    with pytest.raises(InvalidAddress, match="Flux ID starts with 1"):
        decode_bitcoin_p2pkh(START["collateral_address_computed"])


def test_prefixes_give_expected_leading_characters():
    key = PrivateKey(bytes(range(1, 33)))
    assert p2pkh_address(key.public_key(), MAINNET).startswith("t1")
    assert p2pkh_address(key.public_key(), TESTNET).startswith("tm")
    assert p2sh_address(b"\x51", MAINNET).startswith("t3")
    assert p2sh_address(b"\x51", TESTNET).startswith("t2")
    assert len(p2pkh_address(key.public_key(), MAINNET)) == 35


def test_uncompressed_key_gives_a_different_address():
    identity = PrivateKey.from_wif(START["fluxnode_wif"])
    a = p2pkh_address(identity.public_key(), MAINNET)
    b = p2pkh_address(identity.public_key(compressed=True), MAINNET)
    assert a != b
    assert decode_address(a)[2] == hash160(bytes.fromhex(START["fluxnode_pubkey_uncompressed"]))


def test_network_mismatch_message():
    mainnet_address = START["collateral_address_computed"]
    with pytest.raises(InvalidAddress, match="mainnet address, but you are on testnet"):
        decode_address_for(mainnet_address, TESTNET)
    testnet_address = p2pkh_address(bytes.fromhex(START["collateral_pubkey_compressed"]), TESTNET)
    with pytest.raises(InvalidAddress, match="testnet address, but you are on mainnet"):
        script_pubkey_for_address(testnet_address, MAINNET)
    assert decode_address_for(testnet_address, REGTEST)[0] is ScriptKind.P2PKH
    assert networks_for_address(testnet_address) == (TESTNET, REGTEST)
    assert networks_for_address(mainnet_address) == (MAINNET,)
    assert is_valid_address(mainnet_address) and not is_valid_address(mainnet_address, TESTNET)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCG", "not a Flux address: it has a typo"),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dC", "not a Flux address: it has a typo"),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dC0", "'0' \\(character 35\\) never appears"),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCl", "'l' \\(character 35\\) never appears"),
        ("t1g4", "not a Flux address: it is too short"),
        ("t1" * 40, "not a Flux address: it is too long"),
        (b58check_encode(b"\x1c\xb8" + b"\x00" * 19), "not a Flux address: it is too short"),
        (b58check_encode(b"\x1c\xb8" + b"\x00" * 21), "not a Flux address: it is too long"),
        (b58check_encode(b"\x1c\xb9" + b"\x00" * 20), "start with t1 or t3"),
        (b58check_encode(b"\x05" + b"\x00" * 20), "Bitcoin-style"),
    ],
)
def test_decode_rejections(text, reason):
    with pytest.raises(InvalidAddress, match=reason) as caught:
        decode_address(text)
    # Plain words only: none of the encoding's jargon reaches the person.
    for jargon in ("base58", "Base58", "bytes", "prefix", "payload"):
        assert jargon not in str(caught.value)


def test_decode_tolerates_surrounding_whitespace():
    address = START["collateral_address_computed"]
    assert decode_address(f"  {address}\n")[0] is MAINNET


def test_non_text_address():
    with pytest.raises(InvalidAddress, match="text"):
        decode_address(b"t1abc")  # type: ignore[arg-type]


def test_p2pkh_address_rejects_invalid_pubkey():
    with pytest.raises(InvalidKey):
        p2pkh_address(b"\x02" * 20, MAINNET)
    with pytest.raises(InvalidAddress):
        p2sh_address(b"", MAINNET)


def test_address_from_script_and_back():
    digest = bytes(range(20))
    for network in (MAINNET, TESTNET):
        a = address_from_script(p2pkh_script(digest), network)
        b = address_from_script(p2sh_script(digest), network)
        assert a is not None and b is not None
        assert script_pubkey_for_address(a, network) == p2pkh_script(digest)
        assert script_pubkey_for_address(b, network) == p2sh_script(digest)
    assert address_from_script(nulldata_script(b"hi"), MAINNET) is None
    assert address_from_script(b"", MAINNET) is None
    with pytest.raises(InvalidAddress):
        address_from_hash(digest, "multisig", MAINNET)
    with pytest.raises(InvalidAddress, match="20-byte"):
        address_from_hash(digest[:-1], ScriptKind.P2PKH, MAINNET)


@given(
    st.binary(min_size=20, max_size=20),
    st.sampled_from([ScriptKind.P2PKH, ScriptKind.P2SH]),
    st.sampled_from([MAINNET, TESTNET]),
)
def test_encode_decode_roundtrip(digest, kind, network):
    address = address_from_hash(digest, kind, network)
    assert decode_address(address) == (network, kind, digest)
    assert address_from_script(script_pubkey_for_address(address, network), network) == address


@given(st.text(max_size=60))
def test_random_text_raises_only_invalid_address(text):
    with contextlib.suppress(InvalidAddress):
        decode_address(text)
    with contextlib.suppress(InvalidAddress):
        decode_bitcoin_p2pkh(text)


@given(st.binary(min_size=1, max_size=30))
def test_random_checked_payloads_raise_only_typed_errors(payload):
    text = b58check_encode(payload)
    for network in (MAINNET, TESTNET):
        try:
            script_pubkey_for_address(text, network)
        except WalletError as exc:
            assert isinstance(exc, InvalidAddress)


@given(st.binary(max_size=80), st.sampled_from([MAINNET, TESTNET, REGTEST]))
def test_address_from_random_script_never_raises(script, network):
    address = address_from_script(script, network)
    if address is not None:
        assert script_pubkey_for_address(address, network) == script

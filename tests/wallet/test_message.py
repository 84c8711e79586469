"""Message signing: the flux-sdk vector, Zelcash and Bitcoin magic, Flux IDs, malformed input."""

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.networks import MAINNET, REGTEST, TESTNET
from tests.paths import VECTORS_DIR
from wallet.address import bitcoin_p2pkh_address, p2pkh_address, p2sh_address
from wallet.encoding import sha256d
from wallet.errors import InvalidKey, InvalidMessageSignature, SigningError
from wallet.hd import HDKey, mnemonic_to_seed
from wallet.keys import CURVE_ORDER, PrivateKey
from wallet.message import (
    magic_string,
    message_hash,
    recover_message_pubkey,
    sign_message,
    verify_message,
    verify_message_strict,
)

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
SIGNED = VECTORS["message_signing_PUBLISHED"]
SSP = VECTORS["bip39_bip32_ssp_PUBLISHED"]


@pytest.mark.parametrize("vector", SIGNED, ids=lambda v: v["private_key_wif"][:6])
def test_published_message_signatures(vector):
    key = PrivateKey.from_wif(vector["private_key_wif"])
    assert key.compressed is vector["compressed"]
    signature = sign_message(key, vector["message_utf8"])
    assert signature == vector["signature_base64"]
    assert 31 <= base64.b64decode(signature)[0] <= 34  # compressed key header
    address = vector["signer_t1_address_DERIVED"]
    assert verify_message(address, vector["signature_base64"], vector["message_utf8"])
    assert (
        recover_message_pubkey(signature, vector["message_utf8"]).hex() == (vector["signer_pubkey"])
    )
    assert not verify_message(address, vector["signature_base64"], vector["message_utf8"] + " ")


def test_message_hash_layout():
    message = "hello"
    expected = sha256d(b"\x18Zelcash Signed Message:\n" + b"\x05hello")
    assert message_hash(message) == expected
    assert message_hash(message, "Bitcoin") == sha256d(
        b"\x18Bitcoin Signed Message:\n" + b"\x05hello"
    )
    long_message = "x" * 300
    assert message_hash(long_message) == sha256d(
        b"\x18Zelcash Signed Message:\n" + b"\xfd\x2c\x01" + b"x" * 300
    )


def test_known_bitcoin_message_signature():
    # bitcoinjs-message README example: key 1…(WIF L4rK1y…), compressed, Bitcoin magic.
    key = PrivateKey.from_wif("L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1")
    signature = sign_message(key, "This is an example of a signed message.", magic="Bitcoin")
    assert signature == (
        "H9L5yLFjti0QTHhPyFrZCT1V/MMnBtXKmoiKDZ78NDBjERki6ZTQZdSMCtkgoNmp17By9ItJr8o7ChX0XxY91nk="
    )
    assert verify_message(
        "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV",
        signature,
        "This is an example of a signed message.",
        magic="Bitcoin",
    )


def test_flux_id_login_with_bitcoin_magic():
    master = HDKey.from_seed(mnemonic_to_seed(SSP["mnemonic"]), MAINNET)
    identity = master.derive("m/48'/1'/0'/0'/11/0")
    flux_id = bitcoin_p2pkh_address(identity.public_key)
    assert flux_id == SSP["external_identity_11_0_btc"]["address"]
    phrase = "1700000000000" + "a" * 40
    signature = sign_message(identity, phrase, magic="Bitcoin")
    assert verify_message(flux_id, signature, phrase, magic="Bitcoin")
    # The magic is part of what is signed.
    assert not verify_message(flux_id, signature, phrase, magic="Zelcash")


@pytest.mark.parametrize("network", [MAINNET, TESTNET, REGTEST])
def test_any_network_p2pkh_address(network):
    key = PrivateKey.generate()
    signature = sign_message(key, "hi")
    assert verify_message(p2pkh_address(key.public_key(), network), signature, "hi")


def test_uncompressed_key_signs_with_its_own_flag():
    key = PrivateKey.from_wif("5JF3aGCa6bkPvfSzqtzX7fXFjfjUG4qzp9hdtRujLRE9ZAMfhiF")
    signature = sign_message(key, "node")
    assert 27 <= base64.b64decode(signature)[0] <= 30
    assert verify_message(p2pkh_address(key.public_key(), MAINNET), signature, "node")
    compressed_address = p2pkh_address(key.public_key(compressed=True), MAINNET)
    assert not verify_message(compressed_address, signature, "node")


def test_wrong_signer_is_false_with_a_reason():
    signer, other = PrivateKey.generate(), PrivateKey.generate()
    signature = sign_message(signer, "pay me")
    address = p2pkh_address(other.public_key(), MAINNET)
    assert verify_message(address, signature, "pay me") is False
    with pytest.raises(InvalidMessageSignature, match="not made by this address"):
        verify_message_strict(address, signature, "pay me")


@pytest.mark.parametrize(
    ("address", "signature", "reason"),
    [
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCF", "not base64!", "base64"),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCF", base64.b64encode(b"\x1f" * 64).decode(), "65"),
        (
            "t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCF",
            base64.b64encode(b"\x05" + b"\x01" * 64).decode(),
            "header",
        ),
        (
            "t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCF",
            base64.b64encode(b"\x1f" + b"\x00" * 64).decode(),
            "recover",
        ),
        ("t1g4kUVY1aJtENtWD69wfNbjJ3Cfd2E8dCG", SIGNED[0]["signature_base64"], "typo"),
        ("", SIGNED[0]["signature_base64"], "empty"),
    ],
)
def test_malformed_input_is_false_or_explained(address, signature, reason):
    message = SIGNED[0]["message_utf8"]
    assert verify_message(address, signature, message) is False
    with pytest.raises(InvalidMessageSignature, match=reason):
        verify_message_strict(address, signature, message)


def test_p2sh_address_cannot_verify():
    address = p2sh_address(b"\x51", MAINNET)
    assert not verify_message(address, SIGNED[0]["signature_base64"], "x")
    with pytest.raises(InvalidMessageSignature, match="P2SH"):
        verify_message_strict(address, SIGNED[0]["signature_base64"], "x")


def test_magic_names():
    assert magic_string("Zelcash") == "Zelcash Signed Message:\n"
    assert magic_string("Bitcoin") == "Bitcoin Signed Message:\n"
    # utxo-lib's capitalisation is a different string; usable only when spelled out in full.
    assert magic_string("ZelCash Signed Message:\n") == "ZelCash Signed Message:\n"
    with pytest.raises(SigningError, match="Unknown message magic"):
        magic_string("ZelCash")
    key = PrivateKey.generate()
    with pytest.raises(SigningError):
        sign_message(key, "x", magic="Litecoin")
    address = p2pkh_address(key.public_key(), MAINNET)
    assert not verify_message(address, sign_message(key, "x"), "x", magic="Litecoin")
    zelcash_capital = sign_message(key, "x", magic="ZelCash Signed Message:\n")
    assert not verify_message(address, zelcash_capital, "x")


def test_sign_rejects_non_keys_and_watch_only():
    with pytest.raises(SigningError):
        sign_message("L17FU2CoD4joDmEp1xMbfuD6eQ8Yr8SEC2gjbcKktLs3DS3WCCxF", "x")  # type: ignore[arg-type]
    watch = HDKey.from_extended_key(SSP["account_xpub"], MAINNET)
    with pytest.raises(InvalidKey, match="watch-only"):
        sign_message(watch, "x")


def test_signatures_are_deterministic():
    key = PrivateKey.from_wif(SIGNED[0]["private_key_wif"])
    assert sign_message(key, "same") == sign_message(key, "same")
    assert sign_message(key, "same") != sign_message(key, "other")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=CURVE_ORDER - 1),
    st.booleans(),
    st.text(max_size=300),
    st.sampled_from(["Zelcash", "Bitcoin"]),
)
def test_sign_then_verify(secret, compressed, message, magic):
    key = PrivateKey(secret.to_bytes(32, "big"), compressed=compressed)
    signature = sign_message(key, message, magic)
    assert verify_message(p2pkh_address(key.public_key(), MAINNET), signature, message, magic)
    if compressed:
        assert verify_message(bitcoin_p2pkh_address(key.public_key()), signature, message, magic)


@given(st.text(max_size=60), st.text(max_size=120), st.text(max_size=40))
def test_verify_never_raises(address, signature, message):
    assert verify_message(address, signature, message) in (True, False)


@given(st.binary(max_size=70))
def test_verify_never_raises_on_random_signature_bytes(raw):
    signature = base64.b64encode(raw).decode()
    assert verify_message(SIGNED[0]["signer_t1_address_DERIVED"], signature, "m") in (True, False)

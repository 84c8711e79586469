"""BIP32: published Flux/SSP vectors, BIP32 reference vectors, watch-only derivation, errors."""

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.networks import MAINNET, REGTEST, TESTNET
from tests.paths import VECTORS_DIR
from wallet.address import p2pkh_address
from wallet.encoding import b58check_decode, b58check_encode
from wallet.errors import InvalidKey, InvalidPath, WalletError
from wallet.hd import HARDENED, HDKey, default_path, mnemonic_to_seed, parse_path
from wallet.keys import PrivateKey

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
SSP = VECTORS["bip39_bip32_ssp_PUBLISHED"]
DERIVED = VECTORS["bip39_bip32_DERIVED"]

# BIP32 reference test vector 1 (bips/bip-0032.mediawiki).
BIP32_TV1_SEED = "000102030405060708090a0b0c0d0e0f"
BIP32_TV1 = [
    (
        "m",
        "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265T"
        "Mg7usUDFdp6W1EGMcet8",
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3T"
        "GtRBeJgk33yuGBxrMPHi",
    ),
    (
        "m/0H",
        "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv"
        "5ski8PX9rL2dZXvgGDnw",
        "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7X"
        "nxHrnYeSvkzY7d2bhkJ7",
    ),
    (
        "m/0H/1/2H/2/1000000000",
        "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvX"
        "EYBVPamhGW6cFJodrTHy",
        "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUih"
        "UZREPSL39UNdE3BBDu76",
    ),
]


@pytest.fixture(scope="module")
def master() -> HDKey:
    return HDKey.from_seed(mnemonic_to_seed(SSP["mnemonic"], SSP["passphrase"]), MAINNET)


@pytest.fixture(scope="module")
def account(master: HDKey) -> HDKey:
    return master.derive("m/48'/1'/0'/0'")


def test_ssp_account_xpub_xprv(account):
    assert account.xpub() == SSP["account_xpub"]
    assert account.xprv() == SSP["account_xprv"]
    assert account.depth == 4
    assert account.child_number == HARDENED


def test_ssp_child_0_1(account):
    child = account.derive("m/0/1")
    vector = SSP["child_0_1"]
    assert child.public_key.hex() == vector["pubkey"]
    assert child.private_key.secret.hex() == vector["privkey_hex"]
    assert child.private_key.to_wif(MAINNET, compressed=True) == vector["wif"]
    assert isinstance(child.private_key, PrivateKey) and child.private_key.compressed


def test_ssp_internal_identity_address(account):
    node = account.derive("m/10/0")
    assert (
        p2pkh_address(node.public_key, MAINNET) == SSP["internal_identity_10_0_p2pkh_t1"]["address"]
    )


def test_ssp_production_path_derived_vector(master):
    node = master.derive("m/48'/19167'/0'/0'")
    assert node.xpub() == DERIVED["account_xpub_m_48h_19167h_0h_0h"]
    leaf = node.derive("0/0")
    assert leaf.public_key.hex() == DERIVED["pubkey_of_m_48h_19167h_0h_0h_0_0"]
    assert p2pkh_address(leaf.public_key, MAINNET) == DERIVED["p2pkh_of_m_48h_19167h_0h_0h_0_0"]


def test_watch_only_from_xpub_matches_private_derivation(account):
    watch = HDKey.from_extended_key(SSP["account_xpub"], MAINNET)
    assert not watch.is_private
    assert watch.derive("m/0/1").public_key.hex() == SSP["child_0_1"]["pubkey"]
    assert watch.xpub() == SSP["account_xpub"]
    assert watch.fingerprint == account.fingerprint
    with pytest.raises(InvalidKey, match="watch-only"):
        _ = watch.private_key
    with pytest.raises(InvalidKey):
        watch.xprv()
    with pytest.raises(InvalidPath, match="hardened"):
        watch.derive("m/0'")
    assert account.neutered().xpub() == SSP["account_xpub"]


def test_xprv_import_roundtrip(account):
    again = HDKey.from_extended_key(SSP["account_xprv"], MAINNET)
    assert again.is_private
    assert again.xprv() == SSP["account_xprv"]
    assert again.parent_fingerprint == account.parent_fingerprint
    assert again.derive("m/0/1").private_key.secret.hex() == SSP["child_0_1"]["privkey_hex"]


@pytest.mark.parametrize(("path", "xpub", "xprv"), BIP32_TV1)
def test_bip32_reference_vector_1(path, xpub, xprv):
    node = HDKey.from_seed(bytes.fromhex(BIP32_TV1_SEED), MAINNET).derive(path)
    assert node.xpub() == xpub
    assert node.xprv() == xprv


def test_bip32_reference_vector_3_leading_zero_key():
    seed = bytes.fromhex(
        "4b381541583be4423346c643850da4b320e46a87ae3d2a4e6da11eba819cd4acba45d239319ac14f863b8d5ab5a"
        "0d0c64d2e8a1e7d1457df2e5a3c51c73235be"
    )
    node = HDKey.from_seed(seed, MAINNET).derive("m/0'")
    assert node.xprv() == (
        "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFce"
        "UvJFjaPdGZ2y9WACViL4L"
    )


def test_path_notations_agree(master):
    a = master.derive("m/44'/19167'/0'/0/5")
    b = master.derive("m/44h/19167H/0'/0/5")
    c = master.derive("44'/19167'/0'/0/5")
    assert a.public_key == b.public_key == c.public_key
    assert master.derive("m") is master
    assert a.depth == 5 and a.child_number == 5


def test_default_path():
    assert default_path(MAINNET) == "m/44'/19167'/0'/0/0"
    assert default_path(TESTNET, account=2, change=1, index=7) == "m/44'/1'/2'/1/7"
    assert default_path(REGTEST, 0, 0, 3) == "m/44'/1'/0'/0/3"
    with pytest.raises(InvalidPath, match="account"):
        default_path(MAINNET, account=-1)


def test_parse_path():
    assert parse_path("m") == []
    assert parse_path("m/0'/1") == [HARDENED, 1]
    assert parse_path(" m / 2147483647h ") == [HARDENED + 2147483647]
    for bad in ("", "/0", "m/", "m//1", "m/x", "m/-1", "m/1''", "m/2147483648", "n/1", "m/1/"):
        with pytest.raises(InvalidPath):
            parse_path(bad)
    with pytest.raises(InvalidPath):
        parse_path(None)  # type: ignore[arg-type]


def test_testnet_versions_and_network_checks():
    node = HDKey.from_seed(bytes(range(32)), TESTNET)
    assert node.xpub().startswith("tpub") and node.xprv().startswith("tprv")
    assert HDKey.from_extended_key(node.xpub()).network is TESTNET
    assert HDKey.from_extended_key(node.xpub(), REGTEST).network is REGTEST
    with pytest.raises(InvalidKey, match="testnet, but you are on mainnet"):
        HDKey.from_extended_key(node.xprv(), MAINNET)
    mainnet_node = HDKey.from_seed(bytes(range(32)), MAINNET)
    assert mainnet_node.derive("m/1").private_key.to_wif().startswith(("K", "L"))
    assert node.derive("m/1").private_key.to_wif().startswith("c")


def _tamper(text: str, offset: int, value: bytes) -> str:
    raw = bytearray(b58check_decode(text))
    raw[offset : offset + len(value)] = value
    return b58check_encode(bytes(raw))


def test_malformed_extended_keys(account):
    xprv, xpub = SSP["account_xprv"], SSP["account_xpub"]
    cases = {
        "Checksum": xpub[:-1] + ("1" if xpub[-1] != "1" else "2"),
        "this one 77": b58check_encode(b58check_decode(xpub)[:-1]),
        "Unknown extended-key version": _tamper(xpub, 0, b"\x01\x02\x03\x04"),
        "zero byte": _tamper(xprv, 45, b"\x01"),
        "curve": _tamper(xpub, 45, b"\x02" + b"\xff" * 32),
        "out of range": _tamper(xprv, 46, b"\xff" * 32),
        "depth-0": _tamper(_tamper(xpub, 4, b"\x00"), 9, b"\x00\x00\x00\x01"),
    }
    for expected, text in cases.items():
        with pytest.raises(InvalidKey, match=expected):
            HDKey.from_extended_key(text, MAINNET)


def test_seed_length_limits():
    with pytest.raises(InvalidKey, match="16 to 64"):
        HDKey.from_seed(b"\x00" * 15, MAINNET)
    with pytest.raises(InvalidKey):
        HDKey.from_seed(b"\x00" * 65, MAINNET)


def test_repr_hides_secrets(account):
    text = repr(account) + str(account) + repr(account.private_key)
    secret = account.private_key.secret.hex()
    assert secret not in text
    assert SSP["account_xprv"] not in text
    assert "depth=4" in repr(account) and "private" in repr(account)


def test_from_mnemonic_shortcut(master):
    node = HDKey.from_mnemonic(SSP["mnemonic"], MAINNET)
    assert node.xprv() == master.xprv()


@settings(max_examples=25, deadline=None)
@given(
    st.binary(min_size=16, max_size=64),
    st.lists(st.integers(min_value=0, max_value=HARDENED - 1), min_size=1, max_size=4),
)
def test_public_derivation_equals_private_derivation(seed, indices):
    node = HDKey.from_seed(seed, MAINNET).derive("m/44'/19167'/0'")
    path = "m/" + "/".join(str(i) for i in indices)
    via_private = node.derive(path)
    via_public = HDKey.from_extended_key(node.xpub(), MAINNET).derive(path)
    assert via_private.public_key == via_public.public_key
    assert via_private.xpub() == via_public.xpub()
    assert via_private.private_key.public_key() == via_private.public_key


@given(st.text(max_size=130))
def test_random_text_into_extended_key_parser(text):
    with contextlib.suppress(WalletError):
        HDKey.from_extended_key(text, MAINNET)


@given(st.binary(min_size=78, max_size=78))
def test_random_78_byte_payloads_raise_only_typed_errors(raw):
    for version in (b"\x04\x88\xb2\x1e", b"\x04\x88\xad\xe4"):
        text = b58check_encode(version + raw[4:])
        with contextlib.suppress(WalletError):
            HDKey.from_extended_key(text, MAINNET).derive("m/0/1")


@given(st.text(max_size=40))
def test_random_paths_raise_only_typed_errors(text):
    with contextlib.suppress(WalletError):
        parse_path(text)

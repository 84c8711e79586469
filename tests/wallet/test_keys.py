"""Private keys, WIF, RFC6979 low-S DER signatures, compact signatures, public-key helpers."""

import contextlib
import hashlib
import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.networks import MAINNET, REGTEST, TESTNET
from tests.paths import VECTORS_DIR
from wallet.encoding import b58check_decode, b58check_encode
from wallet.errors import InvalidKey, SigningError, WalletError
from wallet.keys import (
    CURVE_ORDER,
    PrivateKey,
    compress_public_key,
    decompress_public_key,
    parse_public_key,
    recover_compact,
    validate_public_key,
    verify_der,
)

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
START = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())["common_keys"]
WIF_VECTOR = VECTORS["wif_PUBLISHED"]

secrets_32 = st.integers(min_value=1, max_value=CURVE_ORDER - 1).map(
    lambda n: n.to_bytes(32, "big")
)
digests = st.binary(min_size=32, max_size=32)


def test_published_wif():
    key = PrivateKey.from_wif(WIF_VECTOR["wif"])
    assert key.secret.hex() == WIF_VECTOR["privkey_hex"]
    assert key.compressed and key.network is MAINNET
    assert key.to_wif(MAINNET, compressed=True) == WIF_VECTOR["wif"]
    raw = b58check_decode(WIF_VECTOR["wif"])
    assert raw[0] == int(WIF_VECTOR["version_byte"], 16)
    assert raw[-1] == int(WIF_VECTOR["compressed_suffix"], 16)


def test_flux_sdk_common_keys():
    collateral = PrivateKey.from_wif(START["collateral_wif"])
    assert collateral.compressed is START["collateral_wif_compressed_flag"]
    assert collateral.public_key().hex() == START["collateral_pubkey_compressed"]

    identity = PrivateKey.from_wif(START["fluxnode_wif"])
    assert identity.compressed is START["fluxnode_wif_compressed_flag"]
    assert identity.public_key().hex() == START["fluxnode_pubkey_uncompressed"]
    assert len(identity.public_key()) == 65
    assert identity.to_wif(MAINNET, compressed=False) == START["fluxnode_wif"]
    assert identity.to_wif() == START["fluxnode_wif"]  # own network and flag by default

    delegate = PrivateKey.from_wif(START["delegate_wif"])
    assert int.from_bytes(delegate.secret, "big") == START["delegate_privkey_int"]
    assert delegate.public_key().hex() == START["delegate_pubkey_compressed"]


def test_public_key_compression_follows_flag_or_argument():
    key = PrivateKey.from_wif(START["fluxnode_wif"])
    assert len(key.public_key()) == 65
    assert len(key.public_key(compressed=True)) == 33
    assert compress_public_key(key.public_key()) == key.public_key(compressed=True)
    assert decompress_public_key(key.public_key(compressed=True)) == key.public_key()
    assert key.pubkey_hash() != PrivateKey(key.secret, compressed=True).pubkey_hash()


@pytest.mark.parametrize("network", [MAINNET, TESTNET, REGTEST])
@pytest.mark.parametrize("compressed", [True, False])
def test_wif_roundtrip_every_network(network, compressed):
    key = PrivateKey(bytes(range(1, 33)), compressed=compressed)
    wif = key.to_wif(network, compressed=compressed)
    again = PrivateKey.from_wif(wif)
    assert again == key
    assert again.compressed is compressed
    # Regtest shares testnet's WIF prefix, so such a key reads back as testnet.
    assert again.network is (MAINNET if network is MAINNET else TESTNET)
    expected_first = {
        (True, True): "KL",
        (True, False): "5",
        (False, True): "c",
        (False, False): "9",
    }[(network is MAINNET, compressed)]
    assert wif[0] in expected_first


def test_bad_wifs_are_typed_and_plain():
    key = PrivateKey(bytes(range(1, 33)))
    good = b58check_decode(key.to_wif(MAINNET))
    cases = {
        "not a valid WIF": "KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWX",
        "compression marker": b58check_encode(good[:-1] + b"\x02"),
        "wrong length": b58check_encode(good + b"\x01"),
        "Unknown WIF prefix 0x05": b58check_encode(b"\x05" + good[1:]),
        "out of range": b58check_encode(b"\x80" + b"\x00" * 32 + b"\x01"),
    }
    for expected, text in cases.items():
        with pytest.raises(InvalidKey, match=expected):
            PrivateKey.from_wif(text)
    order = CURVE_ORDER.to_bytes(32, "big")
    with pytest.raises(InvalidKey, match="out of range"):
        PrivateKey.from_wif(b58check_encode(b"\x80" + order))
    with pytest.raises(InvalidKey):
        PrivateKey.from_wif(None)  # type: ignore[arg-type]


def test_constructor_rejects_bad_secrets():
    for secret in (b"", b"\x01" * 31, b"\x00" * 32, CURVE_ORDER.to_bytes(32, "big")):
        with pytest.raises(InvalidKey):
            PrivateKey(secret)


def test_rfc6979_known_signatures():
    # RFC6979/secp256k1 fixtures widely used by bitcoinjs and trezor (message sha256-hashed).
    digest = hashlib.sha256(b"Satoshi Nakamoto").digest()
    one = PrivateKey((1).to_bytes(32, "big"))
    assert one.sign_digest(digest).hex() == (
        "3045022100934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
        "02202442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"
    )
    top = PrivateKey((CURVE_ORDER - 1).to_bytes(32, "big"))
    assert top.sign_digest(digest).hex() == (
        "3045022100fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0"
        "02206b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"
    )


def _der_parts(sig: bytes) -> tuple[int, int]:
    assert sig[0] == 0x30 and sig[1] == len(sig) - 2
    assert sig[2] == 0x02
    r_len = sig[3]
    r = sig[4 : 4 + r_len]
    assert sig[4 + r_len] == 0x02
    s = sig[6 + r_len :]
    assert len(s) == sig[5 + r_len]
    for part in (r, s):  # strict DER: minimal, positive
        assert part[0] < 0x80
        assert not (part[0] == 0 and len(part) > 1 and part[1] < 0x80)
    return int.from_bytes(r, "big"), int.from_bytes(s, "big")


@settings(max_examples=60)
@given(secrets_32, digests, st.booleans())
def test_signatures_are_strict_der_low_s_and_verify(secret, digest, compressed):
    key = PrivateKey(secret, compressed=compressed)
    sig = key.sign_digest(digest)
    _r, s = _der_parts(sig)
    assert s <= CURVE_ORDER // 2
    assert sig == key.sign_digest(digest)  # deterministic
    assert verify_der(key.public_key(), sig, digest)
    assert verify_der(key.public_key(not compressed), sig, digest)
    other = bytes(b ^ 1 for b in digest)
    assert not verify_der(key.public_key(), sig, other)


@settings(max_examples=60)
@given(secrets_32, digests, st.booleans())
def test_compact_signatures_recover_the_key(secret, digest, compressed):
    key = PrivateKey(secret, compressed=compressed)
    compact = key.sign_compact(digest)
    assert len(compact) == 65
    assert 27 + (4 if compressed else 0) <= compact[0] <= 30 + (4 if compressed else 0)
    pubkey, flag = recover_compact(compact, digest)
    assert pubkey == key.public_key() and flag is compressed


def test_high_s_signature_is_rejected():
    key = PrivateKey(bytes(range(1, 33)))
    digest = hashlib.sha256(b"x").digest()
    r, s = _der_parts(key.sign_digest(digest))
    high = CURVE_ORDER - s
    r_bytes = r.to_bytes(33, "big").lstrip(b"\x00")
    r_bytes = b"\x00" + r_bytes if r_bytes[0] >= 0x80 else r_bytes
    s_bytes = high.to_bytes(33, "big").lstrip(b"\x00")
    s_bytes = b"\x00" + s_bytes if s_bytes[0] >= 0x80 else s_bytes
    body = b"\x02" + bytes((len(r_bytes),)) + r_bytes + b"\x02" + bytes((len(s_bytes),)) + s_bytes
    high_sig = b"\x30" + bytes((len(body),)) + body
    assert not verify_der(key.public_key(), high_sig, digest)


def test_signing_rejects_wrong_digest_length():
    key = PrivateKey(bytes(range(1, 33)))
    with pytest.raises(SigningError, match="32 bytes"):
        key.sign_digest(b"short")
    with pytest.raises(SigningError):
        key.sign_compact(b"\x00" * 33)
    assert not verify_der(key.public_key(), b"\x30", b"short")


def test_recover_compact_rejections():
    digest = b"\x11" * 32
    with pytest.raises(SigningError, match="65 bytes"):
        recover_compact(b"\x1f" * 64, digest)
    with pytest.raises(SigningError, match="header"):
        recover_compact(b"\x23" + b"\x01" * 64, digest)
    with pytest.raises(SigningError, match="recover"):
        recover_compact(b"\x1f" + b"\x00" * 64, digest)


def test_public_key_validation():
    good = PrivateKey(bytes(range(1, 33))).public_key()
    assert validate_public_key(good) == good
    for bad in (
        b"",
        good[:-1],
        b"\x04" + good[1:],
        b"\x05" + good[1:],
        b"\x02" + b"\xff" * 32,
        b"\x04" + b"\x01" * 64,
    ):
        with pytest.raises(InvalidKey):
            parse_public_key(bad)
    with pytest.raises(InvalidKey):
        parse_public_key("02" * 33)  # type: ignore[arg-type]


def test_repr_and_pickle_never_expose_the_secret():
    key = PrivateKey.from_wif(WIF_VECTOR["wif"])
    for text in (repr(key), str(key), f"{key}", f"{key!r}"):
        assert WIF_VECTOR["privkey_hex"] not in text
        assert WIF_VECTOR["wif"] not in text
        assert "hidden" in text
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_generate():
    a, b = PrivateKey.generate(), PrivateKey.generate(compressed=False)
    assert a != b and a.compressed and not b.compressed
    assert len(b.public_key()) == 65
    assert len({PrivateKey.generate().secret for _ in range(20)}) == 20


def test_equality_and_hash():
    secret = bytes(range(1, 33))
    assert PrivateKey(secret) == PrivateKey(secret)
    assert PrivateKey(secret) != PrivateKey(secret, compressed=False)
    assert len({PrivateKey(secret), PrivateKey(secret)}) == 1
    assert PrivateKey(secret) != "not a key"


@given(st.text(max_size=80))
def test_random_text_into_wif_parser(text):
    with contextlib.suppress(WalletError):
        PrivateKey.from_wif(text)


@given(st.binary(max_size=40))
def test_random_wif_payloads(payload):
    with contextlib.suppress(WalletError):
        PrivateKey.from_wif(b58check_encode(payload))


@given(st.binary(max_size=70), st.binary(max_size=80), st.binary(max_size=33))
def test_random_bytes_into_key_helpers(pubkey, sig, digest):
    with contextlib.suppress(InvalidKey):
        parse_public_key(pubkey)
    assert verify_der(pubkey, sig, digest) in (True, False)
    with contextlib.suppress(WalletError):
        recover_compact(sig, digest)


def test_errors_about_secrets_do_not_repeat_them():
    from wallet.hd import HDKey

    key = PrivateKey(bytes(range(7, 39)))
    wif = key.to_wif(MAINNET)
    xprv = HDKey.from_seed(bytes(range(32)), MAINNET).xprv()
    raw_xprv = b58check_decode(xprv)
    bad_inputs = [
        wif[:-1] + ("2" if wif[-1] != "2" else "3"),  # checksum typo
        b58check_encode(b58check_decode(wif)[:-1] + b"\x07"),  # bad marker
        b58check_encode(b"\x42" + key.secret),  # unknown prefix
        xprv[:-1] + ("2" if xprv[-1] != "2" else "3"),
        b58check_encode(raw_xprv[:45] + b"\x01" + raw_xprv[46:]),
    ]
    for text in bad_inputs:
        with pytest.raises(InvalidKey) as info:
            if text.startswith("xprv") or len(text) > 60:
                HDKey.from_extended_key(text, MAINNET)
            else:
                PrivateKey.from_wif(text)
        shown = str(info.value) + repr(info.value)
        assert text not in shown
        assert key.secret.hex() not in shown
        assert raw_xprv[46:78].hex() not in shown

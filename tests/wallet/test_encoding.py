"""Hashes, base58/base58check, hex and compact sizes."""

import contextlib
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.encoding import (
    _ripemd160_pure,
    b58check_decode,
    b58check_encode,
    b58decode,
    b58encode,
    from_hex,
    hash160,
    hash_from_hex,
    hash_to_hex,
    read_varbytes,
    read_varint,
    ripemd160,
    sha256d,
    write_varbytes,
    write_varint,
)
from wallet.errors import DecodeError, WalletError


def test_known_hashes():
    assert sha256d(b"").hex() == "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"
    # RIPEMD-160 reference values from the algorithm's authors.
    assert ripemd160(b"").hex() == "9c1185a5c5e9fc54612808977ee8f548b2258d31"
    assert ripemd160(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
    assert _ripemd160_pure(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
    two_blocks = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    assert _ripemd160_pure(two_blocks).hex() == "12a053384a9c0c88e405a06c27dcf49ada62eb2b"
    assert _ripemd160_pure(b"message digest").hex() == "5d0689ef49d2fae572b881b123a85ffa21595f36"
    generator = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    assert hash160(generator).hex() == "751e76e8199196d454941c45d1b3a323f1433bd6"


@given(st.binary(max_size=300))
def test_pure_ripemd160_matches_hashlib(data):
    try:
        expected = hashlib.new("ripemd160", data).digest()
    except ValueError:
        pytest.skip("this OpenSSL has no ripemd160 to compare with")
    assert _ripemd160_pure(data) == expected


def test_base58_known_values():
    assert b58encode(b"") == ""
    assert b58encode(b"\x00\x00\x01") == "112"
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"
    assert b58decode("StV1DL6CwTryKyV") == b"hello world"
    assert b58check_encode(b"\x00" * 21) == "1111111111111111111114oLvT2"


@given(st.binary(max_size=100))
def test_base58_roundtrip(data):
    assert b58decode(b58encode(data)) == data


@given(st.binary(min_size=1, max_size=100))
def test_base58check_roundtrip(data):
    assert b58check_decode(b58check_encode(data)) == data


@pytest.mark.parametrize("text", ["0OIl", "abc!", "t1 space", "1111111111111111111114oLvT3", "1"])
def test_base58_rejections(text):
    with pytest.raises(DecodeError):
        b58check_decode(text)


def test_base58_rejects_huge_text():
    with pytest.raises(DecodeError, match="too long"):
        b58decode("2" * 10_000)


def test_hex_helpers():
    assert from_hex(" 0xAbCd ") == b"\xab\xcd"
    with pytest.raises(DecodeError, match="not valid hex"):
        from_hex("abc")
    with pytest.raises(DecodeError, match="must be 2 bytes"):
        from_hex("aabbcc", length=2)
    txid = "97d88148" + "00" * 28
    assert hash_to_hex(hash_from_hex(txid)) == txid
    assert hash_from_hex(txid)[-1] == 0x97


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, "00"),
        (0xFC, "fc"),
        (0xFD, "fdfd00"),
        (0xFFFF, "fdffff"),
        (0x10000, "fe00000100"),
        (0xFFFFFFFF, "feffffffff"),
        (0x100000000, "ff0000000001000000"),
    ],
)
def test_varint_known_encodings(n, encoded):
    assert write_varint(n).hex() == encoded
    assert read_varint(bytes.fromhex(encoded) + b"\x99", 0) == (n, len(encoded) // 2)


@given(st.integers(min_value=0, max_value=2**64 - 1), st.binary(max_size=4))
def test_varint_roundtrip_with_offset(n, prefix):
    buf = prefix + write_varint(n)
    assert read_varint(buf, len(prefix)) == (n, len(buf))


@pytest.mark.parametrize("raw", ["", "fd", "fd01", "fdfc00", "fe00ff0000", "ffffffffff00000000"])
def test_varint_rejects_truncated_and_non_canonical(raw):
    with pytest.raises(DecodeError):
        read_varint(bytes.fromhex(raw), 0)


def test_varbytes():
    assert write_varbytes(b"abc") == b"\x03abc"
    assert read_varbytes(b"\x03abcd", 0) == (b"abc", 4)
    with pytest.raises(DecodeError, match="3-byte"):
        read_varbytes(b"\x03ab", 0)


def test_write_varint_rejects_out_of_range():
    with pytest.raises(ValueError):
        write_varint(-1)
    with pytest.raises(ValueError):
        write_varint(2**64)


@given(st.binary(max_size=40), st.integers(min_value=-2, max_value=45))
def test_readers_raise_only_typed_errors(data, offset):
    for reader in (read_varint, read_varbytes):
        with contextlib.suppress(WalletError):
            reader(data, offset)


@given(st.text(max_size=120))
def test_base58_decoders_raise_only_typed_errors(text):
    for decoder in (b58decode, b58check_decode):
        with contextlib.suppress(WalletError):
            decoder(text)

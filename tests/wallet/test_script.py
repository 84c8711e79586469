"""Script templates, minimal pushes, multisig and classification (fluxd standard.cpp rules)."""

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.paths import VECTORS_DIR
from wallet.errors import DecodeError, InvalidKey, WalletError
from wallet.keys import PrivateKey
from wallet.script import (
    OP_CHECKMULTISIG,
    ScriptKind,
    classify_script,
    decode_small_int,
    is_push_only,
    iter_script,
    multisig_script,
    nulldata_script,
    p2pkh_script,
    p2sh_script,
    parse_multisig,
    push_data,
    script_hash160,
    small_int_opcode,
)

VECTORS = json.loads((VECTORS_DIR / "flux-keys-addresses-messages.json").read_text())
SSP = VECTORS["bip39_bip32_ssp_PUBLISHED"]["multisig_2of2"]

H = bytes(range(20))
KEYS = [PrivateKey((i + 1).to_bytes(32, "big")).public_key() for i in range(16)]


def test_p2pkh_and_p2sh_templates():
    assert p2pkh_script(H).hex() == "76a914" + H.hex() + "88ac"
    assert p2sh_script(H).hex() == "a914" + H.hex() + "87"
    assert classify_script(p2pkh_script(H)) is ScriptKind.P2PKH
    assert classify_script(p2sh_script(H)) is ScriptKind.P2SH
    assert script_hash160(p2pkh_script(H)) == H
    assert script_hash160(p2sh_script(H)) == H
    with pytest.raises(ValueError):
        p2pkh_script(H[:19])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "00"),
        (b"\x01", "51"),
        (b"\x10", "60"),
        (b"\x11", "0111"),
        (b"\x81", "4f"),
        (b"\x00", "0100"),
        (b"a" * 75, "4b" + "61" * 75),
        (b"a" * 76, "4c4c" + "61" * 76),
        (b"a" * 255, "4cff" + "61" * 255),
        (b"a" * 256, "4d0001" + "61" * 256),
    ],
)
def test_minimal_pushes(data, expected):
    assert push_data(data).hex() == expected


@given(st.binary(max_size=600))
def test_push_roundtrip(data):
    ops = list(iter_script(push_data(data)))
    assert len(ops) == 1
    op = ops[0]
    if op.data is not None:
        assert op.data == data
    else:
        assert decode_small_int(op.opcode) == data[0] or (op.opcode == 0x4F and data == b"\x81")


def test_ssp_2of2_redeem_script_vector():
    script = bytes.fromhex(SSP["redeemScript"])
    parsed = parse_multisig(script)
    assert parsed is not None and (parsed.m, parsed.n) == (2, 2)
    rebuilt = multisig_script(2, list(reversed(parsed.pubkeys)), sort=True)
    assert rebuilt == script
    assert classify_script(script) is ScriptKind.MULTISIG


@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 3), (2, 3), (3, 3), (7, 15), (15, 15)])
def test_multisig_m_of_n_roundtrip(m, n):
    script = multisig_script(m, KEYS[:n])
    assert script[0] == small_int_opcode(m) and script[-1] == OP_CHECKMULTISIG
    parsed = parse_multisig(script)
    assert parsed is not None
    assert parsed.m == m and list(parsed.pubkeys) == KEYS[:n]


def test_multisig_with_uncompressed_key():
    uncompressed = PrivateKey((5).to_bytes(32, "big"), compressed=False).public_key()
    script = multisig_script(1, [KEYS[0], uncompressed])
    parsed = parse_multisig(script)
    assert parsed is not None and parsed.pubkeys[1] == uncompressed


def test_multisig_rejections():
    with pytest.raises(ValueError, match="3-of-2"):
        multisig_script(3, KEYS[:2])
    with pytest.raises(ValueError):
        multisig_script(0, KEYS[:2])
    with pytest.raises(ValueError):
        multisig_script(1, [])
    with pytest.raises(InvalidKey, match="#2"):
        multisig_script(1, [KEYS[0], b"\x05" * 33])
    with pytest.raises(ValueError, match="547 bytes"):
        multisig_script(16, KEYS)
    # 16 uncompressed keys exceed the 520-byte redeem-script limit.
    big = [
        PrivateKey((i + 1).to_bytes(32, "big"), compressed=False).public_key() for i in range(16)
    ]
    with pytest.raises(ValueError, match="520"):
        multisig_script(1, big)


def test_parse_multisig_rejects_lookalikes():
    good = multisig_script(2, KEYS[:3])
    assert parse_multisig(good[:-1]) is None  # no CHECKMULTISIG
    assert parse_multisig(bytes((0x54,)) + good[1:]) is None  # m > n
    assert parse_multisig(good[:-2] + bytes((0x52, OP_CHECKMULTISIG))) is None  # n mismatch
    assert parse_multisig(b"\x52\x21" + b"\x02" * 10) is None  # truncated push
    bad_key = bytearray(good)
    bad_key[2] = 0x05  # first key's prefix byte
    assert parse_multisig(bytes(bad_key)) is None


def test_nulldata():
    script = nulldata_script(b"hello")
    assert script.hex() == "6a0568656c6c6f"
    assert classify_script(script) is ScriptKind.NULLDATA
    assert classify_script(nulldata_script(b"x" * 80)) is ScriptKind.NULLDATA
    assert classify_script(b"\x6a") is ScriptKind.NULLDATA
    with pytest.raises(ValueError, match="80"):
        nulldata_script(b"x" * 81)


def test_p2pk_and_nonstandard():
    assert classify_script(push_data(KEYS[0]) + b"\xac") is ScriptKind.P2PK
    assert classify_script(b"") is ScriptKind.NONSTANDARD
    assert classify_script(b"\x76\xa9") is ScriptKind.NONSTANDARD
    assert script_hash160(b"\x6a") is None


def test_push_only():
    assert is_push_only(push_data(b"ab") + push_data(b"") + b"\x51\x4f")
    assert not is_push_only(b"\x76")
    assert not is_push_only(b"\x50")  # OP_RESERVED
    assert not is_push_only(b"\x05ab")  # truncated


def test_iter_script_truncation_errors():
    for raw in (b"\x4c", b"\x4d\x01", b"\x4e\x00\x00\x00", b"\x4c\x05ab", b"\x02a"):
        with pytest.raises(DecodeError):
            list(iter_script(raw))


@given(st.binary(max_size=200))
def test_script_readers_never_raise_untyped(script):
    with contextlib.suppress(WalletError):
        list(iter_script(script))
    classify_script(script)
    parse_multisig(script)
    script_hash160(script)

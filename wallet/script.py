"""Transparent scripts: P2PKH/P2SH scriptPubKeys, bare multisig, OP_RETURN, classification.

Standard templates follow fluxd src/script/standard.cpp; pushes are minimal as BIP62 (and fluxd's
MINIMALDATA standardness flag) require.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from wallet.errors import DecodeError, InvalidKey

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_1 = 0x51
OP_16 = 0x60
OP_RETURN = 0x6A
OP_DUP = 0x76
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_HASH160 = 0xA9
OP_CHECKSIG = 0xAC
OP_CHECKMULTISIG = 0xAE

MAX_SCRIPT_SIZE = 10_000  # fluxd script.h
MAX_SCRIPT_ELEMENT_SIZE = 520  # fluxd script.h; also the redeem-script size limit for P2SH
MAX_MULTISIG_KEYS = 20  # CHECKMULTISIG consensus limit
MAX_STANDARD_MULTISIG_KEYS = 3  # bare multisig outputs: standard.cpp "n > 3" is nonstandard
MAX_OP_RETURN_RELAY = 80  # fluxd standard.h: bytes of data in one OP_RETURN push


class ScriptKind(StrEnum):
    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2PK = "p2pk"
    MULTISIG = "multisig"
    NULLDATA = "nulldata"
    NONSTANDARD = "nonstandard"


def small_int_opcode(n: int) -> int:
    """OP_0 … OP_16 for n in 0…16."""
    if not 0 <= n <= 16:
        raise ValueError(f"{n} has no small-integer opcode")
    return OP_0 if n == 0 else OP_1 + n - 1


def decode_small_int(opcode: int) -> int | None:
    """n for OP_0 … OP_16, otherwise None."""
    if opcode == OP_0:
        return 0
    if OP_1 <= opcode <= OP_16:
        return opcode - OP_1 + 1
    return None


def push_data(data: bytes) -> bytes:
    """Smallest script that pushes `data` (BIP62 minimal push)."""
    n = len(data)
    if n == 0:
        return bytes((OP_0,))
    if n == 1 and 1 <= data[0] <= 16:
        return bytes((OP_1 + data[0] - 1,))
    if n == 1 and data[0] == 0x81:
        return bytes((OP_1NEGATE,))
    if n < OP_PUSHDATA1:
        return bytes((n,)) + data
    if n <= 0xFF:
        return bytes((OP_PUSHDATA1, n)) + data
    if n <= 0xFFFF:
        return bytes((OP_PUSHDATA2,)) + struct.pack("<H", n) + data
    return bytes((OP_PUSHDATA4,)) + struct.pack("<I", n) + data


@dataclass(frozen=True)
class ScriptOp:
    """One script element: an opcode and, for pushes of bytes, the bytes pushed."""

    opcode: int
    data: bytes | None = None


def iter_script(script: bytes) -> Iterator[ScriptOp]:
    """The operations of `script`; DecodeError if a push runs past the end."""
    i = 0
    n = len(script)
    while i < n:
        opcode = script[i]
        i += 1
        if opcode > OP_PUSHDATA4:
            yield ScriptOp(opcode)
            continue
        if opcode < OP_PUSHDATA1:
            size = opcode
        else:
            width = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}[opcode]
            if i + width > n:
                raise DecodeError("Script ends inside a push length.")
            size = int.from_bytes(script[i : i + width], "little")
            i += width
        if i + size > n:
            raise DecodeError(f"Script ends inside a {size}-byte push.")
        yield ScriptOp(opcode, bytes(script[i : i + size]))
        i += size


def parse_script(script: bytes) -> list[ScriptOp]:
    return list(iter_script(script))


def is_push_only(script: bytes) -> bool:
    """True if every element pushes data (OP_0…OP_16 and OP_1NEGATE count as pushes)."""
    try:
        return all(op.opcode <= OP_16 and op.opcode != 0x50 for op in iter_script(script))
    except DecodeError:
        return False


def _is_valid_pubkey_encoding(data: bytes) -> bool:
    if len(data) == 33:
        return data[0] in (2, 3)
    if len(data) == 65:
        return data[0] == 4
    return False


# ----------------------------------------------------------------------------------- templates


def p2pkh_script(pubkey_hash: bytes) -> bytes:
    """OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG."""
    if len(pubkey_hash) != 20:
        raise ValueError("a P2PKH script needs a 20-byte hash")
    return bytes((OP_DUP, OP_HASH160, 20)) + pubkey_hash + bytes((OP_EQUALVERIFY, OP_CHECKSIG))


def p2sh_script(script_hash: bytes) -> bytes:
    """OP_HASH160 <20> OP_EQUAL."""
    if len(script_hash) != 20:
        raise ValueError("a P2SH script needs a 20-byte hash")
    return bytes((OP_HASH160, 20)) + script_hash + bytes((OP_EQUAL,))


def nulldata_script(data: bytes) -> bytes:
    """OP_RETURN followed by one minimal push of `data` (≤ 80 bytes to be standard)."""
    if len(data) > MAX_OP_RETURN_RELAY:
        raise ValueError(
            f"OP_RETURN data is {len(data)} bytes; at most {MAX_OP_RETURN_RELAY} are relayed"
        )
    return bytes((OP_RETURN,)) + push_data(data)


def multisig_script(m: int, pubkeys: Sequence[bytes], *, sort: bool = False) -> bytes:
    """Bare multisig `OP_m <pk>… OP_n OP_CHECKMULTISIG` (a P2SH redeem script or an output).

    With sort=True the keys are ordered by their hex (lexicographic bytes), as SSP and BIP67 do.
    InvalidKey for a malformed key; ValueError for an impossible m/n.
    """
    keys = list(pubkeys)
    n = len(keys)
    if not 1 <= n <= 16:
        raise ValueError(f"a bare multisig script takes 1 to 16 keys, got {n}")
    if not 1 <= m <= n:
        raise ValueError(f"{m}-of-{n} is not possible: m must be between 1 and {n}")
    for index, key in enumerate(keys, start=1):
        if not _is_valid_pubkey_encoding(key):
            raise InvalidKey(f"Public key #{index} is not a 33- or 65-byte secp256k1 key.")
    if sort:
        keys.sort()
    body = b"".join(push_data(key) for key in keys)
    script = bytes((small_int_opcode(m),)) + body + bytes((small_int_opcode(n), OP_CHECKMULTISIG))
    if len(script) > MAX_SCRIPT_ELEMENT_SIZE:
        raise ValueError(
            f"the script is {len(script)} bytes; a P2SH redeem script may be at most "
            f"{MAX_SCRIPT_ELEMENT_SIZE}"
        )
    return script


@dataclass(frozen=True)
class Multisig:
    m: int
    pubkeys: tuple[bytes, ...]

    @property
    def n(self) -> int:
        return len(self.pubkeys)


def parse_multisig(script: bytes) -> Multisig | None:
    """(m, keys) if `script` is a well-formed bare multisig script (fluxd's template), else None."""
    try:
        ops = parse_script(script)
    except DecodeError:
        return None
    if len(ops) < 4 or ops[-1].opcode != OP_CHECKMULTISIG or ops[-1].data is not None:
        return None
    m = decode_small_int(ops[0].opcode)
    n = decode_small_int(ops[-2].opcode)
    if m is None or n is None or m < 1 or n < m or ops[0].data or ops[-2].data:
        return None
    keys = ops[1:-2]
    if len(keys) != n:
        return None
    pubkeys: list[bytes] = []
    for op in keys:
        # Solver only matches keys pushed with a direct push of exactly 33 or 65 bytes.
        if op.data is None or op.opcode != len(op.data) or not _is_valid_pubkey_encoding(op.data):
            return None
        pubkeys.append(op.data)
    return Multisig(m, tuple(pubkeys))


def classify_script(script: bytes) -> ScriptKind:
    """The standard template `script` matches (fluxd Solver), or NONSTANDARD."""
    if (
        len(script) == 25
        and script[:3] == bytes((OP_DUP, OP_HASH160, 20))
        and script[23:] == bytes((OP_EQUALVERIFY, OP_CHECKSIG))
    ):
        return ScriptKind.P2PKH
    if len(script) == 23 and script[:2] == bytes((OP_HASH160, 20)) and script[22] == OP_EQUAL:
        return ScriptKind.P2SH
    if script[:1] == bytes((OP_RETURN,)) and is_push_only(script[1:]):
        return ScriptKind.NULLDATA
    if (
        len(script) in (35, 67)
        and script[0] == len(script) - 2
        and script[-1] == OP_CHECKSIG
        and _is_valid_pubkey_encoding(script[1:-1])
    ):
        return ScriptKind.P2PK
    if parse_multisig(script) is not None:
        return ScriptKind.MULTISIG
    return ScriptKind.NONSTANDARD


def script_hash160(script: bytes) -> bytes | None:
    """The 20-byte hash inside a P2PKH or P2SH script, else None."""
    kind = classify_script(script)
    if kind == ScriptKind.P2PKH:
        return script[3:23]
    if kind == ScriptKind.P2SH:
        return script[2:22]
    return None

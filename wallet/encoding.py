"""Byte-level encodings shared by the wallet: hashes, base58/base58check, hex, compact sizes.

Decoders raise wallet.errors.DecodeError with a plain message and nothing else.
"""

from __future__ import annotations

import hashlib
import struct

from wallet.errors import DecodeError

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}

# Longest base58 text any decoder accepts; far above any key or address, it keeps the quadratic
# conversion cheap on hostile input.
MAX_BASE58_LENGTH = 200


# ---------------------------------------------------------------------------------------- hashes


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """SHA256(SHA256(data)): txids, base58 checksums, message hashes."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def ripemd160(data: bytes) -> bytes:
    # OpenSSL 3 builds may ship without the legacy provider; fall back to a pure implementation.
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError:
        return _ripemd160_pure(data)


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)): the hash inside P2PKH and P2SH addresses."""
    return ripemd160(hashlib.sha256(data).digest())


# fmt: off
_RMD_R1 = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5,
    2, 14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4,
    13, 3, 7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
)
_RMD_R2 = (
    5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12,
    4, 9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5,
    12, 2, 13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
)
_RMD_S1 = (
    11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15,
    9, 11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14,
    15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
)
_RMD_S2 = (
    8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12,
    7, 6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14,
    6, 14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
)
_RMD_K1 = (0x00000000, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E)
_RMD_K2 = (0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0x00000000)
# fmt: on


def _rmd_f(j: int, x: int, y: int, z: int) -> int:
    if j < 16:
        return x ^ y ^ z
    if j < 32:
        return (x & y) | (~x & z)
    if j < 48:
        return (x | ~y) ^ z
    if j < 64:
        return (x & z) | (y & ~z)
    return x ^ (y | ~z)


def _rol(x: int, n: int) -> int:
    x &= 0xFFFFFFFF
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def _ripemd160_pure(data: bytes) -> bytes:
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    padded = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack("<Q", len(data) * 8)
    for block in range(0, len(padded), 64):
        x = struct.unpack("<16I", padded[block : block + 64])
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            t = _rol(al + _rmd_f(j, bl, cl, dl) + x[_RMD_R1[j]] + _RMD_K1[j // 16], _RMD_S1[j])
            t = (t + el) & 0xFFFFFFFF
            al, el, dl, cl, bl = el, dl, _rol(cl, 10), bl, t
            t = _rol(ar + _rmd_f(79 - j, br, cr, dr) + x[_RMD_R2[j]] + _RMD_K2[j // 16], _RMD_S2[j])
            t = (t + er) & 0xFFFFFFFF
            ar, er, dr, cr, br = er, dr, _rol(cr, 10), br, t
        t = (h[1] + cl + dr) & 0xFFFFFFFF
        h[1] = (h[2] + dl + er) & 0xFFFFFFFF
        h[2] = (h[3] + el + ar) & 0xFFFFFFFF
        h[3] = (h[4] + al + br) & 0xFFFFFFFF
        h[4] = (h[0] + bl + cr) & 0xFFFFFFFF
        h[0] = t
    return struct.pack("<5I", *h)


# ---------------------------------------------------------------------------------------- base58


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    chars: list[str] = []
    while number:
        number, rem = divmod(number, 58)
        chars.append(B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(chars))


def b58decode(text: str) -> bytes:
    if not isinstance(text, str):
        raise DecodeError("A key or an address must be text.")
    if len(text) > MAX_BASE58_LENGTH:
        raise DecodeError(
            f"The text is too long ({len(text)} characters) to be a key or an address."
        )
    number = 0
    for position, char in enumerate(text):
        digit = _B58_INDEX.get(char)
        if digit is None:
            raise DecodeError(
                f"Character {char!r} at position {position + 1} cannot appear in a key or an "
                "address (0, O, I and l are never used)."
            )
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text: str) -> bytes:
    """Payload of base58check `text`; DecodeError on bad characters, length or checksum."""
    raw = b58decode(text)
    if len(raw) < 5:
        raise DecodeError("The text is too short to be a key or an address.")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise DecodeError("Checksum does not match: the text has a typo or is incomplete.")
    return payload


# ------------------------------------------------------------------------------------------- hex


def to_hex(data: bytes) -> str:
    return data.hex()


def from_hex(text: str, *, length: int | None = None, what: str = "value") -> bytes:
    """Bytes of hex `text` (whitespace around it ignored); DecodeError if not hex or wrong size."""
    if not isinstance(text, str):
        raise DecodeError(f"The {what} must be hex text.")
    cleaned = text.strip()
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    try:
        data = bytes.fromhex(cleaned)
    except ValueError:
        raise DecodeError(f"The {what} is not valid hex.") from None
    if length is not None and len(data) != length:
        raise DecodeError(f"The {what} must be {length} bytes, got {len(data)}.")
    return data


def hash_to_hex(digest: bytes) -> str:
    """Display form of a 32-byte hash (txid, block hash): byte-reversed hex."""
    return digest[::-1].hex()


def hash_from_hex(text: str, *, what: str = "hash") -> bytes:
    """Internal byte order of a displayed 32-byte hash (txid)."""
    return from_hex(text, length=32, what=what)[::-1]


# --------------------------------------------------------------------------------- compact sizes


def write_varint(n: int) -> bytes:
    """Bitcoin compactSize encoding of a non-negative integer."""
    if n < 0:
        raise ValueError("compact size cannot be negative")
    if n < 0xFD:
        return bytes((n,))
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xFFFFFFFF:
        return b"\xfe" + struct.pack("<I", n)
    if n <= 0xFFFFFFFFFFFFFFFF:
        return b"\xff" + struct.pack("<Q", n)
    raise ValueError("compact size does not fit in 64 bits")


def read_varint(buf: bytes, offset: int) -> tuple[int, int]:
    """(value, offset after it) of the compactSize at `offset`.

    Non-canonical encodings are rejected as fluxd's ReadCompactSize does.
    """
    if offset < 0 or offset >= len(buf):
        raise DecodeError("Data ends where a length (compact size) was expected.")
    first = buf[offset]
    if first < 0xFD:
        return first, offset + 1
    width, fmt, minimum = {0xFD: (2, "<H", 0xFD), 0xFE: (4, "<I", 0x10000)}.get(
        first, (8, "<Q", 0x100000000)
    )
    end = offset + 1 + width
    if end > len(buf):
        raise DecodeError("Data ends inside a length (compact size).")
    (value,) = struct.unpack(fmt, buf[offset + 1 : end])
    if value < minimum:
        raise DecodeError("Non-canonical compact size.")
    return int(value), end


def write_varbytes(data: bytes) -> bytes:
    """compactSize(len(data)) || data."""
    return write_varint(len(data)) + data


def read_varbytes(buf: bytes, offset: int) -> tuple[bytes, int]:
    """(bytes, offset after them) of a compactSize-prefixed byte string at `offset`."""
    length, start = read_varint(buf, offset)
    end = start + length
    if end > len(buf):
        raise DecodeError(f"Data ends inside a {length}-byte field.")
    return bytes(buf[start:end]), end

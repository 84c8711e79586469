"""Bounds-checked reading and range-checked writing of the little-endian wire primitives.

Every read checks the remaining length first and every count is capped by what is left, so hostile
input can only ever produce a DecodeError, never an IndexError, a struct.error or a huge allocation.
"""

from __future__ import annotations

import struct

from wallet.encoding import read_varint, write_varint
from wallet.errors import DecodeError, InvalidTransaction

# Bitcoin's MAX_SIZE for CompactSize-prefixed vectors.
MAX_COMPACT_SIZE = 0x02000000


_U32 = struct.Struct("<I").unpack_from
_I32 = struct.Struct("<i").unpack_from
_I64 = struct.Struct("<q").unpack_from


class Reader:
    # The hot reads (u32, i64, var_bytes) check bounds themselves instead of going through
    # `take`: a restart parses thousands of cached transactions, where each call shows.

    def __init__(self, data: bytes) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise DecodeError("transaction data must be bytes")
        self._data = bytes(data)
        self._size = len(self._data)
        self.pos = 0

    @property
    def remaining(self) -> int:
        return self._size - self.pos

    def _short(self, n: int) -> DecodeError:
        return DecodeError(
            f"data ends early: needed {n} bytes at offset {self.pos}, {self.remaining} left"
        )

    def take(self, n: int) -> bytes:
        pos = self.pos
        end = pos + n
        if n < 0 or end > self._size:
            raise self._short(n)
        self.pos = end
        return self._data[pos:end]

    def u8(self) -> int:
        return self.take(1)[0]

    def i8(self) -> int:
        return int(struct.unpack("<b", self.take(1))[0])

    def u32(self) -> int:
        pos = self.pos
        if pos + 4 > self._size:
            raise self._short(4)
        self.pos = pos + 4
        return int(_U32(self._data, pos)[0])

    def i32(self) -> int:
        pos = self.pos
        if pos + 4 > self._size:
            raise self._short(4)
        self.pos = pos + 4
        return int(_I32(self._data, pos)[0])

    def i64(self) -> int:
        pos = self.pos
        if pos + 8 > self._size:
            raise self._short(8)
        self.pos = pos + 8
        return int(_I64(self._data, pos)[0])

    def compact_size(self) -> int:
        pos = self.pos
        if pos < self._size and self._data[pos] < 0xFD:
            self.pos = pos + 1
            return self._data[pos]
        value, self.pos = read_varint(self._data, pos)
        if value > MAX_COMPACT_SIZE:
            raise DecodeError(f"length {value} at offset {self.pos} is larger than allowed")
        return value

    def var_bytes(self) -> bytes:
        return self.take(self.compact_size())

    def count(self, min_item_size: int, what: str, limit: int | None = None) -> int:
        """A vector length, refused when the remaining bytes cannot hold that many items or it
        is above `limit`."""
        n = self.compact_size()
        if limit is not None and n > limit:
            raise DecodeError(f"{what} count {n:,} is above the {limit:,} one transaction may have")
        if n * max(min_item_size, 1) > self.remaining:
            raise DecodeError(
                f"{what} count {n} does not fit in the {self.remaining} bytes left"
            )
        return n

    def expect_end(self) -> None:
        if self.remaining:
            raise DecodeError(f"{self.remaining} unexpected bytes after the end of the transaction")


def compact_size(n: int) -> bytes:
    try:
        return write_varint(n)
    except ValueError as exc:
        raise InvalidTransaction(f"length {n} cannot be encoded: {exc}") from None


def var_bytes(data: bytes) -> bytes:
    return compact_size(len(data)) + data


def _check(value: int, low: int, high: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidTransaction(f"{what} {value!r} is out of range [{low}, {high}]")
    return value


def u8(value: int, what: str) -> bytes:
    return _check(value, 0, 0xFF, what).to_bytes(1, "little")


def i8(value: int, what: str) -> bytes:
    return _check(value, -0x80, 0x7F, what).to_bytes(1, "little", signed=True)


def u32(value: int, what: str) -> bytes:
    return _check(value, 0, 0xFFFFFFFF, what).to_bytes(4, "little")


def i32(value: int, what: str) -> bytes:
    return _check(value, -(1 << 31), (1 << 31) - 1, what).to_bytes(4, "little", signed=True)


def i64(value: int, what: str) -> bytes:
    return _check(value, -(1 << 63), (1 << 63) - 1, what).to_bytes(8, "little", signed=True)


def fixed(data: bytes, size: int, what: str) -> bytes:
    if not isinstance(data, bytes) or len(data) != size:
        raise InvalidTransaction(f"{what} must be exactly {size} bytes")
    return data

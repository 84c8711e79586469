"""Signing-key pinning: fingerprint of a v4 key computed independently of the code under test."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest

from nodectl.install.keys import KeyError_, RepoKey, dearmor, fingerprint, verified_keyring


def mpi(value: int) -> bytes:
    return struct.pack(">H", value.bit_length()) + value.to_bytes((value.bit_length() + 7) // 8,
                                                                   "big")


BODY = b"\x04" + struct.pack(">I", 1_600_000_000) + b"\x01" + mpi(2**2047 + 12345) + mpi(65537)
OLD_FORMAT = bytes([0x99]) + struct.pack(">H", len(BODY)) + BODY  # tag 6, 2-byte length
NEW_FORMAT = bytes([0xC6, 0xFF]) + struct.pack(">I", len(BODY)) + BODY
EXPECTED = hashlib.sha1(b"\x99" + struct.pack(">H", len(BODY)) + BODY).hexdigest().upper()


def armor(data: bytes) -> bytes:
    b64 = base64.b64encode(data).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\n" + "\n".join(lines) +
            "\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n").encode()


@pytest.mark.parametrize("data", [OLD_FORMAT, NEW_FORMAT, armor(OLD_FORMAT)])
def test_fingerprint(data: bytes) -> None:
    assert fingerprint(data) == EXPECTED


def test_pinned_key_accepted_by_full_fingerprint_or_long_id() -> None:
    for pin in (EXPECTED, EXPECTED[-16:]):
        key = RepoKey("Test", "https://example.invalid/key", "/usr/share/keyrings/t.gpg", pin)
        assert verified_keyring(key, armor(OLD_FORMAT)) == OLD_FORMAT
    assert dearmor(OLD_FORMAT) == OLD_FORMAT


def test_other_key_refused() -> None:
    key = RepoKey("Test", "https://example.invalid/key", "/usr/share/keyrings/t.gpg",
                  "9DC858229FC7DD38854AE2D88D81803C0EBFCD88")
    with pytest.raises(KeyError_, match="tampered"):
        verified_keyring(key, OLD_FORMAT)


@pytest.mark.parametrize("data", [b"", b"<html>404</html>", OLD_FORMAT[:40],
                                  bytes([0x99, 0, 5]) + b"\x03abcd"])
def test_garbage_refused(data: bytes) -> None:
    with pytest.raises(KeyError_):
        fingerprint(data)

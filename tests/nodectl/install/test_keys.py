"""Signing-key pinning: fingerprint of a v4 key computed independently of the code under test."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

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


# --- Key pinning: exactly one primary key (issue 15, "Key pinning") -----------------------

OTHER_BODY = b"\x04" + struct.pack(">I", 1_700_000_000) + b"\x01" + mpi(2**2047 + 999) + mpi(3)
OTHER = bytes([0x99]) + struct.pack(">H", len(OTHER_BODY)) + OTHER_BODY
USER_ID = bytes([0xB4, 5]) + b"Alice"  # old format, tag 13


def pinned(fpr: str) -> RepoKey:
    return RepoKey("Test", "https://example.invalid/key", "/usr/share/keyrings/t.gpg", fpr)


@pytest.mark.parametrize("download", [
    OLD_FORMAT + USER_ID + OTHER,                 # binary keyring with an appended key
    armor(OLD_FORMAT + USER_ID + OTHER),          # one armor block holding both keys
    armor(OLD_FORMAT) + armor(OTHER),             # a second armor block appended
    OLD_FORMAT + OTHER + OLD_FORMAT,
], ids=["binary", "one-armor-block", "two-armor-blocks", "pinned-twice"])
def test_appended_key_refused(download: bytes) -> None:
    with pytest.raises(KeyError_, match=r"holds [23] keys"):
        verified_keyring(pinned(EXPECTED), download)


def test_pinned_key_with_its_user_id_accepted() -> None:
    assert verified_keyring(pinned(EXPECTED), armor(OLD_FORMAT + USER_ID)) == \
        OLD_FORMAT + USER_ID


@pytest.mark.parametrize("download", [
    OLD_FORMAT + bytes([0x95, 0, 3]) + b"abc",    # a secret key packet (tag 5)
    OLD_FORMAT + bytes([0xA0, 2]) + b"xx",        # tag 8 (compressed data) after the key
    OLD_FORMAT + b"\x00garbage",                  # trailing bytes that are no packet
    USER_ID + OLD_FORMAT,                         # key not first
])
def test_anything_but_key_packets_refused(download: bytes) -> None:
    with pytest.raises(KeyError_):
        verified_keyring(pinned(EXPECTED), download)


def test_truncated_second_armor_block_refused() -> None:
    cut = armor(OLD_FORMAT) + b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n"
    with pytest.raises(KeyError_, match="truncated"):
        verified_keyring(pinned(EXPECTED), cut)


GPG = shutil.which("gpg")


@pytest.fixture
def gpg_keys(tmp_path: Path) -> Iterator[Callable[..., bytes]]:
    """Real OpenPGP keys made by gpg in a throw-away home; returns an exporter."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}

    def gpg(*args: str) -> bytes:
        return subprocess.run([GPG or "gpg", "--batch", "--quiet", *args], env=env,
                              check=True, capture_output=True).stdout

    for who in ("Pinned Vendor <vendor@example.invalid>", "Attacker <evil@example.invalid>"):
        gpg("--passphrase", "", "--quick-gen-key", who, "ed25519", "sign", "never")

    def export(*names: str, armored: bool = False) -> bytes:
        return gpg("--export", *(["--armor"] if armored else []), *names)

    try:
        yield export
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False,
                       capture_output=True)


@pytest.mark.skipif(GPG is None, reason="gpg is not installed")
def test_real_keyring_with_appended_attacker_key_refused(gpg_keys: Callable[..., bytes]) -> None:
    vendor = gpg_keys("vendor@example.invalid")
    attacker = gpg_keys("evil@example.invalid")
    key = pinned(fingerprint(vendor))
    assert verified_keyring(key, vendor) == vendor
    assert verified_keyring(key, gpg_keys("vendor@example.invalid", armored=True)) == vendor
    for tampered in (vendor + attacker,
                     gpg_keys("vendor@example.invalid", "evil@example.invalid", armored=True),
                     gpg_keys("vendor@example.invalid", armored=True) +
                     gpg_keys("evil@example.invalid", armored=True)):
        with pytest.raises(KeyError_, match="holds 2 keys"):
            verified_keyring(key, tampered)
    with pytest.raises(KeyError_, match="tampered"):
        verified_keyring(key, attacker)

"""APT repository signing keys: where to get them and which fingerprint they must have.

The official installer pipes keys through gpg from a keyserver (hkp, up to six retries) and
checks only a user-id string. Here a key is fetched over HTTPS, de-armored in Python and its
primary-key fingerprint compared with a pinned value before apt ever sees it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass


class KeyError_(Exception):
    """A downloaded key is malformed or not the pinned key (safe to show)."""


@dataclass(frozen=True)
class RepoKey:
    name: str
    url: str
    keyring: str
    fingerprint: str  # full v4 fingerprint, or the 16-hex long key id where that is all we know


FLUX_KEY = RepoKey(
    "Flux", "https://keyserver.ubuntu.com/pks/lookup?op=get&search=0x4B69CA27A986265D",
    "/usr/share/keyrings/flux-archive-keyring.gpg", "4B69CA27A986265D")
MONGODB_KEY = RepoKey(
    "MongoDB 7.0", "https://pgp.mongodb.com/server-7.0.asc",
    "/usr/share/keyrings/mongodb-server-7.0.gpg", "E58830201F7DD82CD808AA84160D26BB1785BA38")
NODESOURCE_KEY = RepoKey(
    "NodeSource", "https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key",
    "/usr/share/keyrings/nodesource.gpg", "6F71F525282841EEDAF851B42F59B5F99B1BE0B4")


def docker_key(distro: str) -> RepoKey:
    return RepoKey("Docker", f"https://download.docker.com/linux/{distro}/gpg",
                   "/usr/share/keyrings/docker-archive-keyring.gpg",
                   "9DC858229FC7DD38854AE2D88D81803C0EBFCD88")


def dearmor(data: bytes) -> bytes:
    """ASCII-armored OpenPGP block -> binary packets (binary input is returned unchanged)."""
    text = data.decode("ascii", "replace")
    if "-----BEGIN PGP PUBLIC KEY BLOCK-----" not in text:
        return data
    body = text.split("-----BEGIN PGP PUBLIC KEY BLOCK-----", 1)[1]
    body = body.split("-----END PGP PUBLIC KEY BLOCK-----", 1)[0]
    lines = [line.strip() for line in body.strip().splitlines()]
    # Skip armor headers (up to the first empty line) and the "=XXXX" CRC line.
    if "" in lines:
        lines = lines[lines.index("") + 1:]
    payload = "".join(line for line in lines if line and not line.startswith("="))
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise KeyError_("the key file is not valid ASCII armor") from exc


def _first_packet(data: bytes) -> tuple[int, bytes]:
    if not data or not data[0] & 0x80:
        raise KeyError_("not an OpenPGP key")
    first = data[0]
    if first & 0x40:  # new-format header
        tag, pos = first & 0x3F, 1
        octet = data[pos]
        if octet < 192:
            length, pos = octet, pos + 1
        elif octet < 224:
            length, pos = ((octet - 192) << 8) + data[pos + 1] + 192, pos + 2
        elif octet == 255:
            length, pos = int.from_bytes(data[pos + 1:pos + 5], "big"), pos + 5
        else:
            raise KeyError_("partial-length key packets are not supported")
    else:
        tag, kind = (first >> 2) & 0x0F, first & 0x03
        size = {0: 1, 1: 2, 2: 4}.get(kind)
        if size is None:
            raise KeyError_("indeterminate-length key packets are not supported")
        length, pos = int.from_bytes(data[1:1 + size], "big"), 1 + size
    body = data[pos:pos + length]
    if len(body) != length:
        raise KeyError_("the key file is truncated")
    return tag, body


def fingerprint(data: bytes) -> str:
    """v4 fingerprint (upper-case hex) of the first (primary) public key in ``data``."""
    tag, body = _first_packet(dearmor(data))
    if tag != 6 or not body or body[0] != 4:
        raise KeyError_("the first packet is not a version 4 public key")
    return hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body,
                        usedforsecurity=False).hexdigest().upper()


def verified_keyring(key: RepoKey, data: bytes) -> bytes:
    """Binary keyring bytes for ``key`` after checking the pinned fingerprint."""
    found = fingerprint(data)
    if not found.endswith(key.fingerprint.upper()):
        raise KeyError_(
            f"the {key.name} signing key has fingerprint {found}, expected {key.fingerprint}; "
            "the download was tampered with or the vendor rotated its key")
    return dearmor(data)

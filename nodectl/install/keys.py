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


ARMOR_BEGIN = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
ARMOR_END = "-----END PGP PUBLIC KEY BLOCK-----"

# Packets a transferable public key may hold (RFC 4880 §11.1): public key, signature, user id,
# user attribute, public subkey, and keyring trust packets (which gpg may export).
PUBLIC_KEY, SIGNATURE, TRUST, USER_ID, PUBLIC_SUBKEY, USER_ATTRIBUTE = 6, 2, 12, 13, 14, 17
KEY_PARTS = {SIGNATURE, TRUST, USER_ID, PUBLIC_SUBKEY, USER_ATTRIBUTE}
SECRET_KEYS = {5, 7}


def _armor_body(block: str) -> bytes:
    lines = [line.strip() for line in block.strip().splitlines()]
    # Skip armor headers (up to the first empty line) and the "=XXXX" CRC line.
    if "" in lines:
        lines = lines[lines.index("") + 1:]
    payload = "".join(line for line in lines if line and not line.startswith("="))
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError as exc:
        raise KeyError_("the key file is not valid ASCII armor") from exc


def dearmor(data: bytes) -> bytes:
    """ASCII-armored OpenPGP -> binary packets (binary input is returned unchanged).

    Every armor block is decoded, not just the first, so a second block appended to the
    download is seen (and refused by :func:`verified_keyring`) instead of silently dropped.
    """
    text = data.decode("ascii", "replace")
    if ARMOR_BEGIN not in text:
        return data
    out = b""
    for chunk in text.split(ARMOR_BEGIN)[1:]:
        if ARMOR_END not in chunk:
            raise KeyError_("the key file is truncated (an armor block has no END line)")
        out += _armor_body(chunk.split(ARMOR_END, 1)[0])
    return out


def _packet_at(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, body, next position) of the packet starting at ``pos``."""
    first = data[pos]
    if not first & 0x80:
        raise KeyError_("not an OpenPGP key")
    head = data[pos + 1:pos + 6]
    if first & 0x40:  # new-format header
        tag = first & 0x3F
        if not head:
            raise KeyError_("the key file is truncated")
        octet = head[0]
        if octet < 192:
            length, size = octet, 1
        elif octet < 224:
            if len(head) < 2:
                raise KeyError_("the key file is truncated")
            length, size = ((octet - 192) << 8) + head[1] + 192, 2
        elif octet == 255:
            if len(head) < 5:
                raise KeyError_("the key file is truncated")
            length, size = int.from_bytes(head[1:5], "big"), 5
        else:
            raise KeyError_("partial-length key packets are not supported")
    else:
        tag, kind = (first >> 2) & 0x0F, first & 0x03
        width = {0: 1, 1: 2, 2: 4}.get(kind)
        if width is None:
            raise KeyError_("indeterminate-length key packets are not supported")
        if len(head) < width:
            raise KeyError_("the key file is truncated")
        length, size = int.from_bytes(head[:width], "big"), width
    start = pos + 1 + size
    body = data[start:start + length]
    if len(body) != length:
        raise KeyError_("the key file is truncated")
    return tag, body, start + length


def packets(data: bytes) -> list[tuple[int, bytes]]:
    """Every (tag, body) in binary OpenPGP data, in order; raises on any malformed header."""
    if not data:
        raise KeyError_("not an OpenPGP key")
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        tag, body, pos = _packet_at(data, pos)
        out.append((tag, body))
    return out


def _v4_fingerprint(body: bytes) -> str:
    if not body or body[0] != 4:
        raise KeyError_("the first packet is not a version 4 public key")
    return hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body,
                        usedforsecurity=False).hexdigest().upper()


def fingerprint(data: bytes) -> str:
    """v4 fingerprint (upper-case hex) of the first (primary) public key in ``data``."""
    binary = dearmor(data)
    if not binary:
        raise KeyError_("not an OpenPGP key")
    tag, body, _ = _packet_at(binary, 0)
    if tag != PUBLIC_KEY:
        raise KeyError_("the first packet is not a version 4 public key")
    return _v4_fingerprint(body)


def verified_keyring(key: RepoKey, data: bytes) -> bytes:
    """Binary keyring bytes for ``key``: exactly one primary key, with the pinned fingerprint.

    apt trusts every key in a ``signed-by`` keyring, so a second primary key appended to the
    download (binary or as another armor block) would let its owner sign packages: refused,
    as are secret keys and any packet that cannot be part of a public key.
    """
    binary = dearmor(data)
    found = packets(binary)
    primaries = [body for tag, body in found if tag == PUBLIC_KEY]
    if found[0][0] != PUBLIC_KEY:
        raise KeyError_(f"the {key.name} key file does not start with a public key")
    if any(tag in SECRET_KEYS for tag, _ in found):
        raise KeyError_(f"the {key.name} key file holds a secret key; refused")
    if len(primaries) != 1:
        others = ", ".join(_v4_fingerprint(body) for body in primaries[1:])
        raise KeyError_(
            f"the {key.name} key file holds {len(primaries)} keys (extra: {others}); only the "
            f"pinned key {key.fingerprint} is accepted, so the download was tampered with")
    strange = sorted({tag for tag, _ in found[1:] if tag not in KEY_PARTS})
    if strange:
        raise KeyError_(f"the {key.name} key file holds unexpected OpenPGP packets "
                        f"(tags {', '.join(map(str, strange))}); refused")
    found_print = _v4_fingerprint(primaries[0])
    if not found_print.endswith(key.fingerprint.upper()):
        raise KeyError_(
            f"the {key.name} signing key has fingerprint {found_print}, expected "
            f"{key.fingerprint}; the download was tampered with or the vendor rotated its key")
    return binary

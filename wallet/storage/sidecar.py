"""Files kept next to the wallet file, sealed with the wallet's data key (the sync cache).

Layout::

    SIDE_MAGIC (16) | format version (1) | nonce (12) | AES-GCM(payload)

The associated data is the magic, the version, the file's purpose and the wallet id, so a sidecar
only opens with the key of the wallet it was written for, for the purpose it was written for;
anything else (another wallet's file, a truncated or edited one, an older format) does not open.
A sidecar holds only what can be rebuilt from the network: losing it costs time, never coins.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from wallet.errors import CorruptWalletFile

SIDE_MAGIC: Final = b"FLUXDESK-SIDECAR"
SIDE_VERSION: Final = 1
_NONCE_BYTES: Final = 12
_PREFIX = struct.Struct(">B")
_HEAD: Final = len(SIDE_MAGIC) + _PREFIX.size + _NONCE_BYTES
# Sidecars of one wallet file, by purpose (a new wallet at the same path deletes them).
PURPOSES: Final = ("synccache",)


def sidecar_path(wallet_path: Path, purpose: str) -> Path:
    return wallet_path.with_name(f"{wallet_path.name}.{purpose}")


def _aad(wallet_id: str, purpose: str) -> bytes:
    prefix = SIDE_MAGIC + _PREFIX.pack(SIDE_VERSION)
    return prefix + f"fluxdesk/sidecar/{purpose}/{wallet_id}".encode()


@dataclass(frozen=True)
class SidecarKey:
    """A copy of the data key for one sidecar of one wallet, to seal or open it off the event
    loop's thread (the wallet may lock meanwhile and wipe its own copy)."""

    wallet_id: str
    purpose: str
    key: bytes = field(repr=False)

    def seal(self, payload: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = AESGCM(self.key).encrypt(nonce, payload, _aad(self.wallet_id, self.purpose))
        return SIDE_MAGIC + _PREFIX.pack(SIDE_VERSION) + nonce + ciphertext

    def open(self, data: bytes) -> bytes:
        """The payload; CorruptWalletFile when `data` is not this wallet's sidecar as written."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if len(data) < _HEAD + 16 or not data.startswith(SIDE_MAGIC):
            raise CorruptWalletFile(f"the {self.purpose} file is not a FluxDesk sidecar")
        (version,) = _PREFIX.unpack_from(data, len(SIDE_MAGIC))
        if version != SIDE_VERSION:
            raise CorruptWalletFile(f"the {self.purpose} file has format {version}")
        nonce = data[_HEAD - _NONCE_BYTES : _HEAD]
        try:
            return AESGCM(self.key).decrypt(
                nonce, data[_HEAD:], _aad(self.wallet_id, self.purpose)
            )
        except (InvalidTag, ValueError):
            raise CorruptWalletFile(
                f"the {self.purpose} file does not open with this wallet's key"
            ) from None

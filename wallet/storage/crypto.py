"""Encryption of the wallet file: a password-derived key wraps a random data key.

File layout (all integers big-endian)::

    MAGIC (16) | format version (1) | header length (4) | header JSON
    | AES-GCM(payload) | SHA-256 of everything before (32)

* The header holds the KDF name, parameters and salt, the data key wrapped by the password key
  (and optionally by a random "device" key kept in the OS keyring) and the payload nonce.
* The payload is sealed with the data key; everything before it (magic, version, header) is the
  associated data, so editing the KDF parameters or a wrap invalidates the payload.
* The trailing SHA-256 is not a security measure: it tells a damaged or truncated file (disk error,
  interrupted copy) apart from a wrong password before any key is derived.
* Changing the password only re-wraps the data key, so a forgotten device key never blocks it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import struct
import unicodedata
from dataclasses import dataclass
from typing import Any, Final, Literal

from wallet.errors import CorruptWalletFile, UnsupportedWalletFile, WrongPassword

# `cryptography` (with its own OpenSSL) is imported by the functions that derive, wrap or seal,
# not here: the app starts with its wallet locked without loading it.


@functools.cache
def have_argon2() -> bool:
    try:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id  # noqa: F401
    except ImportError:  # cryptography < 44 or a build without Argon2
        return False
    return True

MAGIC: Final = b"FLUXDESK-WALLET\x00"
FORMAT_VERSION: Final = 1
KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
SALT_BYTES: Final = 16
_CHECKSUM_BYTES: Final = 32
_PREFIX = struct.Struct(">BI")
_MAX_HEADER = 64 * 1024

# Bounds accepted when reading a header: a crafted file must not make us allocate gigabytes or spin
# for hours before the password is even checked.
# At most 1 GiB of memory and 16 passes (16 times FluxDesk's defaults and more).
_MAX_KDF_MEMORY_BYTES: Final = 1 << 30
_ARGON2_MAX_MEMORY_KIB: Final = _MAX_KDF_MEMORY_BYTES // 1024
_ARGON2_MAX_ITERATIONS: Final = 16
_ARGON2_MAX_LANES: Final = 64
_SCRYPT_MAX_LOG2_N: Final = 22
_SCRYPT_MAX_R: Final = 32
_SCRYPT_MAX_P: Final = 16


@dataclass(frozen=True)
class KdfParams:
    """Password KDF settings; stored in the header so old files keep opening after a change."""

    name: Literal["argon2id", "scrypt"]
    salt: bytes
    # Argon2id
    iterations: int = 0
    lanes: int = 0
    memory_kib: int = 0
    # scrypt
    log2_n: int = 0
    r: int = 0
    p: int = 0

    @staticmethod
    def argon2id(iterations: int = 3, lanes: int = 4, memory_kib: int = 64 * 1024) -> KdfParams:
        # RFC 9106 "second recommended option" (t=3, p=4, m=64 MiB): 0.3-1.2 s measured on a
        # 2-core machine, which is why key derivation runs in a worker thread.
        return KdfParams("argon2id", os.urandom(SALT_BYTES), iterations, lanes, memory_kib)

    @staticmethod
    def scrypt(log2_n: int = 17, r: int = 8, p: int = 1) -> KdfParams:
        return KdfParams("scrypt", os.urandom(SALT_BYTES), log2_n=log2_n, r=r, p=p)

    @staticmethod
    def default() -> KdfParams:
        return KdfParams.argon2id() if have_argon2() else KdfParams.scrypt()

    def fresh_salt(self) -> KdfParams:
        return KdfParams(
            self.name,
            os.urandom(SALT_BYTES),
            self.iterations,
            self.lanes,
            self.memory_kib,
            self.log2_n,
            self.r,
            self.p,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "salt": _b64(self.salt)}
        if self.name == "argon2id":
            data.update(iterations=self.iterations, lanes=self.lanes, memory_kib=self.memory_kib)
        else:
            data.update(log2_n=self.log2_n, r=self.r, p=self.p)
        return data

    @staticmethod
    def from_json(data: object) -> KdfParams:
        obj = _obj(data, "kdf")
        salt = _unb64(obj.get("salt"), "kdf salt")
        if len(salt) < 8:
            raise CorruptWalletFile("The wallet file's key settings are damaged (salt too short).")
        name = obj.get("name")
        if name == "argon2id":
            # Whether this cryptography has Argon2id is asked at the derivation (derive_key):
            # reading a locked wallet's header must not load cryptography.
            iterations = _int(obj, "iterations", 1, _ARGON2_MAX_ITERATIONS)
            lanes = _int(obj, "lanes", 1, _ARGON2_MAX_LANES)
            memory = _int(obj, "memory_kib", 8 * lanes, _ARGON2_MAX_MEMORY_KIB)
            return KdfParams("argon2id", salt, iterations, lanes, memory)
        if name == "scrypt":
            log2_n = _int(obj, "log2_n", 1, _SCRYPT_MAX_LOG2_N)
            r = _int(obj, "r", 1, _SCRYPT_MAX_R)
            p = _int(obj, "p", 1, _SCRYPT_MAX_P)
            # scrypt holds 128 * r * N bytes at once.
            if 128 * r * (1 << log2_n) > _MAX_KDF_MEMORY_BYTES:
                raise CorruptWalletFile(
                    "The wallet file's key settings are damaged (scrypt would need more than "
                    "1 GiB of memory)."
                )
            return KdfParams("scrypt", salt, log2_n=log2_n, r=r, p=p)
        raise UnsupportedWalletFile(
            f"The wallet file uses an unknown key derivation {name!r}; it was probably written by "
            "a newer FluxDesk. Update FluxDesk to open it."
        )


def normalize_password(password: str) -> bytes:
    # NFKC so the same password typed with a different keyboard or input method still matches.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def derive_key(password: str, kdf: KdfParams) -> bytes:
    """Password -> key-encryption key. CPU/memory heavy by design: call it from an executor."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    secret = normalize_password(password)
    if kdf.name == "argon2id":
        if not have_argon2():
            raise UnsupportedWalletFile(
                "This wallet file uses Argon2id, which the installed 'cryptography' package "
                "does not provide. Update FluxDesk (cryptography 44 or newer)."
            )
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        return Argon2id(
            salt=kdf.salt,
            length=KEY_BYTES,
            iterations=kdf.iterations,
            lanes=kdf.lanes,
            memory_cost=kdf.memory_kib,
        ).derive(secret)
    return Scrypt(salt=kdf.salt, length=KEY_BYTES, n=1 << kdf.log2_n, r=kdf.r, p=kdf.p).derive(
        secret
    )


@dataclass(frozen=True)
class WrappedKey:
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict[str, str]:
        return {"nonce": _b64(self.nonce), "ct": _b64(self.ciphertext)}

    @staticmethod
    def from_json(data: object, what: str) -> WrappedKey:
        obj = _obj(data, what)
        return WrappedKey(_unb64(obj.get("nonce"), what), _unb64(obj.get("ct"), what))


def _wrap_aad(wallet_id: str, purpose: str) -> bytes:
    return f"fluxdesk/data-key/{purpose}/{wallet_id}".encode()


def wrap_key(data_key: bytes, wrapping_key: bytes, wallet_id: str, purpose: str) -> WrappedKey:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    ct = AESGCM(wrapping_key).encrypt(nonce, data_key, _wrap_aad(wallet_id, purpose))
    return WrappedKey(nonce, ct)


def unwrap_key(wrapped: WrappedKey, wrapping_key: bytes, wallet_id: str, purpose: str) -> bytes:
    """Raises WrongPassword when the wrapping key (from the password or keyring) is not the one."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(wrapping_key).decrypt(
            wrapped.nonce, wrapped.ciphertext, _wrap_aad(wallet_id, purpose)
        )
    except (InvalidTag, ValueError):
        if purpose == "device":
            raise WrongPassword(
                "The unlock key remembered on this device does not open this wallet. "
                "Unlock with your password and turn 'remember on this device' on again."
            ) from None
        raise WrongPassword("Wrong password for this wallet. Check it and try again.") from None


@dataclass(frozen=True)
class Header:
    wallet_id: str
    kdf: KdfParams
    password_wrap: WrappedKey
    device_wrap: WrappedKey | None
    payload_nonce: bytes

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "wallet_id": self.wallet_id,
            "kdf": self.kdf.to_json(),
            "password_wrap": self.password_wrap.to_json(),
            "device_wrap": self.device_wrap.to_json() if self.device_wrap else None,
            "payload_nonce": _b64(self.payload_nonce),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    @staticmethod
    def from_bytes(raw: bytes) -> Header:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            # ValueError covers bad UTF-8, bad JSON and integers longer than 4300 digits.
            raise CorruptWalletFile("The wallet file's header is damaged.") from None
        obj = _obj(data, "header")
        wallet_id = obj.get("wallet_id")
        if not isinstance(wallet_id, str) or not 1 <= len(wallet_id) <= 64:
            raise CorruptWalletFile("The wallet file's header is damaged (wallet id).")
        device = obj.get("device_wrap")
        return Header(
            wallet_id=wallet_id,
            kdf=KdfParams.from_json(obj.get("kdf")),
            password_wrap=WrappedKey.from_json(obj.get("password_wrap"), "password wrap"),
            device_wrap=None if device is None else WrappedKey.from_json(device, "device wrap"),
            payload_nonce=_unb64(obj.get("payload_nonce"), "payload nonce"),
        )


def seal(header: Header, data_key: bytes, payload: bytes) -> bytes:
    """Header + plaintext payload -> complete file bytes."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header_bytes = header.to_bytes()
    prefix = MAGIC + _PREFIX.pack(FORMAT_VERSION, len(header_bytes)) + header_bytes
    body = prefix + AESGCM(data_key).encrypt(header.payload_nonce, payload, prefix)
    return body + hashlib.sha256(body).digest()


@dataclass(frozen=True)
class SealedFile:
    header: Header
    prefix: bytes
    ciphertext: bytes

    def open(self, data_key: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(data_key).decrypt(self.header.payload_nonce, self.ciphertext, self.prefix)
        except (InvalidTag, ValueError):
            raise CorruptWalletFile(
                "The wallet file was changed outside FluxDesk and cannot be trusted. "
                "Restore it from the .bak copy or a backup, or restore the wallet from its seed."
            ) from None


def parse_file(data: bytes) -> SealedFile:
    """Check framing and checksum; no key is needed yet."""
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data[: len(MAGIC)]) and len(data) < len(MAGIC):
            raise CorruptWalletFile("The wallet file is truncated (it ends inside its header).")
        raise UnsupportedWalletFile("This is not a FluxDesk wallet file.")
    fixed = len(MAGIC) + _PREFIX.size
    if len(data) < fixed + _CHECKSUM_BYTES:
        raise CorruptWalletFile("The wallet file is truncated (it ends inside its header).")
    version, header_len = _PREFIX.unpack_from(data, len(MAGIC))
    if version > FORMAT_VERSION:
        raise UnsupportedWalletFile(
            f"This wallet file has format {version}, newer than this FluxDesk understands "
            f"({FORMAT_VERSION}). Update FluxDesk to open it."
        )
    if version < 1 or header_len > _MAX_HEADER:
        raise CorruptWalletFile("The wallet file's header is damaged.")
    body, checksum = data[:-_CHECKSUM_BYTES], data[-_CHECKSUM_BYTES:]
    if hashlib.sha256(body).digest() != checksum:
        raise CorruptWalletFile(
            "The wallet file is damaged or truncated (checksum mismatch). "
            "FluxDesk keeps the previous version as a .bak file next to it."
        )
    if len(body) < fixed + header_len + 16:
        raise CorruptWalletFile("The wallet file is truncated.")
    prefix = body[: fixed + header_len]
    header = Header.from_bytes(prefix[fixed:])
    if len(header.payload_nonce) != NONCE_BYTES:
        raise CorruptWalletFile("The wallet file's header is damaged (nonce).")
    return SealedFile(header, prefix, body[len(prefix) :])


def new_data_key() -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def new_nonce() -> bytes:
    return os.urandom(NONCE_BYTES)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise CorruptWalletFile(f"The wallet file's header is damaged ({what}).")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise CorruptWalletFile(f"The wallet file's header is damaged ({what}).") from None


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CorruptWalletFile(f"The wallet file's header is damaged ({what}).")
    return value


def _int(obj: dict[str, Any], key: str, low: int, high: int) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CorruptWalletFile(
            f"The wallet file's key settings are damaged or out of range ({key})."
        )
    return value

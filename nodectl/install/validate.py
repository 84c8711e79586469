"""Validation of every user-provided value that reaches a config file or a command line.

Everything here is an allow-list: a value is accepted only if it matches the exact shape the
consumer expects, so newlines, quotes, shell metacharacters or spaces can never slip into
flux.conf, userconfig.js, a systemd unit or an argument vector.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

from flux.networks import NETWORKS
from flux.ports import ALLOWED_API_PORTS

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}

# WIF version bytes per network (flux.networks).
WIF_VERSION = {n.name: n.wif_prefix for n in NETWORKS}

# Names the official installer refuses for the node user (docs/node-ops.md).
RESERVED_USER_NAMES = frozenset({"root", "ubuntu", "admin"})

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_ALIAS = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_ETH = re.compile(r"0x[0-9a-fA-F]{40}")
_KADENA = re.compile(r"k:[0-9a-f]{64}")


class InvalidInput(ValueError):
    """A user-supplied value was rejected; ``field`` names it, the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _b58decode_check(text: str) -> bytes:
    """Base58check decode without any third-party code (kept private to nodectl)."""
    num = 0
    for ch in text:
        digit = _B58_INDEX.get(ch)
        if digit is None:
            raise ValueError("not base58")
        num = num * 58 + digit
    raw = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    leading = len(text) - len(text.lstrip("1"))
    raw = b"\x00" * leading + raw
    if len(raw) < 5:
        raise ValueError("too short")
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        raise ValueError("bad checksum")
    return payload


def _plain(field: str, value: object, max_len: int = 200) -> str:
    if value is None or value == "":
        raise InvalidInput(field, "is required")
    if not isinstance(value, str):
        raise InvalidInput(field, "must be text")
    if len(value) > max_len:
        raise InvalidInput(field, f"is longer than {max_len} characters")
    return value


def validate_ipv4(value: object, field: str = "IP address") -> str:
    """A public-looking dotted-quad IPv4 address (what externalip / ipaddress expect)."""
    text = _plain(field, value, 15)
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}", text):
        raise InvalidInput(field, "must be an IPv4 address like 203.0.113.7")
    try:
        addr = ipaddress.IPv4Address(text)
    except ipaddress.AddressValueError as exc:
        raise InvalidInput(field, "must be an IPv4 address like 203.0.113.7") from exc
    if addr.is_unspecified or addr.is_loopback or addr.is_multicast or addr.is_reserved:
        raise InvalidInput(field, f"{text} cannot be a node's public address")
    return str(addr)


def validate_wif(value: object, network: str = "mainnet", field: str = "identity key") -> str:
    """FluxNode identity private key in WIF (base58check, version 0x80 on mainnet)."""
    text = _plain(field, value, 60)
    if not re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{50,53}", text):
        raise InvalidInput(field, "must be a WIF private key (51 or 52 base58 characters)")
    try:
        payload = _b58decode_check(text)
    except ValueError as exc:
        raise InvalidInput(field, "is not a valid WIF key (checksum mismatch: check for a typo)") \
            from exc
    compressed = len(payload) == 34 and payload[-1] == 0x01
    if len(payload) != 33 and not compressed:
        raise InvalidInput(field, "is not a WIF private key (wrong length)")
    if payload[0] != WIF_VERSION.get(network, 0x80):
        raise InvalidInput(field, f"is a key for another network, not {network}")
    return text


def validate_txid(value: object, field: str = "collateral txid") -> str:
    text = _plain(field, value, 64)
    if not _HEX64.fullmatch(text):
        raise InvalidInput(field, "must be 64 hexadecimal characters (the transaction id)")
    return text.lower()


def validate_index(value: object, field: str = "collateral output index") -> int:
    if isinstance(value, bool):
        raise InvalidInput(field, "must be a whole number 0 or greater")
    if isinstance(value, int):
        number = value
    else:
        text = _plain(field, value, 6)
        if not re.fullmatch(r"[0-9]{1,6}", text):
            raise InvalidInput(field, "must be a whole number 0 or greater")
        number = int(text)
    if not 0 <= number <= 999_999:
        raise InvalidInput(field, "must be a whole number 0 or greater")
    return number


def validate_user_name(value: object, field: str = "node user") -> str:
    text = _plain(field, value, 32)
    if not _USER.fullmatch(text):
        raise InvalidInput(
            field, "use 1-32 lowercase letters, digits, '_' or '-', starting with a letter")
    if text in RESERVED_USER_NAMES:
        raise InvalidInput(field, f"'{text}' is refused by the official installer; pick another")
    return text


def validate_alias(value: object, field: str = "node label") -> str:
    text = _plain(field, value, 32)
    if not _ALIAS.fullmatch(text):
        raise InvalidInput(field, "use 1-32 letters, digits, '.', '_' or '-' (no spaces)")
    return text


def validate_port(value: object, field: str = "port") -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(field, "must be a port number")
    text = str(value)
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise InvalidInput(field, "must be a port number between 1 and 65535")
    return int(text)


def validate_api_port(value: object, field: str = "FluxOS API port") -> int:
    port = validate_port(value, field)
    if port not in ALLOWED_API_PORTS:
        allowed = ", ".join(str(p) for p in ALLOWED_API_PORTS)
        raise InvalidInput(field, f"FluxOS only accepts {allowed}")
    return port


def validate_zelid(value: object, field: str = "Flux ID") -> str:
    """FluxOS admin identity: a Bitcoin P2PKH address ('1…') or an 0x… Ethereum address."""
    text = _plain(field, value, 42)
    if _ETH.fullmatch(text):
        return text
    if not re.fullmatch(r"1[1-9A-HJ-NP-Za-km-z]{24,33}", text):
        raise InvalidInput(field, "must be a Flux ID starting with '1' or '0x'")
    try:
        payload = _b58decode_check(text)
    except ValueError as exc:
        raise InvalidInput(field, "is not a valid Flux ID (checksum mismatch)") from exc
    if len(payload) != 21 or payload[0] != 0x00:
        raise InvalidInput(field, "is not a valid Flux ID")
    return text


def validate_kadena(value: object, field: str = "Kadena address") -> str:
    """Optional Kadena reward account; empty means none."""
    if value == "":
        return ""
    text = _plain(field, value, 70)
    if text and not _KADENA.fullmatch(text):
        raise InvalidInput(field, "must be empty or a k: account (k: followed by 64 hex digits)")
    return text

"""Compact message signatures checked the way fluxd and bitcoinjs-message do, with coincurve.

Independent of the wallet's signing code on purpose: the simulator must catch a wallet that
hashes or encodes a signed message wrongly. hash = SHA256d(varstr(magic) ‖ varstr(message));
the 65-byte signature is header (27 + recid, +4 for a compressed key) ‖ r ‖ s.
"""

from __future__ import annotations

import hashlib

import coincurve

ZELCASH_MAGIC = b"Zelcash Signed Message:\n"
BITCOIN_MAGIC = b"Bitcoin Signed Message:\n"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _varstr(data: bytes) -> bytes:
    if len(data) < 0xFD:
        return bytes([len(data)]) + data
    return b"\xfd" + len(data).to_bytes(2, "little") + data


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def message_digest(message: bytes, magic: bytes) -> bytes:
    return _sha256d(_varstr(magic) + _varstr(message))


def recover(sig: bytes, message: bytes, magic: bytes) -> bytes | None:
    """The signer's pubkey in the header's compression, or None for a malformed signature."""
    if len(sig) != 65 or not 27 <= sig[0] <= 34:
        return None
    recid = (sig[0] - 27) & 3
    compressed = sig[0] >= 31
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            sig[1:] + bytes([recid]), message_digest(message, magic), hasher=None
        )
    except ValueError:
        return None
    return key.format(compressed=compressed)


def base58check(payload: bytes) -> str:
    data = payload + _sha256d(payload)[:4]
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rem = divmod(number, 58)
        text = _B58[rem] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def bitcoin_address(pubkey: bytes) -> str:
    """The Bitcoin P2PKH "1…" address FluxOS compares a Flux ID login with."""
    return base58check(b"\x00" + hash160(pubkey))

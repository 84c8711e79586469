"""Message signing as fluxd `signmessage` / `verifymessage` and bitcoinjs-message do.

hash = SHA256d(compactSize(len(magic)) ‖ magic ‖ compactSize(len(msg)) ‖ msg), signed as a 65-byte
compact signature (header 27 + recid, +4 for a compressed key) and shown as base64
(docs/protocol-wallet.md).

Magic "Zelcash" is fluxd's and the node START's; "Bitcoin" is what FluxOS checks a Flux ID login
against (a Bitcoin "1…" address).

Contract of verify_message: it answers True or False and never raises — a malformed signature,
an unreadable address or a different signer are all False. verify_message_strict gives the
reason instead, as InvalidMessageSignature, for screens that want to tell the user why.
"""

from __future__ import annotations

import base64
import binascii

from wallet.address import decode_address, decode_bitcoin_p2pkh
from wallet.encoding import hash160, sha256d, write_varbytes
from wallet.errors import InvalidAddress, InvalidMessageSignature, SigningError, WalletError
from wallet.hd import HDKey
from wallet.keys import PrivateKey, recover_compact
from wallet.script import ScriptKind

MAGICS: dict[str, str] = {
    "Zelcash": "Zelcash Signed Message:\n",
    "Bitcoin": "Bitcoin Signed Message:\n",
}


def magic_string(magic: str) -> str:
    """Full magic for a name ("Zelcash", "Bitcoin"); a text ending in a newline is used as is.

    The name is case-sensitive on purpose: "ZelCash" (utxo-lib's spelling) is a different string
    whose signatures fluxd rejects; pass it in full to check such a signature.
    """
    if not isinstance(magic, str):
        raise SigningError("The message magic must be text.")
    if magic in MAGICS:
        return MAGICS[magic]
    if magic.endswith("\n") and magic:
        return magic
    names = " or ".join(repr(name) for name in MAGICS)
    raise SigningError(f"Unknown message magic {magic!r}; use {names}.")


def _message_bytes(message: str | bytes) -> bytes:
    if isinstance(message, bytes | bytearray):
        return bytes(message)
    if isinstance(message, str):
        return message.encode("utf-8")
    raise SigningError("A message must be text or bytes.")


def message_hash(message: str | bytes, magic: str = "Zelcash") -> bytes:
    """The 32-byte digest that is signed for `message` under `magic`."""
    prefix = magic_string(magic).encode("utf-8")
    return sha256d(write_varbytes(prefix) + write_varbytes(_message_bytes(message)))


def sign_message(key: PrivateKey | HDKey, message: str, magic: str = "Zelcash") -> str:
    """Base64 compact signature of `message` (deterministic: RFC6979), in the key's compression."""
    private = key.private_key if isinstance(key, HDKey) else key
    if not isinstance(private, PrivateKey):
        raise SigningError("sign_message needs a PrivateKey or an HDKey with a private key.")
    signature = private.sign_compact(message_hash(message, magic))
    return base64.b64encode(signature).decode("ascii")


def _address_hash(address: str) -> bytes:
    """hash160 inside a P2PKH t-address (any network) or a Bitcoin "1…" address."""
    if isinstance(address, str) and address.strip().startswith("1"):
        return decode_bitcoin_p2pkh(address)
    _network, kind, digest = decode_address(address)
    if kind != ScriptKind.P2PKH:
        raise InvalidMessageSignature(
            "Messages can be verified only against a P2PKH address (t1…, tm… or 1…), "
            "not a P2SH (t3…) address."
        )
    return digest


def recover_message_pubkey(
    signature_b64: str, message: str | bytes, magic: str = "Zelcash"
) -> bytes:
    """Public key (in the signer's compression) that made `signature_b64` over `message`."""
    if not isinstance(signature_b64, str):
        raise InvalidMessageSignature("A message signature must be base64 text.")
    try:
        raw = base64.b64decode(signature_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidMessageSignature("The signature is not valid base64.") from None
    if len(raw) != 65:
        raise InvalidMessageSignature(
            f"A message signature is 65 bytes (88 base64 characters); this one is {len(raw)}."
        )
    try:
        pubkey, _compressed = recover_compact(raw, message_hash(message, magic))
    except SigningError as exc:
        raise InvalidMessageSignature(f"The signature is malformed: {exc}") from None
    return pubkey


def verify_message_strict(
    address: str, signature_b64: str, message: str | bytes, magic: str = "Zelcash"
) -> None:
    """Return if `address` signed `message`; otherwise InvalidMessageSignature saying why."""
    try:
        expected = _address_hash(address)
    except InvalidAddress as exc:
        raise InvalidMessageSignature(f"Cannot verify against this address: {exc}") from None
    try:
        pubkey = recover_message_pubkey(signature_b64, message, magic)
    except SigningError as exc:
        raise InvalidMessageSignature(str(exc)) from None
    if hash160(pubkey) != expected:
        raise InvalidMessageSignature(
            "The signature is well formed but was not made by this address's key for this "
            "message (wrong address, changed message or different magic)."
        )


def verify_message(address: str, signature_b64: str, message: str, magic: str = "Zelcash") -> bool:
    """True if the key of P2PKH `address` signed `message`; False otherwise (never raises)."""
    try:
        verify_message_strict(address, signature_b64, message, magic)
    except WalletError:
        return False
    return True

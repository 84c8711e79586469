"""secp256k1 keys on coincurve: private keys with WIF, ECDSA signing, public-key helpers.

Signatures are RFC6979-deterministic and low-S (libsecp256k1 always normalises S); DER output is
strict, as fluxd requires (docs/protocol-wallet.md). A private key never appears in repr, str or
an error.
"""

from __future__ import annotations

import hmac
import secrets

import coincurve

from flux.networks import MAINNET, NETWORKS, Network
from wallet.encoding import b58check_decode, b58check_encode, hash160
from wallet.errors import DecodeError, InvalidKey, SigningError

CURVE_ORDER = int(coincurve.utils.GROUP_ORDER_INT)


def _require_digest(digest: bytes) -> None:
    if not isinstance(digest, bytes | bytearray) or len(digest) != 32:
        raise SigningError("A signature hash must be exactly 32 bytes.")


class PrivateKey:
    """A secp256k1 private key and whether its public key is used compressed.

    `network` is the network whose WIF the key was read from (None for keys made here); it is a
    hint for display only — signing does not depend on it.
    """

    __slots__ = ("_key", "compressed", "network")

    def __init__(
        self, secret: bytes, compressed: bool = True, network: Network | None = None
    ) -> None:
        if not isinstance(secret, bytes | bytearray) or len(secret) != 32:
            raise InvalidKey("A private key must be exactly 32 bytes.")
        value = int.from_bytes(secret, "big")
        if not 0 < value < CURVE_ORDER:
            raise InvalidKey("The private key is out of range (zero or not below the curve order).")
        self._key = coincurve.PrivateKey(bytes(secret))
        self.compressed = bool(compressed)
        self.network = network

    # ------------------------------------------------------------------------------ construction

    @classmethod
    def generate(cls, compressed: bool = True) -> PrivateKey:
        """A new random key from the OS CSPRNG."""
        while True:
            secret = secrets.token_bytes(32)
            if 0 < int.from_bytes(secret, "big") < CURVE_ORDER:
                return cls(secret, compressed)

    @classmethod
    def from_wif(cls, wif: str) -> PrivateKey:
        """Key from a mainnet (5/K/L…) or testnet/regtest (9/c…) WIF; keeps its compressed flag."""
        if not isinstance(wif, str):
            raise InvalidKey("A WIF private key must be text.")
        try:
            payload = b58check_decode(wif.strip())
        except DecodeError as exc:
            raise InvalidKey(f"This is not a valid WIF private key: {exc}") from None
        if len(payload) == 34 and payload[-1] == 0x01:
            compressed = True
        elif len(payload) == 33:
            compressed = False
        else:
            raise InvalidKey("This is not a WIF private key (wrong length or compression marker).")
        network = _network_for_wif_prefix(payload[0])
        if network is None:
            raise InvalidKey(
                f"Unknown WIF prefix 0x{payload[0]:02x}: not a Flux mainnet or testnet key."
            )
        return cls(payload[1:33], compressed, network)

    # ---------------------------------------------------------------------------------- export

    @property
    def secret(self) -> bytes:
        """The 32 secret bytes. Handle with care: never log or display them."""
        return bytes(self._key.secret)

    def to_wif(self, network: Network | None = None, compressed: bool | None = None) -> str:
        """WIF for `network` (default: the key's own network, else mainnet) and compression
        (default: the key's own flag)."""
        net = network or self.network or MAINNET
        flag = self.compressed if compressed is None else compressed
        payload = bytes((net.wif_prefix,)) + self.secret + (b"\x01" if flag else b"")
        return b58check_encode(payload)

    def public_key(self, compressed: bool | None = None) -> bytes:
        """SEC1 public key: 33 bytes compressed or 65 uncompressed (None = the key's own flag)."""
        flag = self.compressed if compressed is None else compressed
        return bytes(self._key.public_key.format(compressed=flag))

    def pubkey_hash(self) -> bytes:
        """HASH160 of the public key in the key's own compression (what a P2PKH address holds)."""
        return hash160(self.public_key())

    # --------------------------------------------------------------------------------- signing

    def sign_digest(self, digest: bytes) -> bytes:
        """Strict-DER, low-S, RFC6979 ECDSA signature of a 32-byte hash (no sighash byte)."""
        _require_digest(digest)
        return bytes(self._key.sign(bytes(digest), hasher=None))

    def sign_compact(self, digest: bytes) -> bytes:
        """65-byte recoverable signature: header (27 + recid, +4 if compressed) ‖ r ‖ s."""
        _require_digest(digest)
        raw = self._key.sign_recoverable(bytes(digest), hasher=None)
        recid = raw[64]
        header = 27 + recid + (4 if self.compressed else 0)
        return bytes((header,)) + bytes(raw[:64])

    # ---------------------------------------------------------------------------------- dunder

    def __repr__(self) -> str:
        kind = "compressed" if self.compressed else "uncompressed"
        return f"PrivateKey(<secret hidden>, {kind}, pubkey_hash={self.pubkey_hash().hex()})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PrivateKey):
            return NotImplemented
        return (
            hmac.compare_digest(self.secret, other.secret) and self.compressed == other.compressed
        )

    def __hash__(self) -> int:
        return hash((self.pubkey_hash(), self.compressed))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would copy the secret into places (caches, crash dumps) it must not reach.
        raise TypeError("PrivateKey objects cannot be pickled")


def _network_for_wif_prefix(prefix: int) -> Network | None:
    for network in NETWORKS:
        if network.wif_prefix == prefix:
            return network
    return None


# ------------------------------------------------------------------------------- public keys


def parse_public_key(data: bytes) -> coincurve.PublicKey:
    """The curve point of a 33- or 65-byte SEC1 key; InvalidKey if it is not on the curve."""
    if not isinstance(data, bytes | bytearray):
        raise InvalidKey("A public key must be bytes.")
    if not ((len(data) == 33 and data[0] in (2, 3)) or (len(data) == 65 and data[0] == 4)):
        raise InvalidKey(
            "A public key must be 33 bytes starting 02/03 or 65 bytes starting 04, "
            f"got {len(data)} bytes."
        )
    try:
        return coincurve.PublicKey(bytes(data))
    except (ValueError, TypeError):
        raise InvalidKey("The public key is not a point on the secp256k1 curve.") from None


def validate_public_key(data: bytes) -> bytes:
    """`data` unchanged if it is a valid SEC1 public key, else InvalidKey."""
    parse_public_key(data)
    return bytes(data)


def is_compressed_pubkey(data: bytes) -> bool:
    return len(data) == 33


def compress_public_key(data: bytes) -> bytes:
    return bytes(parse_public_key(data).format(compressed=True))


def decompress_public_key(data: bytes) -> bytes:
    return bytes(parse_public_key(data).format(compressed=False))


def verify_der(pubkey: bytes, signature: bytes, digest: bytes) -> bool:
    """True if strict-DER, low-S `signature` signs the 32-byte `digest` for `pubkey`.

    Malformed keys or signatures give False, never an exception.
    """
    if not isinstance(digest, bytes | bytearray) or len(digest) != 32:
        return False
    try:
        point = parse_public_key(pubkey)
        return bool(point.verify(bytes(signature), bytes(digest), hasher=None))
    except (InvalidKey, ValueError, TypeError):
        return False


def recover_compact(signature: bytes, digest: bytes) -> tuple[bytes, bool]:
    """(public key, compressed) recovered from a 65-byte compact signature over `digest`.

    The key is returned in the compression the header announces. SigningError if the
    signature is malformed or recovers no key.
    """
    if len(signature) != 65:
        raise SigningError(f"A compact signature is 65 bytes, got {len(signature)}.")
    _require_digest(digest)
    header = signature[0]
    if not 27 <= header <= 34:
        raise SigningError(f"Compact signature header {header} is not in 27…34.")
    compressed = header >= 31
    recid = (header - 27) & 3
    try:
        point = coincurve.PublicKey.from_signature_and_message(
            bytes(signature[1:]) + bytes((recid,)), bytes(digest), hasher=None
        )
    except (ValueError, TypeError):
        raise SigningError("The signature does not recover a public key.") from None
    return bytes(point.format(compressed=compressed)), compressed

"""BIP32 hierarchical deterministic keys (private and public derivation, xprv/xpub).

Default single-signature account path: m/44'/coin'/account'/change/index with coin 19167 on
mainnet and 1 elsewhere (fluxd bip44CoinType).
"""

from __future__ import annotations

import hashlib
import hmac
import re

import coincurve

from flux.networks import NETWORKS, Network
from wallet.bip39 import mnemonic_to_seed
from wallet.encoding import b58check_decode, b58check_encode, hash160
from wallet.errors import DecodeError, InvalidKey, InvalidPath
from wallet.keys import CURVE_ORDER, PrivateKey, parse_public_key

__all__ = [
    "BIP44_PURPOSE",
    "HARDENED",
    "HDKey",
    "default_path",
    "format_index",
    "mnemonic_to_seed",
    "parse_path",
]

HARDENED = 0x80000000
_SEGMENT = re.compile(r"^(\d+)(['hH]?)$")
MAX_PATH_DEPTH = 255  # depth is one byte in the serialisation
# Single-signature BIP44 layout. The spec marks the Flux single-sig path as unconfirmed (no
# published source), so the purpose lives here as data rather than inside the format string.
BIP44_PURPOSE = 44


def parse_path(path: str) -> list[int]:
    """Child indices of "m/44'/19167'/0'/0/5" ("m" alone = []; ', h or H mark hardened)."""
    if not isinstance(path, str):
        raise InvalidPath("A derivation path must be text like m/44'/19167'/0'/0/0.")
    text = path.strip().replace(" ", "")
    parts = text.split("/")
    if parts[0] in ("m", "M"):
        parts = parts[1:]
    elif parts[0] == "":
        raise InvalidPath(f"Derivation path {path!r} is empty or starts with '/'.")
    indices: list[int] = []
    for part in parts:
        match = _SEGMENT.match(part)
        if match is None:
            raise InvalidPath(
                f"Bad step {part!r} in derivation path {path!r}: use numbers, with ' or h "
                "for hardened (e.g. m/44'/19167'/0'/0/0)."
            )
        number = int(match.group(1))
        if number >= HARDENED:
            raise InvalidPath(f"Index {number} in {path!r} is too large (must be below 2^31).")
        indices.append(number + HARDENED if match.group(2) else number)
    if len(indices) > MAX_PATH_DEPTH:
        raise InvalidPath(f"Derivation path {path!r} is deeper than {MAX_PATH_DEPTH} levels.")
    return indices


def format_index(index: int) -> str:
    return f"{index - HARDENED}'" if index >= HARDENED else str(index)


def default_path(network: Network, account: int = 0, change: int = 0, index: int = 0) -> str:
    """m/44'/coin'/account'/change/index for `network`."""
    for name, value in (("account", account), ("change", change), ("index", index)):
        if not 0 <= value < HARDENED:
            raise InvalidPath(f"The {name} number must be between 0 and 2^31-1, got {value}.")
    return f"m/{BIP44_PURPOSE}'/{network.coin_type}'/{account}'/{change}/{index}"


class HDKey:
    """One BIP32 node. Holds a private key, or only a public key for watch-only wallets."""

    __slots__ = (
        "_private",
        "_public",
        "chain_code",
        "child_number",
        "depth",
        "network",
        "parent_fingerprint",
    )

    def __init__(
        self,
        network: Network,
        chain_code: bytes,
        *,
        private: PrivateKey | None = None,
        public: bytes | None = None,
        depth: int = 0,
        parent_fingerprint: bytes = b"\x00" * 4,
        child_number: int = 0,
    ) -> None:
        if private is None and public is None:
            raise InvalidKey("An HD key needs a private or a public key.")
        self.network = network
        self.chain_code = bytes(chain_code)
        self._private = private
        self._public = (
            private.public_key(compressed=True)
            if private is not None
            else bytes(parse_public_key(public or b"").format(compressed=True))
        )
        self.depth = depth
        self.parent_fingerprint = bytes(parent_fingerprint)
        self.child_number = child_number

    # ------------------------------------------------------------------------------ construction

    @classmethod
    def from_seed(cls, seed: bytes, network: Network) -> HDKey:
        """Master node of a BIP32 seed (16–64 bytes; a BIP39 seed is 64)."""
        if not isinstance(seed, bytes | bytearray) or not 16 <= len(seed) <= 64:
            raise InvalidKey("A BIP32 seed must be 16 to 64 bytes.")
        digest = hmac.new(b"Bitcoin seed", bytes(seed), hashlib.sha512).digest()
        secret, chain_code = digest[:32], digest[32:]
        if not 0 < int.from_bytes(secret, "big") < CURVE_ORDER:
            raise InvalidKey("This seed gives an invalid master key (probability ~2^-127).")
        return cls(network, chain_code, private=PrivateKey(secret, True, network))

    @classmethod
    def from_mnemonic(cls, mnemonic: str, network: Network, passphrase: str = "") -> HDKey:
        return cls.from_seed(mnemonic_to_seed(mnemonic, passphrase), network)

    @classmethod
    def from_extended_key(cls, text: str, network: Network | None = None) -> HDKey:
        """Node from an xprv (spending) or xpub (watch-only) string of `network`.

        With network=None the network is taken from the version bytes (testnet and regtest share
        them; TESTNET is reported).
        """
        try:
            raw = b58check_decode(text.strip() if isinstance(text, str) else text)
        except DecodeError as exc:
            raise InvalidKey(f"This is not a valid extended key: {exc}") from None
        if len(raw) != 78:
            raise InvalidKey(f"An extended key holds 78 bytes, this one {len(raw)}.")
        version = int.from_bytes(raw[:4], "big")
        found = _network_for_version(version)
        if found is None:
            raise InvalidKey(
                f"Unknown extended-key version 0x{version:08x}: not a Flux xpub or xprv."
            )
        owner, is_private = found
        if network is not None and version not in (network.xpub_version, network.xprv_version):
            raise InvalidKey(
                f"This extended key is for {owner.name}, but you are on {network.name}."
            )
        net = network or owner
        depth = raw[4]
        parent_fp, child = raw[5:9], int.from_bytes(raw[9:13], "big")
        chain_code, key_data = raw[13:45], raw[45:78]
        if depth == 0 and (parent_fp != b"\x00" * 4 or child != 0):
            raise InvalidKey("A depth-0 extended key must have no parent and child number 0.")
        if is_private:
            if key_data[0] != 0:
                raise InvalidKey("An xprv must carry its private key after a zero byte.")
            private = PrivateKey(key_data[1:], True, net)
            return cls(
                net,
                chain_code,
                private=private,
                depth=depth,
                parent_fingerprint=parent_fp,
                child_number=child,
            )
        return cls(
            net,
            chain_code,
            public=key_data,
            depth=depth,
            parent_fingerprint=parent_fp,
            child_number=child,
        )

    # -------------------------------------------------------------------------------- accessors

    @property
    def is_private(self) -> bool:
        return self._private is not None

    @property
    def private_key(self) -> PrivateKey:
        if self._private is None:
            raise InvalidKey("This is a watch-only key (from an xpub): it has no private key.")
        return self._private

    @property
    def public_key(self) -> bytes:
        """Compressed (33-byte) public key."""
        return self._public

    @property
    def identifier(self) -> bytes:
        return hash160(self._public)

    @property
    def fingerprint(self) -> bytes:
        return self.identifier[:4]

    def neutered(self) -> HDKey:
        """The same node without its private key."""
        return HDKey(
            self.network,
            self.chain_code,
            public=self._public,
            depth=self.depth,
            parent_fingerprint=self.parent_fingerprint,
            child_number=self.child_number,
        )

    # ---------------------------------------------------------------------------- derivation

    def child(self, index: int) -> HDKey:
        """Child `index` (≥ 2^31 = hardened; needs the private key)."""
        if not 0 <= index <= 0xFFFFFFFF:
            raise InvalidPath(f"Child index {index} is out of range.")
        if self.depth >= MAX_PATH_DEPTH:
            raise InvalidPath("Cannot derive below depth 255.")
        hardened = index >= HARDENED
        if hardened:
            if self._private is None:
                raise InvalidPath(
                    f"Cannot derive hardened step {format_index(index)} from an xpub: "
                    "hardened steps need the private key (xprv or seed)."
                )
            data = b"\x00" + self._private.secret + index.to_bytes(4, "big")
        else:
            data = self._public + index.to_bytes(4, "big")
        digest = hmac.new(self.chain_code, data, hashlib.sha512).digest()
        tweak, chain_code = digest[:32], digest[32:]
        if int.from_bytes(tweak, "big") >= CURVE_ORDER:
            raise InvalidPath(f"Step {format_index(index)} gives an invalid key; use the next one.")
        try:
            if self._private is not None:
                secret = coincurve.PrivateKey(self._private.secret).add(tweak).secret
                child_key = PrivateKey(secret, True, self.network)
                return self._make_child(chain_code, index, private=child_key)
            point = coincurve.PublicKey(self._public).add(tweak)
        except ValueError:
            # The sum is zero or the point at infinity: BIP32 says skip this index.
            raise InvalidPath(
                f"Step {format_index(index)} gives an invalid key; use the next one."
            ) from None
        return self._make_child(chain_code, index, public=point.format(compressed=True))

    def _make_child(
        self,
        chain_code: bytes,
        index: int,
        *,
        private: PrivateKey | None = None,
        public: bytes | None = None,
    ) -> HDKey:
        return HDKey(
            self.network,
            chain_code,
            private=private,
            public=public,
            depth=self.depth + 1,
            parent_fingerprint=self.fingerprint,
            child_number=index,
        )

    def derive(self, path: str) -> HDKey:
        """Node at `path` below this one ("m" = this node, "m/0/1" = its child 0, then 1)."""
        node = self
        for index in parse_path(path):
            node = node.child(index)
        return node

    # --------------------------------------------------------------------------- serialisation

    def _serialize(self, version: int, key_data: bytes) -> str:
        payload = (
            version.to_bytes(4, "big")
            + bytes((self.depth,))
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + key_data
        )
        return b58check_encode(payload)

    def xpub(self) -> str:
        return self._serialize(self.network.xpub_version, self._public)

    def xprv(self) -> str:
        return self._serialize(self.network.xprv_version, b"\x00" + self.private_key.secret)

    def __repr__(self) -> str:
        kind = "private" if self.is_private else "watch-only"
        return (
            f"HDKey({self.network.name}, {kind}, depth={self.depth}, "
            f"child={format_index(self.child_number)}, fingerprint={self.fingerprint.hex()})"
        )


def _network_for_version(version: int) -> tuple[Network, bool] | None:
    for network in NETWORKS:
        if version == network.xpub_version:
            return network, False
        if version == network.xprv_version:
            return network, True
    return None

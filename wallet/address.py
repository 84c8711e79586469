"""Transparent Flux addresses: t1/tm (P2PKH) and t3/t2 (P2SH), plus Bitcoin "1…" Flux IDs.

address = base58check(2-byte version ‖ HASH160(x)) (docs/protocol-wallet.md). Every decoder raises
InvalidAddress with a plain message and nothing else.
"""

from __future__ import annotations

from flux.networks import MAINNET, NETWORKS, TESTNET, Network, same_encoding
from wallet.encoding import B58_ALPHABET, b58check_decode, b58check_encode, b58decode, hash160
from wallet.errors import DecodeError, InvalidAddress
from wallet.keys import validate_public_key
from wallet.script import ScriptKind, classify_script, p2pkh_script, p2sh_script

# A Bitcoin P2PKH address ("1…") as FluxOS uses for a Flux ID (docs/protocol-wallet.md).
BITCOIN_P2PKH_VERSION = 0x00
BITCOIN_P2SH_VERSION = 0x05

# A t-address is 35 characters; far longer text is refused before decoding it.
MAX_ADDRESS_CHARS = 60
NOT_FLUX = "This is not a Flux address"

# Canonical network reported for a prefix shared by testnet and regtest.
_DECODE_ORDER = (MAINNET, TESTNET)


def _encode(prefix: bytes, digest: bytes) -> str:
    if len(digest) != 20:
        raise InvalidAddress(f"An address holds a 20-byte hash, got {len(digest)} bytes.")
    return b58check_encode(prefix + digest)


def address_from_hash(digest: bytes, kind: ScriptKind | str, network: Network) -> str:
    """Address of a 20-byte hash of the given kind ("p2pkh" or "p2sh") on `network`."""
    if kind == ScriptKind.P2PKH:
        return _encode(network.p2pkh_prefix, digest)
    if kind == ScriptKind.P2SH:
        return _encode(network.p2sh_prefix, digest)
    raise InvalidAddress(f"Addresses exist only for p2pkh and p2sh, not {kind!r}.")


def p2pkh_address(pubkey: bytes, network: Network) -> str:
    """t1… (mainnet) or tm… address of a public key, in the compression given."""
    return _encode(network.p2pkh_prefix, hash160(validate_public_key(pubkey)))


def p2sh_address(redeem_script: bytes, network: Network) -> str:
    """t3… (mainnet) or t2… address of a redeem script."""
    if not isinstance(redeem_script, bytes | bytearray) or not redeem_script:
        raise InvalidAddress("A P2SH address needs a non-empty redeem script.")
    return _encode(network.p2sh_prefix, hash160(bytes(redeem_script)))


def _payload(text: str, what: str = NOT_FLUX) -> bytes:
    """The decoded bytes of an address, or InvalidAddress saying in plain words what is wrong."""
    if not isinstance(text, str):
        raise InvalidAddress("An address must be text.")
    cleaned = text.strip()
    if not cleaned:
        raise InvalidAddress("The address is empty.")
    for position, char in enumerate(cleaned):
        if char not in B58_ALPHABET:
            raise InvalidAddress(
                f"{what}: {char!r} (character {position + 1}) never appears in one. "
                "Check for a typo; 0, O, I and l are not used."
            )
    if len(cleaned) > MAX_ADDRESS_CHARS:
        raise InvalidAddress(f"{what}: it is too long.")
    try:
        return b58check_decode(cleaned)
    except DecodeError:
        if len(b58decode(cleaned)) < 5:
            raise InvalidAddress(f"{what}: it is too short.") from None
        raise InvalidAddress(
            f"{what}: it has a typo or is incomplete (its last characters, a checksum, do not "
            "match the rest). Copy and paste it again."
        ) from None


def decode_address(text: str) -> tuple[Network, ScriptKind, bytes]:
    """(network, kind, hash160) of a Flux t-address.

    Testnet and regtest share prefixes; their addresses are reported as TESTNET.
    """
    payload = _payload(text)
    if len(payload) == 21 and payload[0] in (BITCOIN_P2PKH_VERSION, BITCOIN_P2SH_VERSION):
        raise InvalidAddress(
            "This is a Bitcoin-style address (it starts with 1 or 3), not a Flux address; "
            "Flux addresses start with t1 or t3."
        )
    if len(payload) != 22:
        size = "too short" if len(payload) < 22 else "too long"
        raise InvalidAddress(f"{NOT_FLUX}: it is {size}.")
    prefix, digest = payload[:2], payload[2:]
    for network in _DECODE_ORDER:
        if prefix == network.p2pkh_prefix:
            return network, ScriptKind.P2PKH, digest
        if prefix == network.p2sh_prefix:
            return network, ScriptKind.P2SH, digest
    raise InvalidAddress(
        f"{NOT_FLUX}: Flux addresses start with t1 or t3 (tm or t2 on testnet and regtest)."
    )


def decode_address_for(text: str, network: Network) -> tuple[ScriptKind, bytes]:
    """(kind, hash160) of `text`, which must belong to `network`."""
    found, kind, digest = decode_address(text)
    if not same_encoding(found, network):
        raise InvalidAddress(
            f"This is a {found.name} address, but you are on {network.name}. "
            f"Use a {network.name} address."
        )
    return kind, digest


def is_valid_address(text: str, network: Network | None = None) -> bool:
    try:
        if network is None:
            decode_address(text)
        else:
            decode_address_for(text, network)
    except InvalidAddress:
        return False
    return True


def script_pubkey_for_address(text: str, network: Network) -> bytes:
    """The scriptPubKey that pays `text` (which must belong to `network`)."""
    kind, digest = decode_address_for(text, network)
    return p2pkh_script(digest) if kind == ScriptKind.P2PKH else p2sh_script(digest)


def address_from_script(script: bytes, network: Network) -> str | None:
    """The address a P2PKH or P2SH scriptPubKey pays, or None for any other script."""
    kind = classify_script(bytes(script))
    if kind == ScriptKind.P2PKH:
        return _encode(network.p2pkh_prefix, bytes(script[3:23]))
    if kind == ScriptKind.P2SH:
        return _encode(network.p2sh_prefix, bytes(script[2:22]))
    return None


def networks_for_address(text: str) -> tuple[Network, ...]:
    """Every network (including regtest) on which `text` is a valid address."""
    found, _kind, _digest = decode_address(text)
    return tuple(n for n in NETWORKS if same_encoding(n, found))


# ---------------------------------------------------------------- Bitcoin-style Flux IDs ("1…")


def bitcoin_p2pkh_address(pubkey: bytes) -> str:
    """Bitcoin mainnet P2PKH address of a public key: the FluxOS Flux ID form."""
    return b58check_encode(bytes((BITCOIN_P2PKH_VERSION,)) + hash160(validate_public_key(pubkey)))


def decode_bitcoin_p2pkh(text: str) -> bytes:
    """hash160 of a Bitcoin "1…" address; InvalidAddress otherwise."""
    payload = _payload(text, "This is not a Flux ID")
    if len(payload) != 21 or payload[0] != BITCOIN_P2PKH_VERSION:
        raise InvalidAddress("This is not a Bitcoin P2PKH address (a Flux ID starts with 1).")
    return payload[1:]

"""FluxNode START transactions (v5, v6 normal, v6 P2SH, delegates) and identity keys.

A START is signed over its own txid: the 64-char lowercase txid hex is signed as a "Zelcash" message
(compact signature, header compression = the signing key's flag). The txid hashes every field but
the signature, including a v6 delegate block (docs/protocol-fluxnode.md).
"""

from __future__ import annotations

from dataclasses import replace

from wallet.errors import InvalidKey, InvalidTransaction, SigningError
from wallet.fluxnodecodec import (
    FLUX_TX_DELEGATES_BIT,
    MAX_DELEGATE_KEYS,
    MAX_SCRIPT_SIZE,
    start_kind,
)
from wallet.keys import PrivateKey, is_compressed_pubkey, recover_compact, validate_public_key
from wallet.message import message_hash
from wallet.script import parse_multisig
from wallet.txmodel import (
    DELEGATES_SIGNING,
    DELEGATES_UPDATE,
    FLUXNODE_TX_UPGRADEABLE_VERSION,
    FLUXNODE_TX_VERSION,
    DelegateData,
    FluxnodeStart,
    OutPoint,
    Transaction,
)

FLUX_TX_NORMAL = 1
FLUX_TX_P2SH = 2


def create_identity_key(compressed: bool = False) -> PrivateKey:
    """A new node identity key; uncompressed by default, like fluxd ``createfluxnodekey``.

    Hand the node the WIF of this key (``key.to_wif(network)``); the START must carry the public
    key in the same compression, which ``identity_pubkey_from_wif`` guarantees.
    """
    return PrivateKey.generate(compressed=compressed)


def identity_pubkey_from_wif(wif: str) -> bytes:
    """The identity pubkey a START must carry for a node configured with ``wif``."""
    return PrivateKey.from_wif(wif).public_key()


def _pubkey(data: object, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray):
        raise InvalidKey(f"the {what} must be bytes")
    try:
        return validate_public_key(bytes(data))
    except InvalidKey:
        raise InvalidKey(f"the {what} is not a valid 33- or 65-byte public key") from None


def _delegate_data(delegates: list[bytes] | None, as_delegate: bool) -> DelegateData | None:
    if delegates is not None and as_delegate:
        raise InvalidTransaction(
            "a START either registers delegates (owner) or is signed as a delegate, not both"
        )
    if as_delegate:
        return DelegateData(kind=DELEGATES_SIGNING)
    if delegates is None:
        return None
    if len(delegates) > MAX_DELEGATE_KEYS:
        raise InvalidTransaction(
            f"{len(delegates)} delegate keys given; at most {MAX_DELEGATE_KEYS} are allowed"
        )
    keys = tuple(_pubkey(k, "delegate key") for k in delegates)
    if any(not is_compressed_pubkey(k) for k in keys):
        raise InvalidTransaction("delegate keys must be compressed (33-byte) public keys")
    if len(set(keys)) != len(keys):
        raise InvalidTransaction("the same delegate key is listed twice")
    return DelegateData(kind=DELEGATES_UPDATE, keys=keys)


def _start_payload(
    outpoint: OutPoint,
    signing_key: PrivateKey,
    identity: bytes,
    sig_time: int,
    *,
    version: int,
    collateral_pubkey: bytes | None,
    redeem_script: bytes | None,
    delegate_data: DelegateData | None,
) -> FluxnodeStart:
    if version == FLUXNODE_TX_VERSION:
        if redeem_script is not None or delegate_data is not None:
            raise InvalidTransaction(
                "version 5 STARTs support only P2PKH collateral without delegates; use version=6"
            )
        collateral = _pubkey(collateral_pubkey or signing_key.public_key(), "collateral pubkey")
        return FluxnodeStart(outpoint, identity, sig_time, collateral_pubkey=collateral)
    flux_tx_version = FLUX_TX_P2SH if redeem_script is not None else FLUX_TX_NORMAL
    if delegate_data is not None:
        flux_tx_version |= FLUX_TX_DELEGATES_BIT
    using = True if delegate_data is not None else None
    if redeem_script is not None:
        if collateral_pubkey is not None:
            raise InvalidTransaction("a P2SH START names a redeem script, no collateral pubkey")
        script = bytes(redeem_script)
        if parse_multisig(script) is None or len(script) > MAX_SCRIPT_SIZE:
            raise InvalidTransaction("the redeem script is not a standard bare multisig script")
        return FluxnodeStart(
            outpoint, identity, sig_time, redeem_script=script, flux_tx_version=flux_tx_version,
            using_delegates=using, delegates=delegate_data,
        )
    if collateral_pubkey is None:
        if delegate_data is not None and delegate_data.kind == DELEGATES_SIGNING:
            raise InvalidTransaction(
                "a delegate START of a P2PKH collateral needs the owner's collateral pubkey"
            )
        collateral_pubkey = signing_key.public_key()
    return FluxnodeStart(
        outpoint, identity, sig_time,
        collateral_pubkey=_pubkey(collateral_pubkey, "collateral pubkey"),
        flux_tx_version=flux_tx_version, using_delegates=using, delegates=delegate_data,
    )


def build_start_tx(
    collateral_txid: str,
    collateral_index: int,
    signing_key: PrivateKey,
    identity_pubkey: bytes,
    sig_time: int,
    *,
    version: int = 5,
    collateral_pubkey: bytes | None = None,
    redeem_script: bytes | None = None,
    delegates: list[bytes] | None = None,
    as_delegate: bool = False,
) -> Transaction:
    """A signed START transaction (``.serialize()``, ``.txid``).

    ``signing_key``: the collateral key (normal), a redeem-script key (P2SH) or a registered
    delegate key (``as_delegate``). ``collateral_pubkey`` defaults to the signing key's pubkey in
    its own compression and must be the owner's for a delegate start of a P2PKH collateral.
    ``delegates`` (v6 only) registers up to 4 compressed keys; ``[]`` removes all delegates.
    """
    if version not in (FLUXNODE_TX_VERSION, FLUXNODE_TX_UPGRADEABLE_VERSION):
        raise InvalidTransaction(f"START version must be 5 or 6, not {version!r}")
    if not isinstance(signing_key, PrivateKey):
        raise SigningError("the START must be signed with a PrivateKey")
    if not isinstance(sig_time, int) or not 0 <= sig_time <= 0xFFFFFFFF:
        raise InvalidTransaction(f"sigTime {sig_time!r} is not a unix time in seconds")
    if not isinstance(collateral_txid, str):
        raise InvalidTransaction("the collateral txid must be hex text")
    outpoint = OutPoint.from_hex(collateral_txid, collateral_index)
    identity = _pubkey(identity_pubkey, "identity pubkey")
    delegate_data = _delegate_data(delegates, as_delegate)
    payload = _start_payload(
        outpoint, signing_key, identity, sig_time, version=version,
        collateral_pubkey=collateral_pubkey, redeem_script=redeem_script,
        delegate_data=delegate_data,
    )
    tx = Transaction(version=version, overwintered=False, version_group_id=0, fluxnode=payload)
    sig = signing_key.sign_compact(message_hash(tx.txid, "Zelcash"))
    tx.fluxnode = _with_sig(payload, sig)
    return tx


def _with_sig(payload: FluxnodeStart, sig: bytes) -> FluxnodeStart:
    return replace(payload, sig=sig)


def start_signer(tx: Transaction) -> bytes:
    """The pubkey (in the signature's compression) that signed a START; SigningError if none."""
    start = tx.fluxnode
    if not isinstance(start, FluxnodeStart):
        raise InvalidTransaction("this is not a fluxnode START transaction")
    pubkey, _ = recover_compact(start.sig, message_hash(tx.txid, "Zelcash"))
    return pubkey


def allowed_start_signers(
    tx: Transaction, registered_delegates: tuple[bytes, ...] = ()
) -> set[bytes]:
    """Keys fluxd accepts as the START's signer (delegates as registered on chain, if signing)."""
    start = tx.fluxnode
    if not isinstance(start, FluxnodeStart):
        raise InvalidTransaction("this is not a fluxnode START transaction")
    if start.delegates is not None and start.delegates.kind == DELEGATES_SIGNING:
        return set(registered_delegates)
    if start.flux_tx_version is not None and start_kind(start.flux_tx_version) == "p2sh":
        multisig = parse_multisig(start.redeem_script)
        return set(multisig.pubkeys) if multisig else set()
    return {start.collateral_pubkey}


def verify_start(tx: Transaction, registered_delegates: tuple[bytes, ...] = ()) -> bool:
    """True if the START's signature is by a key fluxd's CheckFluxnodeTxSignatures accepts."""
    try:
        return start_signer(tx) in allowed_start_signers(tx, registered_delegates)
    except (SigningError, InvalidTransaction):
        return False

"""Data model of a Flux transaction: transparent, Sprout/Sapling shielded and fluxnode parts.

Plain dataclasses compared by value, so ``Transaction.parse(tx.serialize()) == tx`` is a meaningful
check. Byte strings hold hashes in internal (serialized) order; ``txid_hex`` style properties give
the reversed display form used by RPCs and explorers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wallet.errors import DecodeError

if TYPE_CHECKING:
    from typing import Self

OVERWINTER_VERSION_GROUP_ID = 0x03C48270
SAPLING_VERSION_GROUP_ID = 0x892F2085
SAPLING_TX_VERSION = 4
OVERWINTER_TX_VERSION = 3
FLUXNODE_TX_VERSION = 5
FLUXNODE_TX_UPGRADEABLE_VERSION = 6
FLUXNODE_START_TYPE = 2
FLUXNODE_CONFIRM_TYPE = 4

# Field sizes of shielded descriptions (fluxd transaction.h, Groth16 and PHGR13 proofs).
GROTH_PROOF_SIZE = 192
PHGR_PROOF_SIZE = 296
SAPLING_ENC_CIPHERTEXT_SIZE = 580
SAPLING_OUT_CIPHERTEXT_SIZE = 80
SPROUT_CIPHERTEXT_SIZE = 601
SPEND_DESCRIPTION_SIZE = 32 * 4 + GROTH_PROOF_SIZE + 64
OUTPUT_DESCRIPTION_SIZE = (
    32 * 3 + SAPLING_ENC_CIPHERTEXT_SIZE + SAPLING_OUT_CIPHERTEXT_SIZE + GROTH_PROOF_SIZE
)
JOINSPLIT_BASE_SIZE = 8 + 8 + 32 + 2 * 32 + 2 * 32 + 32 + 32 + 2 * 32 + 2 * SPROUT_CIPHERTEXT_SIZE

SEQUENCE_FINAL = 0xFFFFFFFF


@dataclass(frozen=True)
class OutPoint:
    """A reference to an output: txid in internal byte order plus output index."""

    txid: bytes
    index: int

    @classmethod
    def from_hex(cls, txid_hex: str, index: int) -> Self:
        """Build from the display (RPC/explorer) txid hex, which is the reversed byte order."""
        try:
            raw = bytes.fromhex(txid_hex)
        except (ValueError, TypeError) as exc:
            raise DecodeError(f"txid {txid_hex!r} is not hex") from exc
        if len(raw) != 32:
            raise DecodeError(f"txid must be 32 bytes (64 hex characters), got {len(raw)} bytes")
        if not isinstance(index, int) or not 0 <= index <= 0xFFFFFFFF:
            raise DecodeError(f"output index {index!r} is out of range")
        return cls(raw[::-1], index)

    @property
    def txid_hex(self) -> str:
        return self.txid[::-1].hex()


@dataclass
class TxIn:
    prevout: OutPoint
    script_sig: bytes = b""
    sequence: int = SEQUENCE_FINAL


@dataclass(frozen=True)
class TxOut:
    value: int
    script_pubkey: bytes


@dataclass(frozen=True)
class SpendDescription:
    """Sapling spend (384 bytes on the wire)."""

    cv: bytes
    anchor: bytes
    nullifier: bytes
    rk: bytes
    zkproof: bytes
    spend_auth_sig: bytes


@dataclass(frozen=True)
class OutputDescription:
    """Sapling output (948 bytes on the wire)."""

    cv: bytes
    cmu: bytes
    ephemeral_key: bytes
    enc_ciphertext: bytes
    out_ciphertext: bytes
    zkproof: bytes


@dataclass(frozen=True)
class JoinSplit:
    """Sprout JoinSplit; the proof is Groth16 (192 B) in v4 and PHGR13 (296 B) before."""

    vpub_old: int
    vpub_new: int
    anchor: bytes
    nullifiers: tuple[bytes, bytes]
    commitments: tuple[bytes, bytes]
    ephemeral_key: bytes
    random_seed: bytes
    macs: tuple[bytes, bytes]
    proof: bytes
    ciphertexts: tuple[bytes, bytes]


DELEGATES_NONE = 0
DELEGATES_UPDATE = 1
DELEGATES_SIGNING = 2


@dataclass(frozen=True)
class DelegateData:
    """CFluxnodeDelegates: an UPDATE carries up to 4 compressed keys, SIGNING carries none."""

    kind: int
    keys: tuple[bytes, ...] = ()
    version: int = 1


@dataclass(frozen=True)
class FluxnodeStart:
    """Payload of a START (nType 2) transaction, v5 or v6.

    ``flux_tx_version`` is None for v5. ``collateral_pubkey`` is empty for the v6 P2SH form and
    ``redeem_script`` is empty for the normal forms. ``using_delegates`` is None when the
    nFluxTxVersion delegates bit is clear (the flag is then absent from the wire).
    """

    collateral: OutPoint
    identity_pubkey: bytes
    sig_time: int
    sig: bytes = b""
    collateral_pubkey: bytes = b""
    redeem_script: bytes = b""
    flux_tx_version: int | None = None
    using_delegates: bool | None = None
    delegates: DelegateData | None = None


@dataclass(frozen=True)
class FluxnodeConfirm:
    """Payload of a CONFIRM (nType 4) transaction, sent by the node itself."""

    collateral: OutPoint
    sig_time: int
    benchmark_tier: int
    benchmark_sig_time: int
    update_type: int
    ip: bytes
    sig: bytes = b""
    benchmark_sig: bytes = b""


@dataclass
class Transaction:
    """Any Flux transaction: v1-v4 (transparent and shielded parts) or a v5/v6 fluxnode tx."""

    version: int = SAPLING_TX_VERSION
    overwintered: bool = True
    version_group_id: int = SAPLING_VERSION_GROUP_ID
    inputs: list[TxIn] = field(default_factory=list)
    outputs: list[TxOut] = field(default_factory=list)
    lock_time: int = 0
    expiry_height: int = 0
    value_balance: int = 0
    shielded_spends: list[SpendDescription] = field(default_factory=list)
    shielded_outputs: list[OutputDescription] = field(default_factory=list)
    joinsplits: list[JoinSplit] = field(default_factory=list)
    joinsplit_pubkey: bytes = b""
    joinsplit_sig: bytes = b""
    binding_sig: bytes = b""
    fluxnode: FluxnodeStart | FluxnodeConfirm | None = None

    @classmethod
    def parse(cls, raw: bytes) -> Transaction:
        """Parse one complete transaction; trailing bytes or any malformation raise DecodeError."""
        from wallet.txcodec import parse_transaction

        return parse_transaction(raw)

    def serialize(self) -> bytes:
        from wallet.txcodec import serialize_transaction

        return serialize_transaction(self)

    @property
    def txid(self) -> str:
        """Display txid: SHA256d of the serialization (fluxnode: without signatures), reversed."""
        from wallet.txcodec import txid_bytes

        return txid_bytes(self)[::-1].hex()

    @property
    def is_fluxnode(self) -> bool:
        return self.version in (FLUXNODE_TX_VERSION, FLUXNODE_TX_UPGRADEABLE_VERSION) and (
            not self.overwintered
        )

    @property
    def is_sapling(self) -> bool:
        return (
            self.overwintered
            and self.version == SAPLING_TX_VERSION
            and self.version_group_id == SAPLING_VERSION_GROUP_ID
        )

    @property
    def is_overwinter(self) -> bool:
        return (
            self.overwintered
            and self.version == OVERWINTER_TX_VERSION
            and self.version_group_id == OVERWINTER_VERSION_GROUP_ID
        )

    @property
    def header(self) -> int:
        return (self.version | (1 << 31)) if self.overwintered else self.version

    def size(self) -> int:
        return len(self.serialize())

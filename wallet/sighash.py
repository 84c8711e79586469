"""ZIP-243 signature hash of Sapling (v4) transactions, as fluxd's SignatureHash computes it.

The per-transaction digests (prevouts, sequences, outputs, JoinSplits, shielded spends and outputs)
do not depend on the input being signed, so ``SighashContext`` computes each one at most once;
signing N inputs then costs O(N) instead of O(N²).
"""

from __future__ import annotations

import hashlib

from wallet import txreader as w
from wallet.errors import InvalidTransaction, SigningError
from wallet.txcodec import (
    serialize_joinsplit,
    serialize_output,
    serialize_output_body,
    serialize_spend,
)
from wallet.txmodel import GROTH_PROOF_SIZE, Transaction

FLUX_BRANCH_ID = 0x76B809BB
SIGHASH_ALL = 1
SIGHASH_NONE = 2
SIGHASH_SINGLE = 3
SIGHASH_ANYONECANPAY = 0x80
# Hash types fluxd accepts as standard (STRICTENC).
STANDARD_HASH_TYPES = frozenset(
    {SIGHASH_ALL, SIGHASH_NONE, SIGHASH_SINGLE} | {t | SIGHASH_ANYONECANPAY for t in (1, 2, 3)}
)
# Marks "no transparent input": the hash then signs the shielded parts only (ZIP-243).
NOT_AN_INPUT = -1

_ZERO = bytes(32)


def _blake(person: bytes, data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32, person=person).digest()


class SighashContext:
    """Signature hashes for one transaction; reuse it for every input of that transaction.

    The transaction's prevouts, sequences and outputs must not change while a context is in use
    (script_sigs may: they are not part of any digest).
    """

    def __init__(self, tx: Transaction, branch_id: int = FLUX_BRANCH_ID) -> None:
        if not tx.is_sapling:
            raise InvalidTransaction(
                "ZIP-243 signature hashes need a version 4 Sapling transaction "
                "(fOverwintered set, version group id 0x892F2085)"
            )
        self.tx = tx
        self._person = b"ZcashSigHash" + w.u32(branch_id, "consensus branch id")
        self._cache: dict[str, bytes] = {}

    def _cached(self, name: str) -> bytes:
        value = self._cache.get(name)
        if value is None:
            value = getattr(self, "_compute_" + name)()
            self._cache[name] = value
        return value

    def _compute_prevouts(self) -> bytes:
        data = b"".join(
            w.fixed(i.prevout.txid, 32, "prevout txid") + w.u32(i.prevout.index, "prevout index")
            for i in self.tx.inputs
        )
        return _blake(b"ZcashPrevoutHash", data)

    def _compute_sequence(self) -> bytes:
        data = b"".join(w.u32(i.sequence, "sequence") for i in self.tx.inputs)
        return _blake(b"ZcashSequencHash", data)

    def _compute_outputs(self) -> bytes:
        data = b"".join(serialize_output_body(o) for o in self.tx.outputs)
        return _blake(b"ZcashOutputsHash", data)

    def _compute_joinsplits(self) -> bytes:
        if not self.tx.joinsplits:
            return _ZERO
        data = b"".join(serialize_joinsplit(js, GROTH_PROOF_SIZE) for js in self.tx.joinsplits)
        return _blake(b"ZcashJSplitsHash", data + w.fixed(self.tx.joinsplit_pubkey, 32, "pubkey"))

    def _compute_spends(self) -> bytes:
        if not self.tx.shielded_spends:
            return _ZERO
        data = b"".join(serialize_spend(s, with_sig=False) for s in self.tx.shielded_spends)
        return _blake(b"ZcashSSpendsHash", data)

    def _compute_shielded_outputs(self) -> bytes:
        if not self.tx.shielded_outputs:
            return _ZERO
        data = b"".join(serialize_output(o) for o in self.tx.shielded_outputs)
        return _blake(b"ZcashSOutputHash", data)

    def _digests(self, index: int, hash_type: int) -> list[bytes]:
        """The six shared digests as the hash type selects them (ZIP-243 order)."""
        tx = self.tx
        base = hash_type & 0x1F
        anyone_can_pay = bool(hash_type & SIGHASH_ANYONECANPAY)
        prevouts = _ZERO if anyone_can_pay else self._cached("prevouts")
        if anyone_can_pay or base in (SIGHASH_NONE, SIGHASH_SINGLE):
            sequence = _ZERO
        else:
            sequence = self._cached("sequence")
        if base not in (SIGHASH_NONE, SIGHASH_SINGLE):
            outputs = self._cached("outputs")
        elif base == SIGHASH_SINGLE and 0 <= index < len(tx.outputs):
            outputs = _blake(b"ZcashOutputsHash", serialize_output_body(tx.outputs[index]))
        else:
            outputs = _ZERO
        return [
            prevouts,
            sequence,
            outputs,
            self._cached("joinsplits"),
            self._cached("spends"),
            self._cached("shielded_outputs"),
        ]

    def preimage(self, index: int, script_code: bytes, amount: int, hash_type: int) -> bytes:
        tx = self.tx
        if not isinstance(index, int) or not (
            index == NOT_AN_INPUT or 0 <= index < len(tx.inputs)
        ):
            raise SigningError(
                f"input index {index} does not exist (the transaction has {len(tx.inputs)} inputs)"
            )
        hash_type_bytes = w.u32(hash_type, "hash type")
        parts = [
            w.u32(tx.header, "header"),
            w.u32(tx.version_group_id, "version group id"),
            *self._digests(index, hash_type),
            w.u32(tx.lock_time, "nLockTime"),
            w.u32(tx.expiry_height, "nExpiryHeight"),
            w.i64(tx.value_balance, "valueBalance"),
            hash_type_bytes,
        ]
        if index != NOT_AN_INPUT:
            txin = tx.inputs[index]
            parts += (
                w.fixed(txin.prevout.txid, 32, "prevout txid"),
                w.u32(txin.prevout.index, "prevout index"),
                w.var_bytes(script_code),
                w.i64(amount, "amount"),
                w.u32(txin.sequence, "sequence"),
            )
        return b"".join(parts)

    def digest(
        self, index: int, script_code: bytes, amount: int, hash_type: int = SIGHASH_ALL
    ) -> bytes:
        if not isinstance(script_code, bytes | bytearray):
            raise SigningError("script_code must be bytes")
        return _blake(self._person, self.preimage(index, bytes(script_code), amount, hash_type))

    def intermediate(self, index: int, hash_type: int = SIGHASH_ALL) -> dict[str, bytes]:
        """The shared digests by their ZIP-243 names (for diagnostics and vector checks)."""
        names = (
            "hashPrevouts", "hashSequence", "hashOutputs", "hashJoinSplits",
            "hashShieldedSpends", "hashShieldedOutputs",
        )
        return dict(zip(names, self._digests(index, hash_type), strict=True))


def signature_hash(
    tx: Transaction,
    index: int,
    script_code: bytes,
    amount: int,
    hash_type: int = SIGHASH_ALL,
    branch_id: int = FLUX_BRANCH_ID,
) -> bytes:
    """ZIP-243 sighash of input ``index`` (``NOT_AN_INPUT`` = -1 for the shielded-only hash).

    ``script_code`` is the raw script (no length prefix): the spent scriptPubKey for P2PKH, the
    redeem script for P2SH. ``amount`` is the value of the spent output in satoshis. For many
    inputs of one transaction use ``SighashContext`` so the shared digests are computed once.
    """
    return SighashContext(tx, branch_id).digest(index, script_code, amount, hash_type)

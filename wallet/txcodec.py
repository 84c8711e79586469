"""Wire format of v1-v4 transactions (fluxd primitives/transaction.h); v5/v6 go to fluxnodecodec.

Layouts: v1 = vin, vout, nLockTime; v2 (Sprout) adds JoinSplits with PHGR proofs; v3 (Overwinter,
fOverwintered bit + version group id) adds nExpiryHeight; v4 (Sapling) adds valueBalance, spends,
outputs, Groth proofs and the binding signature.
"""

from __future__ import annotations

from wallet import txreader as w
from wallet.encoding import sha256d
from wallet.errors import DecodeError, InvalidTransaction
from wallet.fluxnodecodec import parse_fluxnode, serialize_fluxnode
from wallet.txmodel import (
    GROTH_PROOF_SIZE,
    JOINSPLIT_BASE_SIZE,
    OUTPUT_DESCRIPTION_SIZE,
    OVERWINTER_TX_VERSION,
    OVERWINTER_VERSION_GROUP_ID,
    PHGR_PROOF_SIZE,
    SAPLING_ENC_CIPHERTEXT_SIZE,
    SAPLING_OUT_CIPHERTEXT_SIZE,
    SAPLING_TX_VERSION,
    SAPLING_VERSION_GROUP_ID,
    SPEND_DESCRIPTION_SIZE,
    SPROUT_CIPHERTEXT_SIZE,
    JoinSplit,
    OutPoint,
    OutputDescription,
    SpendDescription,
    Transaction,
    TxIn,
    TxOut,
)
from wallet.txreader import Reader

# Smallest possible encodings, used to cap element counts by the bytes that remain.
_MIN_TXIN_SIZE = 32 + 4 + 1 + 4
_MIN_TXOUT_SIZE = 8 + 1

# fluxd's consensus limit MAX_TX_SIZE_AFTER_SAPLING (= MAX_BLOCK_SIZE): larger is never valid.
MAX_TX_BYTES = 2_000_000
# Inputs and outputs of one transaction. Within 2 MB a hostile server could pack 222 000 empty
# outputs; no mined transaction pays that many addresses: a block carries at most
# MAX_BLOCK_SIGOPS = 20 000 sigops and every P2PKH output counts one, and a signed P2PKH input
# takes at least 148 bytes (under 13 600 per 2 MB).
MAX_TX_INPUTS = 20_000
MAX_TX_OUTPUTS = 20_000


def _format(tx: Transaction) -> tuple[bool, bool]:
    """(is_overwinter_v3, is_sapling_v4); unknown overwintered formats are refused (as fluxd)."""
    v3 = tx.overwintered and tx.version == OVERWINTER_TX_VERSION and (
        tx.version_group_id == OVERWINTER_VERSION_GROUP_ID
    )
    v4 = tx.overwintered and tx.version == SAPLING_TX_VERSION and (
        tx.version_group_id == SAPLING_VERSION_GROUP_ID
    )
    if tx.overwintered and not (v3 or v4):
        raise InvalidTransaction(
            f"unknown transaction format: overwintered version {tx.version} with version group id "
            f"{tx.version_group_id:#010x}"
        )
    return v3, v4


# --- parsing ---------------------------------------------------------------------------------


def parse_transaction(raw: bytes, *, bounded: bool = False) -> Transaction:
    """Parse one transaction. `bounded` applies fluxd's size limit and the input/output caps
    while reading (for data from a server); without it any size parses, as fluxd's own decoder
    does before its consensus checks."""
    r = Reader(raw)
    if bounded and r.remaining > MAX_TX_BYTES:
        raise DecodeError(
            f"the transaction is {r.remaining:,} bytes, larger than fluxd allows "
            f"({MAX_TX_BYTES:,})"
        )
    max_inputs = MAX_TX_INPUTS if bounded else None
    max_outputs = MAX_TX_OUTPUTS if bounded else None
    header = r.u32()
    tx = Transaction(
        version=header & 0x7FFFFFFF,
        overwintered=bool(header >> 31),
        version_group_id=0,
    )
    if tx.overwintered:
        tx.version_group_id = r.u32()
    try:
        v3, v4 = _format(tx)
    except InvalidTransaction as exc:
        raise DecodeError(str(exc)) from exc
    if tx.is_fluxnode:
        tx.fluxnode = parse_fluxnode(r, tx.version)
        r.expect_end()
        return tx
    if tx.version < 1:
        raise DecodeError(f"transaction version {tx.version} is not valid")
    tx.inputs = [_parse_txin(r) for _ in range(r.count(_MIN_TXIN_SIZE, "input", max_inputs))]
    tx.outputs = [
        _parse_txout(r) for _ in range(r.count(_MIN_TXOUT_SIZE, "output", max_outputs))
    ]
    tx.lock_time = r.u32()
    if v3 or v4:
        tx.expiry_height = r.u32()
    if v4:
        tx.value_balance = r.i64()
        n = r.count(SPEND_DESCRIPTION_SIZE, "shielded spend")
        tx.shielded_spends = [_parse_spend(r) for _ in range(n)]
        n = r.count(OUTPUT_DESCRIPTION_SIZE, "shielded output")
        tx.shielded_outputs = [_parse_output(r) for _ in range(n)]
    if tx.version >= 2:
        proof_size = GROTH_PROOF_SIZE if v4 else PHGR_PROOF_SIZE
        n = r.count(JOINSPLIT_BASE_SIZE + proof_size, "JoinSplit")
        tx.joinsplits = [_parse_joinsplit(r, proof_size) for _ in range(n)]
        if tx.joinsplits:
            tx.joinsplit_pubkey = r.take(32)
            tx.joinsplit_sig = r.take(64)
    if v4 and (tx.shielded_spends or tx.shielded_outputs):
        tx.binding_sig = r.take(64)
    r.expect_end()
    return tx


def _parse_txin(r: Reader) -> TxIn:
    prevout = OutPoint(r.take(32), r.u32())
    return TxIn(prevout, r.var_bytes(), r.u32())


def _parse_txout(r: Reader) -> TxOut:
    return TxOut(r.i64(), r.var_bytes())


def _parse_spend(r: Reader) -> SpendDescription:
    return SpendDescription(
        cv=r.take(32),
        anchor=r.take(32),
        nullifier=r.take(32),
        rk=r.take(32),
        zkproof=r.take(GROTH_PROOF_SIZE),
        spend_auth_sig=r.take(64),
    )


def _parse_output(r: Reader) -> OutputDescription:
    return OutputDescription(
        cv=r.take(32),
        cmu=r.take(32),
        ephemeral_key=r.take(32),
        enc_ciphertext=r.take(SAPLING_ENC_CIPHERTEXT_SIZE),
        out_ciphertext=r.take(SAPLING_OUT_CIPHERTEXT_SIZE),
        zkproof=r.take(GROTH_PROOF_SIZE),
    )


def _parse_joinsplit(r: Reader, proof_size: int) -> JoinSplit:
    vpub_old = r.i64()
    vpub_new = r.i64()
    anchor = r.take(32)
    nullifiers = (r.take(32), r.take(32))
    commitments = (r.take(32), r.take(32))
    ephemeral_key = r.take(32)
    random_seed = r.take(32)
    macs = (r.take(32), r.take(32))
    proof = r.take(proof_size)
    ciphertexts = (r.take(SPROUT_CIPHERTEXT_SIZE), r.take(SPROUT_CIPHERTEXT_SIZE))
    return JoinSplit(
        vpub_old, vpub_new, anchor, nullifiers, commitments, ephemeral_key, random_seed, macs,
        proof, ciphertexts,
    )


# --- serializing -----------------------------------------------------------------------------


def serialize_transaction(tx: Transaction, *, for_txid: bool = False) -> bytes:
    """Wire bytes; ``for_txid`` drops the fluxnode signatures that SER_GETHASH skips."""
    v3, v4 = _format(tx)
    out = [w.u32(tx.header, "header")]
    if tx.overwintered:
        out.append(w.u32(tx.version_group_id, "version group id"))
    if tx.is_fluxnode:
        if tx.fluxnode is None:
            raise InvalidTransaction(f"a version {tx.version} transaction needs a fluxnode payload")
        _require_transparent_empty(tx)
        out.append(serialize_fluxnode(tx.fluxnode, tx.version, for_txid=for_txid))
        return b"".join(out)
    if tx.fluxnode is not None:
        raise InvalidTransaction("only version 5 and 6 transactions carry a fluxnode payload")
    if tx.version < 1:
        raise InvalidTransaction(f"transaction version {tx.version} is not valid")
    out.append(w.compact_size(len(tx.inputs)))
    for txin in tx.inputs:
        out += (
            w.fixed(txin.prevout.txid, 32, "prevout txid"),
            w.u32(txin.prevout.index, "prevout index"),
            w.var_bytes(txin.script_sig),
            w.u32(txin.sequence, "sequence"),
        )
    out.append(serialize_outputs(tx.outputs))
    out.append(w.u32(tx.lock_time, "nLockTime"))
    if v3 or v4:
        out.append(w.u32(tx.expiry_height, "nExpiryHeight"))
    elif tx.expiry_height:
        raise InvalidTransaction("nExpiryHeight needs an Overwinter or Sapling transaction")
    _check_shielded_fields(tx, v4)
    if v4:
        out.append(w.i64(tx.value_balance, "valueBalance"))
        out.append(w.compact_size(len(tx.shielded_spends)))
        out += (serialize_spend(s, with_sig=True) for s in tx.shielded_spends)
        out.append(w.compact_size(len(tx.shielded_outputs)))
        out += (serialize_output(o) for o in tx.shielded_outputs)
    if tx.version >= 2:
        proof_size = GROTH_PROOF_SIZE if v4 else PHGR_PROOF_SIZE
        out.append(w.compact_size(len(tx.joinsplits)))
        out += (serialize_joinsplit(js, proof_size) for js in tx.joinsplits)
        if tx.joinsplits:
            out.append(w.fixed(tx.joinsplit_pubkey, 32, "joinSplitPubKey"))
            out.append(w.fixed(tx.joinsplit_sig, 64, "joinSplitSig"))
    if v4 and (tx.shielded_spends or tx.shielded_outputs):
        out.append(w.fixed(tx.binding_sig, 64, "bindingSig"))
    return b"".join(out)


def _require_transparent_empty(tx: Transaction) -> None:
    if (
        tx.inputs or tx.outputs or tx.lock_time or tx.expiry_height or tx.value_balance
        or tx.shielded_spends or tx.shielded_outputs or tx.joinsplits
        or tx.joinsplit_pubkey or tx.joinsplit_sig or tx.binding_sig
    ):
        raise InvalidTransaction("a fluxnode transaction has no inputs, outputs or shielded parts")


def _check_shielded_fields(tx: Transaction, v4: bool) -> None:
    """Refuse fields the chosen format cannot carry, so serialize never drops data silently."""
    if not v4 and (tx.value_balance or tx.shielded_spends or tx.shielded_outputs):
        raise InvalidTransaction("Sapling spends/outputs need a version 4 Sapling transaction")
    if tx.version < 2 and tx.joinsplits:
        raise InvalidTransaction("JoinSplits need transaction version 2 or later")
    if not tx.joinsplits and (tx.joinsplit_pubkey or tx.joinsplit_sig):
        raise InvalidTransaction("joinSplitPubKey/joinSplitSig are only written with JoinSplits")
    if not (tx.shielded_spends or tx.shielded_outputs) and tx.binding_sig:
        raise InvalidTransaction("bindingSig is only written with Sapling spends or outputs")


def serialize_outputs(outputs: list[TxOut]) -> bytes:
    parts = [w.compact_size(len(outputs))]
    for txout in outputs:
        parts.append(serialize_output_body(txout))
    return b"".join(parts)


def serialize_output_body(txout: TxOut) -> bytes:
    return w.i64(txout.value, "output value") + w.var_bytes(txout.script_pubkey)


def serialize_spend(s: SpendDescription, *, with_sig: bool) -> bytes:
    body = (
        w.fixed(s.cv, 32, "spend cv")
        + w.fixed(s.anchor, 32, "spend anchor")
        + w.fixed(s.nullifier, 32, "spend nullifier")
        + w.fixed(s.rk, 32, "spend rk")
        + w.fixed(s.zkproof, GROTH_PROOF_SIZE, "spend proof")
    )
    sig = w.fixed(s.spend_auth_sig, 64, "spendAuthSig")
    return body + sig if with_sig else body


def serialize_output(o: OutputDescription) -> bytes:
    return (
        w.fixed(o.cv, 32, "output cv")
        + w.fixed(o.cmu, 32, "output cmu")
        + w.fixed(o.ephemeral_key, 32, "output ephemeral key")
        + w.fixed(o.enc_ciphertext, SAPLING_ENC_CIPHERTEXT_SIZE, "encCiphertext")
        + w.fixed(o.out_ciphertext, SAPLING_OUT_CIPHERTEXT_SIZE, "outCiphertext")
        + w.fixed(o.zkproof, GROTH_PROOF_SIZE, "output proof")
    )


def serialize_joinsplit(js: JoinSplit, proof_size: int) -> bytes:
    parts = [w.i64(js.vpub_old, "vpub_old"), w.i64(js.vpub_new, "vpub_new")]
    parts.append(w.fixed(js.anchor, 32, "JoinSplit anchor"))
    parts += (w.fixed(x, 32, "JoinSplit nullifier") for x in _pair(js.nullifiers))
    parts += (w.fixed(x, 32, "JoinSplit commitment") for x in _pair(js.commitments))
    parts.append(w.fixed(js.ephemeral_key, 32, "JoinSplit ephemeral key"))
    parts.append(w.fixed(js.random_seed, 32, "JoinSplit random seed"))
    parts += (w.fixed(x, 32, "JoinSplit mac") for x in _pair(js.macs))
    parts.append(w.fixed(js.proof, proof_size, "JoinSplit proof"))
    parts += (
        w.fixed(x, SPROUT_CIPHERTEXT_SIZE, "JoinSplit ciphertext") for x in _pair(js.ciphertexts)
    )
    return b"".join(parts)


def _pair(items: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    if not isinstance(items, tuple) or len(items) != 2:
        raise InvalidTransaction("JoinSplit nullifiers, commitments, macs, ciphertexts are pairs")
    return items


def txid_bytes(tx: Transaction) -> bytes:
    """SHA256d in internal order; fluxnode txs hash the SER_GETHASH form (no signatures)."""
    return sha256d(serialize_transaction(tx, for_txid=tx.is_fluxnode))

"""Signing transparent inputs of v4 transactions: P2PKH, and P2SH multisig (partial + finalise).

P2PKH scriptSig = <DER sig ‖ hashtype> <pubkey>. A partially signed P2SH multisig input keeps the
layout utxo-lib's ``buildIncomplete`` writes and SSP exchanges: ``OP_0 <slot>… <redeemScript>``,
one slot per redeem-script key in script order, OP_0 where that key has not signed yet.
Finalising drops the placeholders, leaving ``OP_0 <sig>… <redeemScript>`` as fluxd expects.
"""

from __future__ import annotations

from wallet.encoding import hash160
from wallet.encoding import write_varint as _compact
from wallet.errors import DecodeError, SigningError
from wallet.keys import PrivateKey
from wallet.script import OP_0, p2pkh_script, parse_multisig, parse_script, push_data
from wallet.sighash import SIGHASH_ALL, STANDARD_HASH_TYPES, SighashContext
from wallet.txmodel import Transaction

# Largest strict-DER low-S signature (r 33 bytes, s 32 bytes) plus the hash-type byte.
MAX_SIG_WITH_HASHTYPE = 72


def p2pkh_script_code(pubkey: bytes) -> bytes:
    """The scriptPubKey a P2PKH input spends, which is also its ZIP-243 scriptCode."""
    return p2pkh_script(hash160(pubkey))


def _signature(key: PrivateKey, digest: bytes, hash_type: int) -> bytes:
    if hash_type not in STANDARD_HASH_TYPES:
        raise SigningError(f"hash type {hash_type:#x} is not one fluxd relays")
    return key.sign_digest(digest) + bytes((hash_type,))


def sign_p2pkh_input(
    ctx: SighashContext,
    index: int,
    key: PrivateKey,
    amount: int,
    *,
    hash_type: int = SIGHASH_ALL,
    script_code: bytes | None = None,
) -> None:
    """Sign input ``index`` (a P2PKH output of ``key``, in the key's own compression) in place."""
    pubkey = key.public_key()
    code = p2pkh_script_code(pubkey) if script_code is None else script_code
    sig = _signature(key, ctx.digest(index, code, amount, hash_type), hash_type)
    ctx.tx.inputs[index].script_sig = push_data(sig) + push_data(pubkey)


def sign_p2pkh_inputs(
    tx: Transaction,
    spends: list[tuple[PrivateKey, int]],
    *,
    branch_id: int,
    hash_type: int = SIGHASH_ALL,
) -> None:
    """Sign every input; ``spends[i]`` is (key, amount in satoshis) of the output input i spends."""
    if len(spends) != len(tx.inputs):
        raise SigningError(f"{len(spends)} keys given for {len(tx.inputs)} inputs")
    ctx = SighashContext(tx, branch_id)
    # hash160 of the same key is needed once, not once per input.
    codes: dict[bytes, bytes] = {}
    for index, (key, amount) in enumerate(spends):
        pubkey = key.public_key()
        code = codes.get(pubkey)
        if code is None:
            code = codes[pubkey] = p2pkh_script_code(pubkey)
        sign_p2pkh_input(ctx, index, key, amount, hash_type=hash_type, script_code=code)


# --- P2SH multisig -----------------------------------------------------------------------------


def _multisig_slots(script_sig: bytes, redeem_script: bytes, n: int) -> list[bytes | None]:
    """Signatures already in a (partial or final) scriptSig, placed in redeem-script key order."""
    if not script_sig:
        return [None] * n
    try:
        ops = parse_script(script_sig)
    except DecodeError as exc:
        raise SigningError("the input's scriptSig does not parse") from exc
    if len(ops) < 2 or ops[0].opcode != OP_0 or ops[-1].data != redeem_script:
        raise SigningError("the input's scriptSig is not a multisig spend of this redeem script")
    middle = [op.data if op.data else None for op in ops[1:-1]]
    if len(middle) == n:
        return middle
    raise SigningError(
        "the input's scriptSig is already finalised or malformed; sign the unfinalised form"
    )


def _multisig_script_sig(slots: list[bytes | None], redeem_script: bytes) -> bytes:
    body = b"".join(push_data(sig) if sig else bytes((OP_0,)) for sig in slots)
    return bytes((OP_0,)) + body + push_data(redeem_script)


def sign_p2sh_multisig_input(
    ctx: SighashContext,
    index: int,
    key: PrivateKey,
    redeem_script: bytes,
    amount: int,
    *,
    hash_type: int = SIGHASH_ALL,
) -> None:
    """Add ``key``'s signature to input ``index`` (placeholders stay OP_0 until finalised)."""
    multisig = parse_multisig(redeem_script)
    if multisig is None:
        raise SigningError("the redeem script is not a standard bare multisig script")
    pubkey = key.public_key()
    if pubkey not in multisig.pubkeys:
        raise SigningError("this key is not one of the redeem script's keys")
    txin = ctx.tx.inputs[index] if 0 <= index < len(ctx.tx.inputs) else None
    if txin is None:
        raise SigningError(f"input index {index} does not exist")
    slots = _multisig_slots(txin.script_sig, redeem_script, multisig.n)
    digest = ctx.digest(index, redeem_script, amount, hash_type)
    slots[multisig.pubkeys.index(pubkey)] = _signature(key, digest, hash_type)
    txin.script_sig = _multisig_script_sig(slots, redeem_script)


def multisig_signature_count(script_sig: bytes, redeem_script: bytes) -> int:
    multisig = parse_multisig(redeem_script)
    if multisig is None:
        raise SigningError("the redeem script is not a standard bare multisig script")
    return sum(1 for s in _multisig_slots(script_sig, redeem_script, multisig.n) if s)


def finalize_p2sh_multisig_input(
    tx: Transaction, index: int, redeem_script: bytes, *, allow_incomplete: bool = False
) -> None:
    """Drop the OP_0 placeholders of input ``index`` so fluxd's CHECKMULTISIG sees m signatures.

    Refuses (SigningError) when fewer than m keys have signed, unless ``allow_incomplete``.
    """
    multisig = parse_multisig(redeem_script)
    if multisig is None:
        raise SigningError("the redeem script is not a standard bare multisig script")
    if not 0 <= index < len(tx.inputs):
        raise SigningError(f"input index {index} does not exist")
    present = _multisig_slots(tx.inputs[index].script_sig, redeem_script, multisig.n)
    slots = [s for s in present if s]
    if len(slots) < multisig.m and not allow_incomplete:
        raise SigningError(
            f"input {index} has {len(slots)} of the {multisig.m} signatures it needs; "
            "collect the missing co-signature first"
        )
    # fluxd checks signatures in key order and stops once m have matched; extra ones would fail.
    kept = slots[: multisig.m]
    body = b"".join(push_data(sig) for sig in kept)
    tx.inputs[index].script_sig = bytes((OP_0,)) + body + push_data(redeem_script)


# --- sizes -------------------------------------------------------------------------------------


def p2pkh_input_size(compressed: bool = True) -> int:
    """Largest serialized size of a signed P2PKH input (148 compressed, 180 uncompressed)."""
    script_sig = 1 + MAX_SIG_WITH_HASHTYPE + 1 + (33 if compressed else 65)
    return 32 + 4 + len(_compact(script_sig)) + script_sig + 4


def p2sh_multisig_input_size(redeem_script: bytes, signatures: int | None = None) -> int:
    """Largest size of a finalised P2SH multisig input carrying ``signatures`` (default m)."""
    multisig = parse_multisig(redeem_script)
    if multisig is None:
        raise SigningError("the redeem script is not a standard bare multisig script")
    count = multisig.m if signatures is None else signatures
    script_sig = 1 + count * (1 + MAX_SIG_WITH_HASHTYPE) + len(push_data(redeem_script))
    return 32 + 4 + len(_compact(script_sig)) + script_sig + 4


def output_size(script_pubkey: bytes) -> int:
    return 8 + len(_compact(len(script_pubkey))) + len(script_pubkey)


def v4_transparent_size(input_sizes: list[int], output_scripts: list[bytes]) -> int:
    """Size of a transparent v4 tx: header, group id, vin, vout, locktime, expiry, 11 zeros."""
    return (
        4 + 4
        + len(_compact(len(input_sizes))) + sum(input_sizes)
        + len(_compact(len(output_scripts))) + sum(output_size(s) for s in output_scripts)
        + 4 + 4 + 8 + 1 + 1 + 1
    )

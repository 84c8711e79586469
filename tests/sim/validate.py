"""Mempool acceptance like fluxd's ``sendrawtransaction`` → ``AcceptToMemoryPool``.

Checks run in fluxd's order (rpc/rawtransaction.cpp, main.cpp CheckTransaction,
ContextualCheckTransaction, IsStandardTx, AreInputsStandard, CheckTxInputs,
ContextualCheckInputs) and fail with fluxd's RPC code and message: -22 "TX decode failed",
-26 "<reject code>: <reason>", -25 "Missing inputs" / "" (mempool conflict) / the absurd-fee
text, -27 "transaction already in block chain". Input amounts and scripts always come from the
simulator's own coin view, never from the submitted transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tests.sim import script_check
from tests.sim.params import (
    LOCKTIME_THRESHOLD,
    MAX_NULLDATA_SCRIPT,
    MAX_P2SH_SIGOPS,
    MAX_SCRIPTSIG_SIZE,
    MAX_STANDARD_TX_SIGOPS,
    MAX_TX_SIZE,
    SAPLING_TX_VERSION,
    SAPLING_VERSION_GROUP_ID,
    TX_EXPIRY_HEIGHT_THRESHOLD,
    SimParams,
    dust_threshold,
    fee_for_size,
    money_range,
)
from wallet.errors import DecodeError, InvalidTransaction
from wallet.script import ScriptKind, classify_script, iter_script, parse_multisig
from wallet.sighash import SighashContext
from wallet.txmodel import SEQUENCE_FINAL, OutPoint, Transaction

RPC_TRANSACTION_ERROR = -25
RPC_TRANSACTION_REJECTED = -26
RPC_TRANSACTION_ALREADY_IN_CHAIN = -27
RPC_DESERIALIZATION_ERROR = -22
REJECT_INVALID = 16
REJECT_DUPLICATE = 18
REJECT_NONSTANDARD = 64
REJECT_INSUFFICIENTFEE = 66
NULL_TXID = bytes(32)


class SimReject(Exception):
    """fluxd refused a transaction: ``code`` is the RPC error code, ``message`` its text.

    ``reject_code``/``reason`` are set for "-26 <reject code>: <reason>" rejections.
    """

    def __init__(self, code: int, message: str, *, reject_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reject_code = reject_code
        self.reason = message.split(": ", 1)[1] if reject_code is not None else message


def invalid(reject_code: int, reason: str) -> SimReject:
    return SimReject(RPC_TRANSACTION_REJECTED, f"{reject_code}: {reason}", reject_code=reject_code)


@dataclass(frozen=True)
class Coin:
    """An output as the simulator's UTXO set knows it; ``height`` None = still in the mempool."""

    value: int
    script: bytes
    address: str | None
    height: int | None
    coinbase: bool


class CoinView(Protocol):
    """What validation needs from the chain (confirmed coins plus the mempool)."""

    @property
    def tip_height(self) -> int: ...

    def in_mempool(self, txid: str) -> bool: ...

    def in_chain_unspent(self, txid: str) -> bool: ...

    def have_coins(self, txid: str) -> bool: ...

    def coin(self, outpoint: OutPoint) -> Coin | None: ...

    def mempool_spender(self, outpoint: OutPoint) -> str | None: ...


@dataclass
class Accepted:
    tx: Transaction
    raw: bytes
    txid: str
    fee: int
    spent: list[Coin]
    already_known: bool = False


def decode(raw_hex: object) -> tuple[Transaction, bytes]:
    if not isinstance(raw_hex, str):
        raise SimReject(RPC_DESERIALIZATION_ERROR, "TX decode failed")
    try:
        raw = bytes.fromhex(raw_hex)
        return Transaction.parse(raw), raw
    except (ValueError, DecodeError, InvalidTransaction):
        raise SimReject(RPC_DESERIALIZATION_ERROR, "TX decode failed") from None


FluxnodeCheck = Callable[[Transaction], None]


def accept(
    view: CoinView, raw_hex: object, params: SimParams, *, allow_high_fees: bool = False,
    fluxnode_check: FluxnodeCheck | None = None,
) -> Accepted:
    """Validate ``raw_hex`` for the mempool of ``view``; SimReject with fluxd's error if not.

    Fluxnode START/CONFIRM (v5/v6) transactions go to ``fluxnode_check`` (fluxnode-protocol
    §3.6 rules, raising SimReject); without one they are refused with a stated reason.
    """
    tx, raw = decode(raw_hex)
    txid = tx.txid
    next_height = view.tip_height + 1
    if tx.is_fluxnode:
        if fluxnode_check is None:
            raise invalid(
                REJECT_INVALID,
                "sim-fluxnode-tx-unsupported (the simulator does not accept fluxnode "
                "START/CONFIRM transactions yet)",
            )
        if view.in_mempool(txid):
            return Accepted(tx, raw, txid, 0, [], already_known=True)
        fluxnode_check(tx)
        return Accepted(tx, raw, txid, 0, [])
    threshold = params.expiring_soon_threshold
    if tx.expiry_height > 0 and next_height + threshold > tx.expiry_height:
        raise SimReject(
            RPC_TRANSACTION_REJECTED,
            f"tx-expiring-soon: expiryheight is {tx.expiry_height} but should be at least "
            f"{next_height + threshold} to avoid transaction expiring soon",
        )
    if view.in_mempool(txid):
        return Accepted(tx, raw, txid, 0, [], already_known=True)
    if view.in_chain_unspent(txid):
        raise SimReject(RPC_TRANSACTION_ALREADY_IN_CHAIN, "transaction already in block chain")
    check_transaction(tx, raw)
    contextual_check(tx, next_height)
    if is_coinbase(tx):
        raise invalid(REJECT_INVALID, "coinbase")
    check_standard(tx, params)
    if not is_final(tx, next_height):
        raise invalid(REJECT_NONSTANDARD, "non-final")
    spent = _inputs(view, tx)
    _inputs_standard(tx, spent)
    sigops = sum(script_check.count_sigops(i.script_sig, False) for i in tx.inputs)
    sigops += sum(script_check.count_sigops(o.script_pubkey, False) for o in tx.outputs)
    sigops += sum(
        script_check.count_sigops(_last_push(i.script_sig), True)
        for i, coin in zip(tx.inputs, spent, strict=True)
        if classify_script(coin.script) == ScriptKind.P2SH
    )
    if sigops > MAX_STANDARD_TX_SIGOPS:
        raise invalid(REJECT_NONSTANDARD, "bad-txns-too-many-sigops")
    fee = sum(c.value for c in spent) - sum(o.value for o in tx.outputs)
    size = len(raw)
    if params.enforce_min_relay_fee and 0 <= fee < fee_for_size(params.min_relay_fee, size):
        raise invalid(REJECT_INSUFFICIENTFEE, "insufficient fee")
    if not allow_high_fees and fee > params.absurd_fee(size):
        raise SimReject(
            RPC_TRANSACTION_ERROR,
            f"AcceptToMemoryPool: absurdly high fees {txid}, {fee} > {params.absurd_fee(size)}",
        )
    check_tx_inputs(tx, spent, next_height, params)
    check_scripts(tx, spent, params)
    return Accepted(tx, raw, txid, fee, spent)


def is_coinbase(tx: Transaction) -> bool:
    return len(tx.inputs) == 1 and tx.inputs[0].prevout.txid == NULL_TXID and (
        tx.inputs[0].prevout.index == 0xFFFFFFFF
    )


def check_transaction(tx: Transaction, raw: bytes) -> None:
    """Context-free checks (fluxd CheckTransactionWithoutProofVerification)."""
    if not tx.overwintered and tx.version < 1:
        raise invalid(REJECT_INVALID, "bad-txns-version-too-low")
    if tx.overwintered and tx.version < 3:
        raise invalid(REJECT_INVALID, "bad-tx-overwinter-version-too-low")
    if tx.overwintered and tx.expiry_height >= TX_EXPIRY_HEIGHT_THRESHOLD:
        raise invalid(REJECT_INVALID, "bad-tx-expiry-height-too-high")
    if not tx.inputs and not tx.joinsplits and not tx.shielded_spends:
        raise invalid(REJECT_INVALID, "bad-txns-vin-empty")
    if not tx.outputs and not tx.joinsplits and not tx.shielded_outputs:
        raise invalid(REJECT_INVALID, "bad-txns-vout-empty")
    if len(raw) > MAX_TX_SIZE:
        raise invalid(REJECT_INVALID, "bad-txns-oversize")
    total = 0
    for out in tx.outputs:
        if out.value < 0:
            raise invalid(REJECT_INVALID, "bad-txns-vout-negative")
        if not money_range(out.value):
            raise invalid(REJECT_INVALID, "bad-txns-vout-toolarge")
        total += out.value
        if not money_range(total):
            raise invalid(REJECT_INVALID, "bad-txns-txouttotal-toolarge")
    if not tx.shielded_spends and not tx.shielded_outputs and tx.value_balance != 0:
        raise invalid(REJECT_INVALID, "bad-txns-valuebalance-nonzero")
    seen: set[OutPoint] = set()
    for txin in tx.inputs:
        if txin.prevout in seen:
            raise invalid(REJECT_INVALID, "bad-txns-inputs-duplicate")
        seen.add(txin.prevout)
    if is_coinbase(tx):
        if not 2 <= len(tx.inputs[0].script_sig) <= 100:
            raise invalid(REJECT_INVALID, "bad-cb-length")
    elif any(i.prevout.txid == NULL_TXID and i.prevout.index == 0xFFFFFFFF for i in tx.inputs):
        raise invalid(REJECT_INVALID, "bad-txns-prevout-null")


def contextual_check(tx: Transaction, height: int) -> None:
    """Sapling-era rules (fluxd ContextualCheckTransaction, all upgrades active)."""
    if tx.version >= SAPLING_TX_VERSION and not tx.overwintered:
        raise invalid(REJECT_INVALID, "tx-overwintered-flag-not-set")
    if tx.overwintered and tx.version_group_id != SAPLING_VERSION_GROUP_ID:
        raise invalid(REJECT_INVALID, "bad-sapling-tx-version-group-id")
    if tx.overwintered and tx.version < SAPLING_TX_VERSION:
        raise invalid(REJECT_INVALID, "bad-tx-sapling-version-too-low")
    if tx.overwintered and tx.version > SAPLING_TX_VERSION:
        raise invalid(REJECT_INVALID, "bad-tx-sapling-version-too-high")
    if not tx.overwintered:
        raise invalid(REJECT_INVALID, "tx-sapling-active")
    if tx.expiry_height != 0 and not is_coinbase(tx) and height > tx.expiry_height:
        raise invalid(REJECT_INVALID, "tx-sapling-expired")
    if tx.inputs and (tx.joinsplits or tx.shielded_outputs):
        raise invalid(REJECT_INVALID, "bad-txns-fluxrebrand-vprivacy-not-empty")
    if tx.joinsplits or tx.shielded_spends or tx.shielded_outputs:
        raise invalid(
            REJECT_INVALID,
            "sim-shielded-unsupported (the simulator cannot verify shielded proofs)",
        )


def _standard_output(script: bytes) -> ScriptKind | None:
    kind = classify_script(script)
    if kind == ScriptKind.NONSTANDARD:
        return None
    if kind == ScriptKind.NULLDATA and len(script) > MAX_NULLDATA_SCRIPT:
        return None
    if kind == ScriptKind.MULTISIG:
        multisig = parse_multisig(script)
        if multisig is None or multisig.n > 3:
            return None
    return kind


def check_standard(tx: Transaction, params: SimParams) -> None:
    """fluxd IsStandardTx (Sapling active; bare multisig is standard by default)."""
    if tx.version != SAPLING_TX_VERSION:
        raise invalid(REJECT_NONSTANDARD, "sapling-version")
    for txin in tx.inputs:
        if len(txin.script_sig) > MAX_SCRIPTSIG_SIZE:
            raise invalid(REJECT_NONSTANDARD, "scriptsig-size")
        if not _push_only(txin.script_sig):
            raise invalid(REJECT_NONSTANDARD, "scriptsig-not-pushonly")
    data_outputs = 0
    for out in tx.outputs:
        kind = _standard_output(out.script_pubkey)
        if kind is None:
            raise invalid(REJECT_NONSTANDARD, "scriptpubkey")
        if kind == ScriptKind.NULLDATA:
            data_outputs += 1
        elif out.value < dust_threshold(
            8 + len(_compact(len(out.script_pubkey))) + len(out.script_pubkey),
            params.min_relay_fee,
        ):
            raise invalid(REJECT_NONSTANDARD, "dust")
    if data_outputs > 1:
        raise invalid(REJECT_NONSTANDARD, "multi-op-return")


def _compact(n: int) -> bytes:
    return bytes((n,)) if n < 253 else b"\xfd" + n.to_bytes(2, "little")


def _push_only(script: bytes) -> bool:
    try:
        return all(op.opcode <= 0x60 for op in iter_script(script))
    except DecodeError:
        return False


def is_final(tx: Transaction, height: int) -> bool:
    if tx.lock_time == 0:
        return True
    limit = height if tx.lock_time < LOCKTIME_THRESHOLD else int(time.time())
    if tx.lock_time < limit:
        return True
    return all(i.sequence == SEQUENCE_FINAL for i in tx.inputs)


def _inputs(view: CoinView, tx: Transaction) -> list[Coin]:
    for txin in tx.inputs:
        if view.mempool_spender(txin.prevout) is not None:
            raise SimReject(RPC_TRANSACTION_ERROR, "")  # no replacement: fluxd says nothing
    for txin in tx.inputs:
        if not view.have_coins(txin.prevout.txid_hex):
            raise SimReject(RPC_TRANSACTION_ERROR, "Missing inputs")
    coins: list[Coin] = []
    for txin in tx.inputs:
        coin = view.coin(txin.prevout)
        if coin is None:
            raise invalid(REJECT_DUPLICATE, "bad-txns-inputs-spent")
        coins.append(coin)
    return coins


def _stack_size(script_sig: bytes) -> int | None:
    try:
        return sum(1 for _ in iter_script(script_sig))
    except DecodeError:
        return None


def _last_push(script_sig: bytes) -> bytes:
    try:
        ops = list(iter_script(script_sig))
    except DecodeError:
        return b""
    return (ops[-1].data or b"") if ops else b""


def _args_expected(script: bytes) -> int | None:
    kind = classify_script(script)
    if kind == ScriptKind.P2PKH:
        return 2
    if kind in (ScriptKind.P2PK, ScriptKind.P2SH):
        return 1
    if kind == ScriptKind.MULTISIG:
        multisig = parse_multisig(script)
        return None if multisig is None else multisig.m + 1
    return None


def _inputs_standard(tx: Transaction, spent: list[Coin]) -> None:
    """fluxd AreInputsStandard; its failure is a bare error, so RPC -25 with no text."""
    for txin, coin in zip(tx.inputs, spent, strict=True):
        expected = _args_expected(coin.script)
        stack = _stack_size(txin.script_sig)
        if expected is None or stack is None:
            raise SimReject(RPC_TRANSACTION_ERROR, "")
        if classify_script(coin.script) == ScriptKind.P2SH:
            redeem = _last_push(txin.script_sig)
            inner = _args_expected(redeem) if redeem else None
            if inner is None:
                if stack == 0 or script_check.count_sigops(redeem, True) > MAX_P2SH_SIGOPS:
                    raise SimReject(RPC_TRANSACTION_ERROR, "")
                continue
            expected += inner
        if stack != expected:
            raise SimReject(RPC_TRANSACTION_ERROR, "")


def check_tx_inputs(
    tx: Transaction, spent: list[Coin], spend_height: int, params: SimParams
) -> None:
    """fluxd Consensus::CheckTxInputs: coinbase maturity, value ranges, in >= out."""
    value_in = 0
    for coin in spent:
        if coin.coinbase and coin.height is not None and (
            spend_height - coin.height < params.coinbase_maturity
        ):
            raise invalid(REJECT_INVALID, "bad-txns-premature-spend-of-coinbase")
        value_in += coin.value
        if not money_range(coin.value) or not money_range(value_in):
            raise invalid(REJECT_INVALID, "bad-txns-inputvalues-outofrange")
    if value_in < sum(o.value for o in tx.outputs):
        raise invalid(REJECT_INVALID, "bad-txns-in-belowout")


def check_scripts(tx: Transaction, spent: list[Coin], params: SimParams) -> None:
    """Every input's script with the coin's own amount and script in the ZIP-243 sighash."""
    ctx = SighashContext(tx, params.branch_id)
    for index, (txin, coin) in enumerate(zip(tx.inputs, spent, strict=True)):

        def sighash(hash_type: int, script_code: bytes, i: int = index, c: Coin = coin) -> bytes:
            return ctx.digest(i, script_code, c.value, hash_type)

        try:
            script_check.check_input(txin.script_sig, coin.script, sighash)
        except script_check.ScriptFailure as failure:
            if failure.standard_only:
                raise invalid(
                    REJECT_NONSTANDARD, f"non-mandatory-script-verify-flag ({failure.message})"
                ) from None
            raise invalid(
                REJECT_INVALID, f"mandatory-script-verify-flag-failed ({failure.message})"
            ) from None
        except script_check.UnsupportedScript as exc:
            raise invalid(REJECT_NONSTANDARD, f"sim-unsupported-script ({exc})") from None

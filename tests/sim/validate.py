"""Mempool acceptance like fluxd's ``sendrawtransaction`` → ``AcceptToMemoryPool``.

Checks run in fluxd's order (rpc/rawtransaction.cpp, main.cpp CheckTransaction,
ContextualCheckTransaction, IsStandardTx, AreInputsStandard, CheckTxInputs,
ContextualCheckInputs) and fail with fluxd's RPC code and message: -22 "TX decode failed",
-26 "<reject code>: <reason>", -25 "Missing inputs" / "" (mempool conflict) / the absurd-fee
text, -27 "transaction already in block chain". Input amounts and scripts always come from the
simulator's own coin view, never from the submitted transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tests.sim import script_check
from tests.sim.params import (
    MAX_STANDARD_TX_SIGOPS,
    MAX_TX_SIZE,
    SAPLING_TX_VERSION,
    SAPLING_VERSION_GROUP_ID,
    TX_EXPIRY_HEIGHT_THRESHOLD,
    SimParams,
    fee_for_size,
    money_range,
)
from tests.sim.reject import (
    REJECT_DUPLICATE,
    REJECT_INSUFFICIENTFEE,
    REJECT_INVALID,
    REJECT_NONSTANDARD,
    RPC_DESERIALIZATION_ERROR,
    RPC_TRANSACTION_ALREADY_IN_CHAIN,
    RPC_TRANSACTION_ERROR,
    RPC_TRANSACTION_REJECTED,
    SimReject,
    invalid,
)
from tests.sim.standard import check_inputs_standard, check_standard, is_final, last_push
from wallet.errors import DecodeError, InvalidTransaction
from wallet.script import ScriptKind, classify_script
from wallet.sighash import SighashContext
from wallet.txmodel import OutPoint, Transaction

NULL_TXID = bytes(32)


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
    check_inputs_standard(tx, spent)
    sigops = sum(script_check.count_sigops(i.script_sig, False) for i in tx.inputs)
    sigops += sum(script_check.count_sigops(o.script_pubkey, False) for o in tx.outputs)
    sigops += sum(
        script_check.count_sigops(last_push(i.script_sig), True)
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

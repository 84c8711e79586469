"""Building and signing a transparent v4 (Sapling-format) transaction from plain inputs/outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flux.money import MAX_MONEY
from flux.networks import Network
from wallet.address import script_pubkey_for_address
from wallet.amounts import format_amount
from wallet.errors import (
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidTransaction,
    SigningError,
    WalletError,
)
from wallet.fees import DEFAULT_MAX_FEE, MAX_TX_SIZE, check_fee_cap, node_dust_threshold
from wallet.keys import PrivateKey
from wallet.script import MAX_OP_RETURN_RELAY, OP_RETURN, push_data
from wallet.signing import sign_p2pkh_inputs
from wallet.txmodel import SEQUENCE_FINAL, OutPoint, Transaction, TxIn, TxOut

OP_RETURN_MARKER = "OP_RETURN"
# fluxd TX_EXPIRY_HEIGHT_THRESHOLD: nExpiryHeight must stay below it.
EXPIRY_HEIGHT_LIMIT = 500_000_000


def _amount(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidAmount(f"{what} must be an integer number of satoshis")
    if not 0 <= value <= MAX_MONEY:
        raise InvalidAmount(f"{what} {value} is outside 0 … {MAX_MONEY} satoshis")
    return value


def make_output(spec: Sequence[Any], network: Network) -> TxOut:
    """``(address, satoshis)`` or ``("OP_RETURN", data)`` → TxOut, with standardness checks."""
    if not isinstance(spec, tuple | list) or len(spec) != 2:
        raise InvalidTransaction("an output is (address, satoshis) or ('OP_RETURN', data bytes)")
    target, value = spec
    if target == OP_RETURN_MARKER:
        if not isinstance(value, bytes | bytearray):
            raise InvalidTransaction("OP_RETURN data must be bytes")
        if len(value) > MAX_OP_RETURN_RELAY:
            raise InvalidTransaction(
                f"OP_RETURN data is {len(value)} bytes; nodes relay at most {MAX_OP_RETURN_RELAY}"
            )
        return TxOut(0, bytes((OP_RETURN,)) + push_data(bytes(value)))
    if not isinstance(target, str):
        raise InvalidAddress("an output address must be text")
    amount = _amount(value, f"the amount sent to {target}")
    txout = TxOut(amount, script_pubkey_for_address(target, network))
    dust = node_dust_threshold(txout.script_pubkey)
    if amount < dust:
        unit = network.currency_unit
        raise InvalidTransaction(
            f"{format_amount(amount, unit=unit)} to {target} is dust (below "
            f"{format_amount(dust, unit=unit)}); nodes would not relay it"
        )
    return txout


def _inputs(
    specs: Sequence[Sequence[Any]],
) -> tuple[list[TxIn], list[tuple[PrivateKey, int]]]:
    txins: list[TxIn] = []
    spends: list[tuple[PrivateKey, int]] = []
    seen: set[OutPoint] = set()
    for n, spec in enumerate(specs):
        if not isinstance(spec, tuple | list) or len(spec) != 4:
            raise InvalidTransaction("an input is (txid hex, vout, satoshis, PrivateKey)")
        txid_hex, vout, satoshis, key = spec
        if not isinstance(key, PrivateKey):
            raise SigningError(f"input {n} needs a PrivateKey to sign with")
        if not isinstance(txid_hex, str):
            raise InvalidTransaction(f"input {n}: the txid must be hex text")
        outpoint = OutPoint.from_hex(txid_hex, vout)
        if outpoint in seen:
            raise InvalidTransaction(f"input {n} spends {txid_hex}:{vout} a second time")
        seen.add(outpoint)
        txins.append(TxIn(outpoint, b"", SEQUENCE_FINAL))
        spends.append((key, _amount(satoshis, f"the value of input {n}")))
    return txins, spends


def build_unsigned(
    inputs: Sequence[Sequence[Any]],
    outputs: Sequence[Sequence[Any]],
    *,
    locktime: int,
    expiry_height: int,
    network: Network,
) -> tuple[Transaction, list[tuple[PrivateKey, int]]]:
    """The unsigned transaction plus (key, amount) per input, after every policy check."""
    if not inputs:
        raise InvalidTransaction("a transaction needs at least one input")
    if not outputs:
        raise InvalidTransaction("a transaction needs at least one output")
    if not isinstance(locktime, int) or not 0 <= locktime <= 0xFFFFFFFF:
        raise InvalidTransaction(f"nLockTime {locktime!r} is out of range")
    if not isinstance(expiry_height, int) or not 0 <= expiry_height < EXPIRY_HEIGHT_LIMIT:
        raise InvalidTransaction(
            f"expiry height {expiry_height!r} must be 0 (never) or a block height below 500000000"
        )
    txins, spends = _inputs(inputs)
    txouts = [make_output(spec, network) for spec in outputs]
    if sum(1 for o in txouts if o.script_pubkey[:1] == bytes((OP_RETURN,))) > 1:
        raise InvalidTransaction("only one OP_RETURN output is allowed per transaction")
    tx = Transaction(inputs=txins, outputs=txouts, lock_time=locktime, expiry_height=expiry_height)
    return tx, spends


def build_signed_transaction(
    inputs: Sequence[Sequence[Any]],
    outputs: Sequence[Sequence[Any]],
    *,
    locktime: int,
    expiry_height: int,
    network: Network,
    max_fee: int = DEFAULT_MAX_FEE,
) -> Transaction:
    """Build and sign a v4 transaction spending P2PKH outputs.

    ``inputs``: ``(txid_hex, vout, satoshis, PrivateKey)``, each spending a P2PKH output of that
    key in the key's own compression. ``outputs``: ``(address, satoshis)`` or
    ``("OP_RETURN", data)``, kept in order. SIGHASH_ALL, nSequence 0xffffffff, branch id of
    ``network``. The implied fee must be non-negative and at most ``max_fee``.
    """
    tx, spends = build_unsigned(
        inputs, outputs, locktime=locktime, expiry_height=expiry_height, network=network
    )
    fee = sum(a for _, a in spends) - sum(o.value for o in tx.outputs)
    unit = network.currency_unit
    if fee < 0:
        raise InsufficientFunds(
            f"the outputs need {format_amount(-fee, unit=unit)} more than the inputs hold; add "
            "inputs or lower the amount"
        )
    check_fee_cap(fee, unit=unit, max_fee=max_fee,
                  next_step="check the amounts and the change output")
    try:
        sign_p2pkh_inputs(tx, spends, branch_id=network.branch_id)
    except WalletError:
        raise
    except (ValueError, TypeError) as exc:
        raise SigningError(f"signing failed: {exc}") from None
    size = tx.size()
    if size > MAX_TX_SIZE:
        raise InvalidTransaction(
            f"the transaction is {size} bytes; the limit is {MAX_TX_SIZE}. "
            "Consolidate small coins first."
        )
    return tx

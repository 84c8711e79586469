"""fluxd's standardness policy: IsStandardTx, AreInputsStandard and IsFinalTx."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.sim import script_check
from tests.sim.params import (
    LOCKTIME_THRESHOLD,
    MAX_NULLDATA_SCRIPT,
    MAX_P2SH_SIGOPS,
    MAX_SCRIPTSIG_SIZE,
    SAPLING_TX_VERSION,
    SimParams,
    dust_threshold,
)
from tests.sim.reject import REJECT_NONSTANDARD, RPC_TRANSACTION_ERROR, SimReject, invalid
from wallet.errors import DecodeError
from wallet.script import ScriptKind, classify_script, iter_script, parse_multisig
from wallet.txmodel import SEQUENCE_FINAL, Transaction

if TYPE_CHECKING:
    from tests.sim.validate import Coin


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


def _stack_size(script_sig: bytes) -> int | None:
    try:
        return sum(1 for _ in iter_script(script_sig))
    except DecodeError:
        return None


def last_push(script_sig: bytes) -> bytes:
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


def check_inputs_standard(tx: Transaction, spent: list[Coin]) -> None:
    """fluxd AreInputsStandard; its failure is a bare error, so RPC -25 with no text."""
    for txin, coin in zip(tx.inputs, spent, strict=True):
        expected = _args_expected(coin.script)
        stack = _stack_size(txin.script_sig)
        if expected is None or stack is None:
            raise SimReject(RPC_TRANSACTION_ERROR, "")
        if classify_script(coin.script) == ScriptKind.P2SH:
            redeem = last_push(txin.script_sig)
            inner = _args_expected(redeem) if redeem else None
            if inner is None:
                if stack == 0 or script_check.count_sigops(redeem, True) > MAX_P2SH_SIGOPS:
                    raise SimReject(RPC_TRANSACTION_ERROR, "")
                continue
            expected += inner
        if stack != expected:
            raise SimReject(RPC_TRANSACTION_ERROR, "")

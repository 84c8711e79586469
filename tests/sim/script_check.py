"""Script verification for the standard templates, as fluxd's interpreter runs them.

Covers what a transparent wallet can spend: P2PKH, P2PK, bare multisig and P2SH (any redeem
script built from the same opcodes, e.g. m-of-n multisig). Signatures are checked with coincurve
over ``wallet.sighash`` (ZIP-243) using the amount and script of the coin being spent, taken
from the simulator's own UTXO set. Errors carry fluxd's ScriptErrorString text; ``standard``
marks failures caused only by policy flags (LOW_S, STRICTENC, MINIMALDATA, NULLDUMMY,
CLEANSTACK), which fluxd reports as "non-mandatory-script-verify-flag".
"""

from __future__ import annotations

from collections.abc import Callable

import coincurve

from wallet.encoding import hash160
from wallet.errors import DecodeError
from wallet.script import (
    OP_0,
    OP_1,
    OP_1NEGATE,
    OP_16,
    OP_CHECKMULTISIG,
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
    OP_PUSHDATA1,
    OP_PUSHDATA2,
    OP_PUSHDATA4,
    OP_RETURN,
    ScriptKind,
    classify_script,
    iter_script,
)

CURVE_ORDER = int(coincurve.utils.GROUP_ORDER_INT)
HALF_ORDER = CURVE_ORDER // 2
OP_VERIFY = 0x69
MAX_SCRIPT_SIZE = 10_000
MAX_ELEMENT_SIZE = 520
MAX_OPS = 201

ERR_EVAL_FALSE = "Script evaluated without error but finished with a false/empty top stack element"
ERR_EQUALVERIFY = "Script failed an OP_EQUALVERIFY operation"
ERR_VERIFY = "Script failed an OP_VERIFY operation"
ERR_STACK = "Operation not valid with the current stack size"
ERR_SIG_DER = "Non-canonical DER signature"
ERR_HIGH_S = "Non-canonical signature: S value is unnecessarily high"
ERR_HASHTYPE = "Signature hash type missing or not understood"
ERR_PUBKEYTYPE = "Public key is neither compressed or uncompressed"
ERR_MINIMALDATA = "Data push larger than necessary"
ERR_NULLDUMMY = "Dummy CHECKMULTISIG argument must be zero"
ERR_PUSHONLY = "Only non-push operators allowed in signatures"
ERR_CLEANSTACK = "Extra items left on stack after execution"
ERR_OP_RETURN = "OP_RETURN was encountered"
ERR_SCRIPT_SIZE = "Script is too big"
ERR_PUSH_SIZE = "Push value size limit exceeded"
ERR_OP_COUNT = "Operation limit exceeded"
ERR_SIG_COUNT = "Signature count negative or greater than pubkey count"
ERR_PUBKEY_COUNT = "Pubkey count negative or limit exceeded"
ERR_BAD_OPCODE = "Opcode missing or not understood"
ERR_UNKNOWN = "unknown error"

# Digest of (sighash type, script code) for the input being checked.
SighashFn = Callable[[int, bytes], bytes]


class ScriptFailure(Exception):
    """An input's script did not verify; ``message`` is fluxd's ScriptErrorString."""

    def __init__(self, message: str, *, standard_only: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.standard_only = standard_only


class UnsupportedScript(Exception):
    """A script uses an opcode the simulator does not interpret (stated, never guessed)."""


def is_valid_signature_encoding(sig: bytes) -> bool:
    """BIP66 strict DER plus the trailing hash-type byte (fluxd IsValidSignatureEncoding)."""
    n = len(sig)
    if n < 9 or n > 73 or sig[0] != 0x30 or sig[1] != n - 3:
        return False
    len_r = sig[3]
    if 5 + len_r >= n:
        return False
    len_s = sig[5 + len_r]
    if len_r + len_s + 7 != n or sig[2] != 0x02 or len_r == 0 or sig[4] & 0x80:
        return False
    if len_r > 1 and sig[4] == 0 and not sig[5] & 0x80:
        return False
    if sig[len_r + 4] != 0x02 or len_s == 0 or sig[len_r + 6] & 0x80:
        return False
    return not (len_s > 1 and sig[len_r + 6] == 0 and not sig[len_r + 7] & 0x80)


def _der_values(sig: bytes) -> tuple[int, int]:
    len_r = sig[3]
    r = int.from_bytes(sig[4 : 4 + len_r], "big")
    len_s = sig[5 + len_r]
    s = int.from_bytes(sig[6 + len_r : 6 + len_r + len_s], "big")
    return r, s


def _der_int(value: int) -> bytes:
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    return b"\x02" + bytes((len(body),)) + body


def _normalized_der(r: int, s: int) -> bytes:
    """DER of (r, low s): libsecp256k1 verifies only low-S, fluxd normalises before verifying."""
    if s > HALF_ORDER:
        s = CURVE_ORDER - s
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes((len(body),)) + body


def _check_sig_encoding(sig: bytes, standard: bool) -> None:
    if not sig:
        return
    if not is_valid_signature_encoding(sig):
        raise ScriptFailure(ERR_SIG_DER)  # DERSIG is always enforced by fluxd
    if standard and _der_values(sig)[1] > HALF_ORDER:
        raise ScriptFailure(ERR_HIGH_S, standard_only=True)
    if standard and not 1 <= (sig[-1] & ~0x80) <= 3:
        raise ScriptFailure(ERR_HASHTYPE, standard_only=True)


def _check_pubkey_encoding(pubkey: bytes, standard: bool) -> None:
    ok = (len(pubkey) == 33 and pubkey[0] in (2, 3)) or (len(pubkey) == 65 and pubkey[0] == 4)
    if standard and not ok:
        raise ScriptFailure(ERR_PUBKEYTYPE, standard_only=True)


def signature_valid(sig: bytes, pubkey: bytes, script_code: bytes, sighash: SighashFn) -> bool:
    """fluxd TransactionSignatureChecker::CheckSig for one (sig+hashtype, pubkey)."""
    if not sig or not is_valid_signature_encoding(sig):
        return False
    r, s = _der_values(sig)
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        return False
    digest = sighash(sig[-1], script_code)
    try:
        point = coincurve.PublicKey(pubkey)
        return bool(point.verify(_normalized_der(r, s), digest, hasher=None))
    except (ValueError, TypeError):
        return False


def _cast_to_bool(value: bytes) -> bool:
    for i, byte in enumerate(value):
        if byte:
            return not (i == len(value) - 1 and byte == 0x80)
    return False


def _script_num(value: bytes, standard: bool) -> int:
    if len(value) > 4:
        raise ScriptFailure(ERR_UNKNOWN)
    if standard and value and not value[-1] & 0x7F and (len(value) == 1 or not value[-2] & 0x80):
        raise ScriptFailure(ERR_UNKNOWN, standard_only=True)
    if not value:
        return 0
    result = int.from_bytes(value, "little")
    if value[-1] & 0x80:
        return -(result & ~(0x80 << (8 * (len(value) - 1))))
    return result


def _minimal_push(data: bytes, opcode: int) -> bool:
    n = len(data)
    if n == 0:
        return opcode == OP_0
    if n == 1 and 1 <= data[0] <= 16:
        return opcode == OP_1 + data[0] - 1
    if n == 1 and data[0] == 0x81:
        return opcode == OP_1NEGATE
    if n <= 75:
        return opcode == n
    if n <= 255:
        return opcode == OP_PUSHDATA1
    return opcode == OP_PUSHDATA2 if n <= 65535 else opcode == OP_PUSHDATA4


def eval_script(script: bytes, stack: list[bytes], sighash: SighashFn, standard: bool) -> None:
    """Run ``script`` on ``stack`` (in place); ScriptFailure / UnsupportedScript on errors."""
    if len(script) > MAX_SCRIPT_SIZE:
        raise ScriptFailure(ERR_SCRIPT_SIZE)
    ops = 0
    try:
        elements = list(iter_script(script))
    except DecodeError:
        raise ScriptFailure(ERR_BAD_OPCODE) from None
    for op in elements:
        if op.data is not None or op.opcode == OP_0:
            data = op.data or b""
            if len(data) > MAX_ELEMENT_SIZE:
                raise ScriptFailure(ERR_PUSH_SIZE)
            if standard and not _minimal_push(data, op.opcode):
                raise ScriptFailure(ERR_MINIMALDATA, standard_only=True)
            stack.append(data)
            continue
        code = op.opcode
        if code > OP_16:
            ops += 1
            if ops > MAX_OPS:
                raise ScriptFailure(ERR_OP_COUNT)
        if code == OP_1NEGATE:
            stack.append(b"\x81")
        elif OP_1 <= code <= OP_16:
            stack.append(bytes((code - OP_1 + 1,)))
        elif code == OP_DUP:
            _need(stack, 1)
            stack.append(stack[-1])
        elif code == OP_HASH160:
            _need(stack, 1)
            stack.append(hash160(stack.pop()))
        elif code in (OP_EQUAL, OP_EQUALVERIFY):
            _need(stack, 2)
            equal = stack.pop() == stack.pop()
            if code == OP_EQUALVERIFY:
                if not equal:
                    raise ScriptFailure(ERR_EQUALVERIFY)
            else:
                stack.append(b"\x01" if equal else b"")
        elif code == OP_VERIFY:
            _need(stack, 1)
            if not _cast_to_bool(stack.pop()):
                raise ScriptFailure(ERR_VERIFY)
        elif code == OP_CHECKSIG:
            _need(stack, 2)
            pubkey, sig = stack.pop(), stack.pop()
            _check_sig_encoding(sig, standard)
            _check_pubkey_encoding(pubkey, standard)
            ok = signature_valid(sig, pubkey, script, sighash)
            stack.append(b"\x01" if ok else b"")
        elif code == OP_CHECKMULTISIG:
            ops = _checkmultisig(stack, script, sighash, standard, ops)
        elif code == OP_RETURN:
            raise ScriptFailure(ERR_OP_RETURN)
        else:
            raise UnsupportedScript(
                f"opcode 0x{code:02x} is not interpreted by the simulator (only standard "
                "P2PKH, P2PK, multisig and P2SH templates are)"
            )
        if len(stack) > 1000:
            raise ScriptFailure("Stack size limit exceeded")


def _need(stack: list[bytes], n: int) -> None:
    if len(stack) < n:
        raise ScriptFailure(ERR_STACK)


def _checkmultisig(
    stack: list[bytes], script: bytes, sighash: SighashFn, standard: bool, ops: int
) -> int:
    _need(stack, 1)
    n_keys = _script_num(stack.pop(), standard)
    if not 0 <= n_keys <= 20:
        raise ScriptFailure(ERR_PUBKEY_COUNT)
    ops += n_keys
    if ops > MAX_OPS:
        raise ScriptFailure(ERR_OP_COUNT)
    _need(stack, n_keys)
    # Popped last-pushed first, as fluxd walks both lists from the top: same relative order.
    keys = [stack.pop() for _ in range(n_keys)]
    _need(stack, 1)
    n_sigs = _script_num(stack.pop(), standard)
    if not 0 <= n_sigs <= n_keys:
        raise ScriptFailure(ERR_SIG_COUNT)
    _need(stack, n_sigs)
    sigs = [stack.pop() for _ in range(n_sigs)]
    success = True
    isig = ikey = 0
    while success and n_sigs - isig > 0:
        sig, key = sigs[isig], keys[ikey]
        _check_sig_encoding(sig, standard)
        _check_pubkey_encoding(key, standard)
        if signature_valid(sig, key, script, sighash):
            isig += 1
        ikey += 1
        if n_sigs - isig > n_keys - ikey:
            success = False
    _need(stack, 1)
    dummy = stack.pop()
    if standard and dummy:
        raise ScriptFailure(ERR_NULLDUMMY, standard_only=True)
    stack.append(b"\x01" if success else b"")
    return ops


def _is_push_only(script: bytes) -> bool:
    try:
        return all(op.opcode <= OP_16 for op in iter_script(script))
    except DecodeError:
        return False


def verify_script(
    script_sig: bytes, script_pubkey: bytes, sighash: SighashFn, *, standard: bool
) -> None:
    """fluxd VerifyScript with P2SH (mandatory) plus, if ``standard``, the policy flags."""
    is_p2sh = classify_script(script_pubkey) == ScriptKind.P2SH
    if is_p2sh and not _is_push_only(script_sig):
        raise ScriptFailure(ERR_PUSHONLY)
    stack: list[bytes] = []
    eval_script(script_sig, stack, sighash, standard)
    copy = list(stack)
    eval_script(script_pubkey, stack, sighash, standard)
    if not stack or not _cast_to_bool(stack[-1]):
        raise ScriptFailure(ERR_EVAL_FALSE)
    if is_p2sh:
        stack = copy
        if not stack:
            raise ScriptFailure(ERR_STACK)
        redeem = stack.pop()
        eval_script(redeem, stack, sighash, standard)
        if not stack or not _cast_to_bool(stack[-1]):
            raise ScriptFailure(ERR_EVAL_FALSE)
    if standard and len(stack) != 1:
        raise ScriptFailure(ERR_CLEANSTACK, standard_only=True)


def check_input(script_sig: bytes, script_pubkey: bytes, sighash: SighashFn) -> None:
    """Verify like AcceptToMemoryPool: standard flags, then mandatory-only on a failure."""
    try:
        verify_script(script_sig, script_pubkey, sighash, standard=True)
    except ScriptFailure as failure:
        try:
            verify_script(script_sig, script_pubkey, sighash, standard=False)
        except ScriptFailure:
            # fluxd reports the first (standard-flags) error, as a consensus failure.
            raise ScriptFailure(failure.message) from None
        raise ScriptFailure(failure.message, standard_only=True) from None


def count_sigops(script: bytes, accurate: bool) -> int:
    """fluxd CScript::GetSigOpCount (CHECKMULTISIG counts 20 unless ``accurate``)."""
    count = 0
    last: int | None = None
    try:
        for op in iter_script(script):
            if op.opcode in (OP_CHECKSIG, 0xAD):
                count += 1
            elif op.opcode in (OP_CHECKMULTISIG, 0xAF):
                if accurate and last is not None and OP_1 <= last <= OP_16:
                    count += last - OP_1 + 1
                else:
                    count += 20
            last = op.opcode
    except DecodeError:
        pass
    return count

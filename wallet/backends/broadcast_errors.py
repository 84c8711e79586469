"""Turn fluxd / Insight broadcast rejections into plain messages with the next step.

fluxd `sendrawtransaction` (src/rpc/rawtransaction.cpp) answers RPC -26 with "<reject code>:
<reason>" for invalid transactions, -25 with the reason (or an empty text, or "Missing inputs")
otherwise, -27 when the tx is already mined and -22 when it cannot be decoded. Insight relays the
same text as HTTP 400 "<message>. Code:<code>". Reasons are the strings in fluxd src/main.cpp.
Fluxnode START rejections (fluxnode_errors.py) are matched first and have kinds of their own.
"""

from __future__ import annotations

import re
from enum import StrEnum

from wallet.backends.fluxnode_errors import FLUXNODE_RULES
from wallet.errors import BroadcastRejected


class BroadcastKind(StrEnum):
    EXPIRING_SOON = "expiring-soon"
    EXPIRED = "expired"
    DUST = "dust"
    ABSURD_FEE = "absurd-fee"
    LOW_FEE = "low-fee"
    INPUTS_SPENT = "inputs-spent"
    MISSING_INPUTS = "missing-inputs"
    CONFLICT = "conflict"  # RPC -25 with an empty message
    ALREADY_IN_CHAIN = "already-in-chain"
    ALREADY_IN_MEMPOOL = "already-in-mempool"
    IMMATURE_COINBASE = "immature-coinbase"
    BAD_SIGNATURE = "bad-signature"
    BAD_FORMAT = "bad-format"
    BAD_AMOUNTS = "bad-amounts"
    NON_STANDARD = "non-standard"
    DECODE_FAILED = "decode-failed"
    UNKNOWN = "unknown"


# The node already has exactly these bytes (same txid): the broadcast has succeeded. No fluxnode
# kind is ever in this set.
ALREADY_KNOWN = frozenset({BroadcastKind.ALREADY_IN_CHAIN, BroadcastKind.ALREADY_IN_MEMPOOL})

_REFRESH = "Refresh the wallet and send again."
_NOTHING_SENT = "Nothing was sent."

# (pattern searched in the lower-cased reason, kind, message). First match wins.
_RULES: tuple[tuple[str, BroadcastKind, str], ...] = (
    (
        r"tx-expiring-soon",
        BroadcastKind.EXPIRING_SOON,
        "The transaction would expire within 3 blocks, so the network refused it (the wallet's "
        f"view of the latest block was out of date). {_NOTHING_SENT} {_REFRESH} FluxDesk sets "
        "a new expiry height from the current block.",
    ),
    (
        r"tx-sapling-expired|tx-overwinter-expired|\bexpired\b",
        BroadcastKind.EXPIRED,
        "The transaction expired before it was mined; its coins are free again. " + _REFRESH,
    ),
    (
        r"absurdly[- ]high[- ]fee",
        BroadcastKind.ABSURD_FEE,
        "The fee is far above normal (the node refuses more than about 1000 satoshis per byte). "
        f"{_NOTHING_SENT} Check the fee and build the transaction again.",
    ),
    (
        r"insufficient fee|insufficient priority|rate limited free transaction|min relay fee",
        BroadcastKind.LOW_FEE,
        f"The fee is too low for the node to relay the transaction now. {_NOTHING_SENT} "
        "Choose a higher fee (the normal preset is 1 satoshi per byte) and send again.",
    ),
    (
        r"\bdust\b",
        BroadcastKind.DUST,
        "An output is too small to be relayed (below the 54-satoshi dust limit). "
        f"{_NOTHING_SENT} Send a larger amount, or add a tiny change amount to the fee.",
    ),
    (
        r"premature-spend-of-coinbase",
        BroadcastKind.IMMATURE_COINBASE,
        "A coin being spent is a block or node reward with fewer than 100 confirmations. "
        f"{_NOTHING_SENT} Wait until it matures (100 blocks, about 50 minutes) or leave it out.",
    ),
    (
        r"bad-txns-inputs-spent|inputs-missingorspent|txn-mempool-conflict",
        BroadcastKind.INPUTS_SPENT,
        "One of the coins was already spent, perhaps by a send from another device or by a "
        f"transaction that is still pending. {_NOTHING_SENT} {_REFRESH}",
    ),
    (
        r"missing inputs|missing-inputs|bad-txns-inputs-missing",
        BroadcastKind.MISSING_INPUTS,
        "The server does not know one of the coins being spent: it is spent already, or the "
        f"transaction that created it has not reached this server. {_NOTHING_SENT} {_REFRESH} "
        "If it happens again, switch to another server.",
    ),
    (
        r"txn-already-in-mempool|txn-already-known|already in (?:the )?mempool",
        BroadcastKind.ALREADY_IN_MEMPOOL,
        "This transaction is already waiting in the network's memory pool; it will confirm "
        "without being sent again.",
    ),
    (
        r"already in block chain|already-in-chain",
        BroadcastKind.ALREADY_IN_CHAIN,
        "This transaction is already in the block chain; there is nothing more to do.",
    ),
    (
        r"script-verify-flag|signature",
        BroadcastKind.BAD_SIGNATURE,
        "A signature does not verify (the key or the coin amount used for signing did not match "
        f"the coin). {_NOTHING_SENT} {_REFRESH} If it repeats, please report a bug.",
    ),
    (
        r"overwinter|sapling-version|version-group-id|version-too-low|tx-sapling-active"
        r"|^version$|sapling-version|bad-version|branch",
        BroadcastKind.BAD_FORMAT,
        "The network does not accept this transaction format (version, group id or branch id). "
        f"{_NOTHING_SENT} Update FluxDesk to the latest version.",
    ),
    (
        r"in-belowout|vout-negative|vout-toolarge|txouttotal|inputvalues|fee-negative|fee-outofrange",
        BroadcastKind.BAD_AMOUNTS,
        "The transaction's amounts do not add up (outputs larger than inputs or out of range). "
        f"{_NOTHING_SENT} {_REFRESH}",
    ),
    (
        r"tx decode failed|deserializ",
        BroadcastKind.DECODE_FAILED,
        f"The node could not read the transaction. {_NOTHING_SENT} This is a FluxDesk bug; "
        "please report it.",
    ),
    (
        r"scriptsig|scriptpubkey|multi-op-return|bare-multisig|non-final|too-many-sigops"
        r"|oversize|vin-empty|vout-empty",
        BroadcastKind.NON_STANDARD,
        "The node considers the transaction non-standard. "
        f"{_NOTHING_SENT} Try fewer inputs (consolidate small coins first) or a normal address.",
    ),
)

_Rule = tuple[re.Pattern[str], str, str]
_FLUXNODE: tuple[_Rule, ...] = tuple((re.compile(p), k, m) for p, k, m in FLUXNODE_RULES)
_COMPILED: tuple[_Rule, ...] = tuple((re.compile(p), k, m) for p, k, m in _RULES)
_INSIGHT_ERROR = re.compile(r"^(?P<message>.*?)\.?\s*Code:\s*(?P<code>-?\d+)\s*$", re.DOTALL)
_REJECT_PREFIX = re.compile(r"^\d+:\s*")


def split_insight_error(body: str) -> tuple[str, int | None]:
    """Insight's HTTP 400 body "<message>. Code:<code>" -> (message, code)."""
    match = _INSIGHT_ERROR.match(body.strip())
    if match is None:
        return body.strip(), None
    return match.group("message").strip(), int(match.group("code"))


def explain_broadcast_error(detail: str, code: int | None) -> BroadcastRejected:
    """Build the typed error for a rejection; `detail` is the node's text (may be empty)."""
    reason = _REJECT_PREFIX.sub("", detail.strip())
    lowered = reason.lower()
    if not lowered and code == -25:
        return BroadcastRejected(
            "The network refused the transaction without giving a reason. This usually means a "
            "coin in it is already being spent by another unconfirmed transaction (for example "
            f"one sent from another device). {_NOTHING_SENT} Wait for the pending transaction to "
            "confirm (about a minute), refresh the wallet and try again.",
            kind=BroadcastKind.CONFLICT,
            code=code,
            detail=detail,
        )
    for pattern, kind, message in _FLUXNODE:
        # Before the code checks: a fluxnode reason must never become "already in the chain".
        if pattern.search(lowered):
            return BroadcastRejected(message, kind=kind, code=code, detail=detail)
    if code == -27:
        return _make(BroadcastKind.ALREADY_IN_CHAIN, detail, code)
    for pattern, kind, message in _COMPILED:
        if pattern.search(lowered):
            return BroadcastRejected(message, kind=kind, code=code, detail=detail)
    if code == -22:
        return _make(BroadcastKind.DECODE_FAILED, detail, code)
    shown = reason[:200] or "no reason given"
    return BroadcastRejected(
        f"The network refused the transaction ({shown}). {_NOTHING_SENT} {_REFRESH} "
        "If it happens again, try another server.",
        kind=BroadcastKind.UNKNOWN,
        code=code,
        detail=detail,
    )


def _make(kind: BroadcastKind, detail: str, code: int | None) -> BroadcastRejected:
    message = next(msg for _, k, msg in _COMPILED if k is kind)
    return BroadcastRejected(message, kind=kind, code=code, detail=detail)

"""Broadcast a signed START: verified first, every fluxnode rejection is a failure.

Only a server that already holds exactly these bytes (same txid in its memory pool) counts as
success; fluxd answers a re-sent START whose txid is in its mempool with the txid itself.
"""

from __future__ import annotations

import logging
from typing import Any

from wallet.backends.base import ChainBackend
from wallet.backends.broadcast_errors import BroadcastKind, explain_broadcast_error
from wallet.backends.fluxnode_errors import RECENTLY_SEEN_MESSAGE, FluxnodeRejectKind
from wallet.errors import BackendResponseError, BackendUnavailable, BroadcastRejected
from wallet.fluxnode import verify_start
from wallet.nodes.errors import StartMaybeSent, StartRefused
from wallet.nodes.timing import FLUXNODE_MEMPOOL_SECONDS
from wallet.txmodel import FluxnodeStart, Transaction

log = logging.getLogger(__name__)

# Only the mempool copy of the same bytes: a START has no outputs, so fluxd's "already in
# block chain" (-27, found by the txid's coins) never applies to one.
_SUCCESS = frozenset({BroadcastKind.ALREADY_IN_MEMPOOL})


async def broadcast_start(
    tx: Transaction, backend: ChainBackend, *, registered_delegates: tuple[bytes, ...] = ()
) -> str:
    """Send a START that ``verify_start`` accepts; return its txid.

    BroadcastRejected carries the plain reason (kinds in fluxnode_errors.py); StartMaybeSent when
    the outcome is unknown.
    """
    start = tx.fluxnode
    if not isinstance(start, FluxnodeStart):
        raise StartRefused(
            "This is not a FluxNode START transaction; nothing was sent.", reason="not-a-start"
        )
    if not verify_start(tx, registered_delegates):
        raise StartRefused(
            "The START's signature is not by a key allowed to start this collateral; nothing "
            "was sent. Sign it with the key of the collateral's address (or a registered "
            "delegate) and try again.",
            reason="signature",
        )
    raw = tx.serialize().hex()
    try:
        answered = await backend.broadcast(raw)
    except BroadcastRejected as exc:
        if exc.kind in _SUCCESS:
            log.info("START %s: the node already has it", tx.txid[:16])
            return tx.txid
        if exc.maybe_sent:
            raise _uncertain(tx, start, exc.detail[:120] or exc.kind) from None
        if exc.kind == BroadcastKind.CONFLICT:
            # A START has no inputs, so fluxd's reasonless -25 means "seen recently".
            raise BroadcastRejected(
                RECENTLY_SEEN_MESSAGE, kind=FluxnodeRejectKind.RECENTLY_SEEN, code=exc.code,
                detail=exc.detail,
            ) from None
        raise
    except (BackendUnavailable, BackendResponseError) as exc:
        raise _uncertain(tx, start, str(exc).partition(". ")[0][:200]) from None
    if answered.lower() != tx.txid:
        log.warning("%s answered txid %s for START %s", backend.name, answered[:16], tx.txid[:16])
    log.info("START %s broadcast for %s:%d", tx.txid[:16], start.collateral.txid_hex[:16],
             start.collateral.index)
    return tx.txid


def _uncertain(tx: Transaction, start: FluxnodeStart, reason: str) -> StartMaybeSent:
    minutes = FLUXNODE_MEMPOOL_SECONDS // 60
    return StartMaybeSent(
        f"START {tx.txid} may have been sent: the servers gave no clear answer ({reason}). "
        "The node shows as starting; if the START reached the network it appears in the start "
        f"list within a few blocks. If it does not within {minutes} minutes, start again "
        "(a new START replaces a pending one).",
        txid=tx.txid,
        sig_time=start.sig_time,
    )


def parse_fluxos_broadcast(body: Any, txid: str) -> str:
    """The answer of FluxOS ``/daemon/sendrawtransaction`` ({status, data}) for a START.

    Success carries the txid; an error carries fluxd's RPC code and text, explained like any
    other broadcast rejection (so a fluxnode reject keeps its own kind).
    """
    if not isinstance(body, dict) or body.get("status") not in ("success", "error"):
        raise BroadcastRejected(
            "The FluxOS API gave an answer FluxDesk cannot read; the START may not have been "
            "sent. Refresh the node list before trying again.",
            kind=BroadcastKind.UNKNOWN, code=None, detail=str(body)[:200], maybe_sent=True,
        )
    data = body.get("data")
    if body["status"] == "success":
        if isinstance(data, str) and data.lower() != txid:
            log.warning("FluxOS answered txid %s for START %s", data[:16], txid[:16])
        return txid
    message = data.get("message") if isinstance(data, dict) else None
    code = data.get("code") if isinstance(data, dict) else None
    raise explain_broadcast_error(str(message or ""), code if isinstance(code, int) else None)

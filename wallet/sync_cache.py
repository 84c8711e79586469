"""The sync state as plain JSON, so that a restart refreshes instead of syncing from scratch.

Kept: the scanned windows, the wallet's raw transactions with where they were mined, its own
pending ones, the second source's verdicts, and the coins and history entries computed from
them (sync_results.py), which a refresh that changes no transaction keeps as they are. The
server's coin list is read again by the first refresh that needs it.

Reading is strict and every transaction is parsed and hashed against its txid again, unless
the cache comes sealed (AEAD, the wallet's key: sync_store.py), i.e. exactly as this wallet
wrote it: then each transaction keeps its bytes and is parsed on first use (ChainTx, Unparsed),
so a restart that changes nothing parses none of them; the rows are still checked in shape. A
cache that does not read is dropped (one log line) and the next sync is a full one, so a bad
cache costs time, never coins.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from wallet.backends import parsing
from wallet.backends.base import Trust
from wallet.backends.verify import verify_transaction
from wallet.errors import BackendError, DecodeError
from wallet.history import ChainTx, Unparsed
from wallet.json_shape import as_dict, as_int, as_list
from wallet.keychain import CHAINS
from wallet.sync_results import dump_results, load_results
from wallet.sync_state import MAX_ADDRESSES_PER_CHAIN, SyncState
from wallet.txcodec import MAX_TX_INPUTS, MAX_TX_OUTPUTS

log = logging.getLogger(__name__)

# 2: rows carry the inputs + outputs count, and the computed coins and history are kept.
CACHE_FORMAT: Final = 2
_MAX_HEIGHT: Final = 100_000_000


class _Unreadable(Exception):
    """The cache is not what dump_sync_state writes."""


def dump_sync_state(st: SyncState, *, hexes: dict[str, str] | None = None) -> dict[str, Any]:
    """JSON-ready copy of what the next refresh needs (see the module docstring). `hexes` has
    transactions already serialized (by txid), to skip serializing them again."""
    known = hexes or {}

    def hex_of(c: ChainTx) -> str:
        body = c.body
        return body.raw.hex() if isinstance(body, Unparsed) else body.serialize().hex()

    return {
        "format": CACHE_FORMAT,
        "tip": st.tip,
        "last_used": [st.last_used[c] for c in CHAINS],
        "scanned": [st.scanned[c] for c in CHAINS],
        "txs": [
            [c.txid, known.get(c.txid) or hex_of(c), c.height, c.confirmed, c.time, c.parts]
            for c in st.txs.values()
        ],
        "local_pending": list(st.local_pending),
        "verified": [t for t, v in st.trust.items() if v is Trust.VERIFIED],
        "results": dump_results(st),
    }


def load_sync_state(data: object, *, sealed: bool = False) -> SyncState | None:
    """The state `dump_sync_state` wrote, or None (full sync next) when it does not read.

    `sealed`: the data comes authenticated with the wallet's key, so transactions are not
    parsed and hashed against their txids again (the cost of a restart with thousands of
    them) but parsed on first use."""
    try:
        return _load(data, sealed=sealed)
    except (_Unreadable, BackendError, DecodeError, KeyError, TypeError, ValueError) as exc:
        log.warning("the saved sync state is not usable (%s); the next sync is a full one", exc)
        return None


def _load(data: object, *, sealed: bool) -> SyncState:
    doc = as_dict(data)
    if doc.get("format") != CACHE_FORMAT:
        raise _Unreadable(f"format {doc.get('format')!r:.20}")
    st = SyncState(tip=as_int(doc["tip"], -1, _MAX_HEIGHT))
    for chain, used, scanned in zip(
        CHAINS, as_list(doc["last_used"]), as_list(doc["scanned"]), strict=True
    ):
        st.last_used[chain] = as_int(used, -1, MAX_ADDRESSES_PER_CHAIN - 1)
        st.scanned[chain] = as_int(scanned, 0, MAX_ADDRESSES_PER_CHAIN)
    for row in as_list(doc["txs"]):
        txid, raw, height, confirmed, block_time, parts = as_list(row)
        # fluxd's history has no heights, so a mined transaction may lack one; a pending one
        # never has one.
        if not isinstance(confirmed, bool) or (height is not None and not confirmed):
            raise _Unreadable("a transaction's height and confirmation disagree")
        body = _unparsed(raw, txid, parts) if sealed else verify_transaction(raw, txid)
        txid = txid.lower()
        height = None if height is None else as_int(height, 0, _MAX_HEIGHT)
        block_time = None if block_time is None else as_int(block_time, 0, 2**32 - 1)
        st.txs[txid] = ChainTx(txid, body, height, confirmed, block_time)
    for txid in as_list(doc["local_pending"]):
        chain_tx = st.txs.get(txid)
        if chain_tx is None:
            raise _Unreadable("a pending transaction without its data")
        st.local_pending[txid] = chain_tx.tx
    for txid in as_list(doc["verified"]):
        if txid not in st.txs:
            raise _Unreadable("a verdict on an unknown transaction")
        st.trust[txid] = Trust.VERIFIED
    results = doc["results"]
    if results is not None:
        load_results(st, results)
    return st


def _unparsed(raw: object, txid: object, parts: object) -> Unparsed:
    if not isinstance(txid, str) or not parsing.is_txid(txid) or not isinstance(raw, str):
        raise _Unreadable("a transaction without a txid or data")
    data = bytes.fromhex(raw)
    if not data:
        raise _Unreadable("an empty transaction")
    return Unparsed(data, as_int(parts, 0, MAX_TX_INPUTS + MAX_TX_OUTPUTS))




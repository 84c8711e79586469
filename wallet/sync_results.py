"""The coins and history entries of the last sync as plain JSON, for the sync cache.

A restart whose first refresh finds no transaction new, moved or gone keeps them (at the new
tip's depth, see sync_coins.at_depth) instead of computing them from every transaction again.
They come only from the wallet's own sealed cache (sync_store.py); reading still checks each
row's shape and raises ValueError or TypeError (the cache is then dropped) when one is off.
"""

from __future__ import annotations

from typing import Any

from wallet.backends.base import Trust, Utxo
from wallet.history import HistoryEntry, TxType
from wallet.json_shape import as_bool, as_int, as_list, as_str
from wallet.sync_state import SyncState

_MAX_HEIGHT = 100_000_000
_MAX_SATOSHIS = 21_000_000 * 100_000_000 * 10


def dump_results(st: SyncState) -> dict[str, Any] | None:
    if st.results_tip is None:
        return None
    return {
        "tip": st.results_tip,
        "utxos": [
            [u.txid, u.vout, u.address, u.satoshis, u.script_pubkey.hex(), u.height,
             u.confirmations, u.coinbase, u.trust.value]
            for u in st.utxos
        ],
        "history": [
            [e.txid, e.type.value, e.amount, e.fee, e.height, e.confirmations, e.expiry_height,
             list(e.addresses), e.message, e.time]
            for e in st.history
        ],
    }


def load_results(st: SyncState, data: object) -> None:
    """Fill `st.utxos`, `st.history` and `st.results_tip` from what dump_results wrote."""
    if not isinstance(data, dict):
        raise TypeError("the kept results are not an object")
    tip = as_int(data["tip"], -1, _MAX_HEIGHT)
    utxos = [_utxo(row) for row in as_list(data["utxos"])]
    history = [_entry(row) for row in as_list(data["history"])]
    st.utxos, st.history, st.results_tip = utxos, history, tip


def _utxo(row: object) -> Utxo:
    txid, vout, address, satoshis, script, height, confirmations, coinbase, trust = as_list(row)
    return Utxo(
        as_str(txid),
        as_int(vout, 0, 0xFFFFFFFF),
        as_str(address),
        as_int(satoshis, 0, _MAX_SATOSHIS),
        bytes.fromhex(as_str(script)),
        None if height is None else as_int(height, 0, _MAX_HEIGHT),
        as_int(confirmations, 0, _MAX_HEIGHT),
        as_bool(coinbase),
        Trust(trust),
    )


def _entry(row: object) -> HistoryEntry:
    txid, kind, amount, fee, height, confirmations, expiry, addresses, message, time = as_list(row)
    return HistoryEntry(
        txid=as_str(txid),
        type=TxType(kind),
        amount=as_int(amount, -_MAX_SATOSHIS, _MAX_SATOSHIS),
        fee=None if fee is None else as_int(fee, -_MAX_SATOSHIS, _MAX_SATOSHIS),
        height=None if height is None else as_int(height, 0, _MAX_HEIGHT),
        confirmations=as_int(confirmations, 0, _MAX_HEIGHT),
        expiry_height=as_int(expiry, 0, 0xFFFFFFFF),
        addresses=tuple(as_str(a) for a in as_list(addresses)),
        message=None if message is None else as_str(message),
        time=None if time is None else as_int(time, 0, 2**32 - 1),
    )





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
    tip = _int(data["tip"], -1, _MAX_HEIGHT)
    utxos = [_utxo(row) for row in _list(data["utxos"])]
    history = [_entry(row) for row in _list(data["history"])]
    st.utxos, st.history, st.results_tip = utxos, history, tip


def _utxo(row: object) -> Utxo:
    txid, vout, address, satoshis, script, height, confirmations, coinbase, trust = _list(row)
    return Utxo(
        _str(txid),
        _int(vout, 0, 0xFFFFFFFF),
        _str(address),
        _int(satoshis, 0, _MAX_SATOSHIS),
        bytes.fromhex(_str(script)),
        None if height is None else _int(height, 0, _MAX_HEIGHT),
        _int(confirmations, 0, _MAX_HEIGHT),
        _bool(coinbase),
        Trust(trust),
    )


def _entry(row: object) -> HistoryEntry:
    txid, kind, amount, fee, height, confirmations, expiry, addresses, message, time = _list(row)
    return HistoryEntry(
        txid=_str(txid),
        type=TxType(kind),
        amount=_int(amount, -_MAX_SATOSHIS, _MAX_SATOSHIS),
        fee=None if fee is None else _int(fee, -_MAX_SATOSHIS, _MAX_SATOSHIS),
        height=None if height is None else _int(height, 0, _MAX_HEIGHT),
        confirmations=_int(confirmations, 0, _MAX_HEIGHT),
        expiry_height=_int(expiry, 0, 0xFFFFFFFF),
        addresses=tuple(_str(a) for a in _list(addresses)),
        message=None if message is None else _str(message),
        time=None if time is None else _int(time, 0, 2**32 - 1),
    )


def _int(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{value!r:.20} is not a number in {low}..{high}")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r:.20} is not text")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r:.20} is not true or false")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value

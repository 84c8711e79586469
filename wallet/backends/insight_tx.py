"""Rebuild a transaction's raw bytes from Insight's JSON view of it (/addrs/txs pages).

Insight pages carry full transactions (vin with scriptSig hex, vout with scriptPubKey hex), so a
transparent transaction can be serialized again without one /rawtx request each. Nothing here is
trusted: sync hashes the rebuilt bytes and compares them with the txid (verify.py), exactly as
it does with /rawtx. A transaction this module cannot rebuild (fluxnode, shielded parts,
joinsplits, fields stripped by noScriptSig) gives None and is fetched raw instead.
"""

from __future__ import annotations

from typing import Any

from wallet.amounts import satoshis_from_json
from wallet.errors import DecodeError, InvalidAmount, WalletError
from wallet.json_shape import as_dict, as_list, as_str
from wallet.txcodec import serialize_transaction
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut

_COINBASE_PREVOUT = OutPoint(b"\x00" * 32, 0xFFFFFFFF)
_U32 = 0xFFFFFFFF


class _Unbuildable(Exception):
    """The JSON lacks something the raw bytes need."""


def raw_from_insight(tx: dict[str, Any]) -> str | None:
    """The transaction's raw hex rebuilt from Insight JSON, or None when it cannot be."""
    try:
        return serialize_transaction(_transaction(tx)).hex()
    except (_Unbuildable, DecodeError, WalletError, InvalidAmount, ValueError, TypeError):
        return None


def _transaction(tx: dict[str, Any]) -> Transaction:
    if "nType" in tx or "vin" not in tx or "vout" not in tx:
        raise _Unbuildable("fluxnode or incomplete transaction")
    if tx.get("vjoinsplit") or tx.get("spendDescs") or tx.get("outputDescs"):
        raise _Unbuildable("shielded parts are not in the JSON")
    overwintered = tx.get("fOverwintered", False)
    if not isinstance(overwintered, bool):
        raise _Unbuildable("fOverwintered")
    result = Transaction(
        version=_u32(tx.get("version")),
        overwintered=overwintered,
        inputs=[_txin(as_dict(v)) for v in as_list(tx.get("vin"))],
        outputs=[_txout(as_dict(v)) for v in as_list(tx.get("vout"))],
        lock_time=_u32(tx.get("locktime")),
    )
    if overwintered:
        result.version_group_id = _group_id(tx.get("nVersionGroupId"))
        result.expiry_height = _u32(tx.get("nExpiryHeight"))
        if satoshis_from_json(tx.get("valueBalance", 0)) != 0:
            raise _Unbuildable("a non-zero valueBalance needs shielded parts")
    return result


def _txin(vin: dict[str, Any]) -> TxIn:
    sequence = _u32(vin.get("sequence"))
    if "coinbase" in vin:
        return TxIn(_COINBASE_PREVOUT, _hex(vin.get("coinbase")), sequence)
    script = as_dict(vin.get("scriptSig")).get("hex")
    prevout = OutPoint.from_hex(as_str(vin.get("txid")), _u32(vin.get("vout")))
    return TxIn(prevout, _hex(script), sequence)


def _txout(vout: dict[str, Any]) -> TxOut:
    script = as_dict(vout.get("scriptPubKey")).get("hex")
    return TxOut(satoshis_from_json(vout.get("value")), _hex(script))


def _group_id(value: object) -> int:
    # fluxd's verbose JSON writes it as hex text ("892f2085"), some explorers as a number.
    if isinstance(value, str):
        return int(value, 16) if 0 < len(value) <= 8 else _u32(None)
    return _u32(value)


def _u32(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U32:
        raise _Unbuildable(f"{value!r:.20} is not a 32-bit number")
    return value


def _hex(value: object) -> bytes:
    return bytes.fromhex(as_str(value))




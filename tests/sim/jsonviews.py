"""JSON shapes of transactions and amounts as fluxd (TxToJSON) and Insight (transformTransaction)
produce them, from the simulator's chain records.

fluxd prints amounts with ValueFromAmount: a JSON number with exactly 8 decimals (``Amount``
and ``dumps`` keep that form). Insight computes ``satoshis / 1e8`` in JavaScript (a double,
shortest form), except ``vout[].value`` which is ``toFixed(8)`` text.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from flux.money import COIN
from tests.sim.chain import Chain, TxEntry
from tests.sim.script_check import is_valid_signature_encoding
from tests.sim.validate import Coin
from wallet.script import ScriptKind, classify_script, iter_script, parse_multisig
from wallet.txmodel import FluxnodeStart, Transaction

OPCODE_NAMES = {
    0x4F: "-1", 0x61: "OP_NOP", 0x69: "OP_VERIFY", 0x6A: "OP_RETURN", 0x76: "OP_DUP",
    0x87: "OP_EQUAL", 0x88: "OP_EQUALVERIFY", 0xA9: "OP_HASH160", 0xAC: "OP_CHECKSIG",
    0xAD: "OP_CHECKSIGVERIFY", 0xAE: "OP_CHECKMULTISIG", 0xAF: "OP_CHECKMULTISIGVERIFY",
    0xB1: "OP_CHECKLOCKTIMEVERIFY",
}
HASHTYPE_NAMES = {1: "ALL", 2: "NONE", 3: "SINGLE", 0x81: "ALL|ANYONECANPAY",
                  0x82: "NONE|ANYONECANPAY", 0x83: "SINGLE|ANYONECANPAY"}
TYPE_NAMES = {
    ScriptKind.P2PKH: "pubkeyhash", ScriptKind.P2SH: "scripthash", ScriptKind.P2PK: "pubkey",
    ScriptKind.MULTISIG: "multisig", ScriptKind.NULLDATA: "nulldata",
    ScriptKind.NONSTANDARD: "nonstandard",
}


class Amount(int):
    """Satoshis that fluxd prints as a JSON number with 8 decimals."""


_AMOUNT_TOKEN = re.compile(r'"@@amount:(-?\d+)@@"')


# Values written as they are; checked by exact type so an Amount (an int) is never one.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _tokens(value: Any) -> Any:
    # Plain leaves are not visited one call each: replies list thousands of them.
    if isinstance(value, Amount):
        return f"@@amount:{int(value)}@@"
    if isinstance(value, dict):
        return {k: v if type(v) in _PLAIN else _tokens(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else _tokens(v) for v in value]
    return value


def _format_amount(match: re.Match[str]) -> str:
    sats = int(match.group(1))
    whole, frac = divmod(abs(sats), COIN)
    return f"{'-' if sats < 0 else ''}{whole}.{frac:08d}"


def dumps(value: Any) -> str:
    """JSON text with ``Amount`` values written like fluxd's ValueFromAmount (8 decimals)."""
    return _AMOUNT_TOKEN.sub(_format_amount, json.dumps(_tokens(value), separators=(",", ":")))


def fixed8(sats: int) -> str:
    """JavaScript ``(satoshis / 1e8).toFixed(8)`` for amounts within MAX_MONEY."""
    whole, frac = divmod(abs(sats), COIN)
    return f"{'-' if sats < 0 else ''}{whole}.{frac:08d}"


def flux(sats: int) -> float:
    """Insight's ``satoshis / 1e8``."""
    return sats / 1e8


def script_asm(script: bytes, *, sighash_decode: bool = False) -> str:
    """fluxd ScriptToAsmStr (small pushes as numbers, signatures with [ALL] when decoding)."""
    parts: list[str] = []
    try:
        for op in iter_script(script):
            if op.data is None or (op.opcode == 0 and not op.data):
                code = op.opcode
                if code == 0:
                    parts.append("0")
                elif 0x51 <= code <= 0x60:
                    parts.append(str(code - 0x50))
                else:
                    parts.append(OPCODE_NAMES.get(code, f"OP_UNKNOWN_{code:02x}"))
                continue
            data = op.data
            if len(data) <= 4:
                value = int.from_bytes(data, "little")
                if data[-1] & 0x80:
                    value = -(value & ~(0x80 << (8 * (len(data) - 1))))
                parts.append(str(value))
            elif sighash_decode and is_valid_signature_encoding(data) and data[-1] in HASHTYPE_NAMES:
                parts.append(data[:-1].hex() + f"[{HASHTYPE_NAMES[data[-1]]}]")
            else:
                parts.append(data.hex())
    except Exception:  # fluxd appends "[error]" for an unparsable script
        parts.append("[error]")
    return " ".join(parts)


def script_pubkey_json(chain: Chain, script: bytes) -> dict[str, Any]:
    """fluxd ScriptPubKeyToJSON with hex."""
    kind = classify_script(script)
    out: dict[str, Any] = {"asm": script_asm(script), "hex": script.hex()}
    address = chain.address_of(script)
    if address is not None:
        out.update({"reqSigs": 1, "type": TYPE_NAMES[kind], "addresses": [address]})
    elif kind == ScriptKind.MULTISIG:
        multisig = parse_multisig(script)
        out["type"] = "multisig"
        if multisig is not None:
            out["reqSigs"] = multisig.m
    else:
        out["type"] = TYPE_NAMES[kind]
    return out


def _fluxnode_rpc(tx: Transaction) -> dict[str, Any]:
    """TxToJSON's fluxnode fields (rawtransaction.cpp); keys and pubkeys are base64 there."""
    node = tx.fluxnode
    assert node is not None
    out = node.collateral
    result: dict[str, Any] = {
        "type": "Starting a fluxnode" if isinstance(node, FluxnodeStart) else "Confirming a fluxnode",
        "collateral_output": f"COutPoint({out.txid_hex[:10]}, {out.index})",
        "collateral": f"COutPoint({out.txid_hex}, {out.index})",
        "txhash": out.txid_hex, "outidx": str(out.index), "sigtime": node.sig_time,
        "sig": _b64(node.sig),
    }
    if isinstance(node, FluxnodeStart):
        if node.flux_tx_version is not None:
            result["fluxnode_upgraded_tx_version"] = node.flux_tx_version
        if node.collateral_pubkey:
            result["collateral_pubkey"] = _b64(node.collateral_pubkey)
        if node.redeem_script:
            result["redeemscript"] = script_asm(node.redeem_script)
        result["zelnode_pubkey"] = _b64(node.identity_pubkey)
    else:
        result.update({
            "ip": node.ip.decode(errors="replace"), "update_type": node.update_type,
            "benchmark_tier": node.benchmark_tier, "benchmark_sigtime": node.benchmark_sig_time,
            "benchmark_sig": _b64(node.benchmark_sig),
        })
    return result


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def rpc_tx(chain: Chain, entry: TxEntry, *, include_hex: bool = True) -> dict[str, Any]:
    """getrawtransaction verbose=1 (TxToJSON with spentindex fields)."""
    tx = entry.tx
    result: dict[str, Any] = {"hex": entry.raw.hex()} if include_hex else {}
    result.update({"txid": entry.txid, "version": tx.version})
    if tx.is_fluxnode:
        result.update(_fluxnode_rpc(tx))
        _block_fields(chain, entry, result)
        return result
    result["overwintered"] = tx.overwintered
    if tx.overwintered:
        result["versiongroupid"] = f"{tx.version_group_id:08x}"
    result["locktime"] = tx.lock_time
    if tx.overwintered:
        result["expiryheight"] = tx.expiry_height
    vin: list[dict[str, Any]] = []
    spent: list[Coin | None] = list(entry.spent) if entry.spent else [None] * len(tx.inputs)
    for txin, coin in zip(tx.inputs, spent, strict=True):
        item: dict[str, Any]
        if entry.coinbase:
            item = {"coinbase": txin.script_sig.hex()}
        else:
            item = {
                "txid": txin.prevout.txid_hex, "vout": txin.prevout.index,
                "scriptSig": {"asm": script_asm(txin.script_sig, sighash_decode=True),
                              "hex": txin.script_sig.hex()},
            }
            if coin is not None:
                item.update({"value": Amount(coin.value), "valueSat": coin.value})
                if coin.address is not None:
                    item["address"] = coin.address
        item["sequence"] = txin.sequence
        vin.append(item)
    result["vin"] = vin
    vout: list[dict[str, Any]] = []
    for n, out in enumerate(tx.outputs):
        item = {
            "value": Amount(out.value), "valueZat": out.value, "valueSat": out.value, "n": n,
            "scriptPubKey": script_pubkey_json(chain, out.script_pubkey),
        }
        spender = chain.spent_by.get((entry.txid, n))
        if spender is not None:
            item.update({"spentTxId": spender[0], "spentIndex": spender[1],
                         "spentHeight": -1 if spender[2] is None else spender[2]})
        vout.append(item)
    result["vout"] = vout
    result["vJoinSplit"] = []
    if tx.overwintered and tx.version >= 4:
        result.update({"valueBalance": Amount(tx.value_balance),
                       "valueBalanceZat": tx.value_balance,
                       "vShieldedSpend": [], "vShieldedOutput": []})
    _block_fields(chain, entry, result)
    return result


def _block_fields(chain: Chain, entry: TxEntry, result: dict[str, Any]) -> None:
    if entry.block_hash is not None and entry.height is not None:
        block_time = chain.blocks[entry.height].time
        result.update({
            "blockhash": entry.block_hash, "height": entry.height,
            "confirmations": chain.confirmations(entry.height),
            "time": block_time, "blocktime": block_time,
        })


def insight_tx(chain: Chain, entry: TxEntry) -> dict[str, Any]:
    """Insight /api/tx/{txid} (insight-api lib/transactions.js transformTransaction)."""
    tx = entry.tx
    confirmations = chain.confirmations(entry.height)
    time_ = chain.blocks[entry.height].time if entry.height is not None else entry.time
    result: dict[str, Any] = {
        "txid": entry.txid, "version": tx.version, "locktime": tx.lock_time,
        "blockhash": entry.block_hash, "blockheight": -1 if entry.height is None else entry.height,
        "confirmations": confirmations, "size": len(entry.raw), "time": time_,
    }
    if confirmations:
        result["blocktime"] = time_
    if tx.is_fluxnode:
        result.update(_fluxnode_insight(tx))
        return result
    if entry.coinbase:
        txin = tx.inputs[0]
        result["vin"] = [{"coinbase": txin.script_sig.hex(), "sequence": txin.sequence, "n": 0}]
    else:
        result["vin"] = [
            {
                "txid": txin.prevout.txid_hex, "vout": txin.prevout.index,
                "sequence": txin.sequence, "n": n,
                "scriptSig": {"hex": txin.script_sig.hex(),
                              "asm": script_asm(txin.script_sig, sighash_decode=True)},
                "addr": coin.address, "valueSat": coin.value, "value": flux(coin.value),
                "doubleSpentTxID": None,
            }
            for n, (txin, coin) in enumerate(zip(tx.inputs, entry.spent, strict=True))
        ]
    vout = []
    for n, out in enumerate(tx.outputs):
        spent = chain.spent_by.get((entry.txid, n))
        script: dict[str, Any] = {"hex": out.script_pubkey.hex(), "asm": script_asm(out.script_pubkey)}
        address = chain.address_of(out.script_pubkey)
        if address is not None:
            script["addresses"] = [address]
            script["type"] = TYPE_NAMES[classify_script(out.script_pubkey)]
        vout.append({
            "value": fixed8(out.value), "n": n, "scriptPubKey": script,
            "spentTxId": spent[0] if spent else None,
            "spentIndex": spent[1] if spent else None,
            "spentHeight": (-1 if spent[2] is None else spent[2]) if spent else None,
        })
    result["vout"] = vout
    if tx.version >= 2:
        result["vjoinsplit"] = []
    if entry.coinbase:
        result["isCoinBase"] = True
    value_out = sum(o.value for o in tx.outputs)
    result["valueOut"] = flux(value_out)
    if not entry.coinbase:
        value_in = sum(c.value for c in entry.spent)
        result["valueIn"] = flux(value_in)
        result["fees"] = flux(value_in - value_out)
    result["fOverwintered"] = tx.overwintered
    if tx.overwintered:
        result["nVersionGroupId"] = tx.version_group_id
        result["nExpiryHeight"] = tx.expiry_height
        if tx.version >= 4:
            result.update({"valueBalance": flux(tx.value_balance), "spendDescs": [],
                           "outputDescs": []})
    return result


def _fluxnode_insight(tx: Transaction) -> dict[str, Any]:
    """transformTransaction's v5/v6 branch: no vin/vout, the fluxnode fields instead."""
    node = tx.fluxnode
    assert node is not None
    out = node.collateral
    start = isinstance(node, FluxnodeStart)
    result: dict[str, Any] = {
        "type": "Starting a fluxnode" if start else "Confirming a fluxnode",
        "nType": 2 if start else 4,
        "collateralOutputHash": out.txid_hex, "collateralOutputIndex": out.index,
        "sigTime": node.sig_time, "sig": node.sig.hex(),
    }
    if isinstance(node, FluxnodeStart):
        if node.flux_tx_version is not None:
            result["nFluxNodeTxVersion"] = node.flux_tx_version
        if node.collateral_pubkey:
            result["collateralPubKey"] = node.collateral_pubkey.hex()
        if node.redeem_script:
            result["RedeemScript"] = node.redeem_script.hex()
        result["zelnodePubKey"] = result["fluxnodePubKey"] = node.identity_pubkey.hex()
    else:
        result.update({
            "ip": node.ip.decode(errors="replace"), "updateType": node.update_type,
            "benchmarkTier": node.benchmark_tier, "benchmarkSigTime": node.benchmark_sig_time,
            "benchmarkSig": node.benchmark_sig.hex(),
        })
    return result

"""fluxd JSON-RPC over HTTP (httprpc.cpp) on the simulated chain.

POST only, HTTP Basic auth (401 with an empty body when wrong), JSON-RPC 1.0 style replies
``{"result", "error", "id"}``; errors use HTTP 500, except -32600 (400) and -32601 (404), as
fluxd's JSONErrorReply does. Methods and result shapes follow fluxd rpc/misc.cpp (address
index), rawtransaction.cpp, blockchain.cpp and mining.cpp.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.sim import fluxnode_views
from tests.sim import jsonviews as jv
from tests.sim.chain import Chain
from tests.sim.common import (
    RPC_INVALID_ADDRESS_OR_KEY,
    RPC_INVALID_PARAMETER,
    RPC_INVALID_REQUEST,
    RPC_METHOD_NOT_FOUND,
    RPC_MISC_ERROR,
    RPC_PARSE_ERROR,
    RPC_TYPE_ERROR,
    RpcError,
    address_on_chain,
    estimate_fee,
    parse_hash,
)
from tests.sim.faults import fault_middleware
from tests.sim.insight_base import CLIENT_VERSION, PROTOCOL_VERSION
from tests.sim.reject import SimReject
from wallet.address import decode_address, script_pubkey_for_address
from wallet.networks import COIN

CHAIN: web.AppKey[Chain] = web.AppKey("rpc-chain", Chain)
CREDENTIALS: web.AppKey[tuple[str, str]] = web.AppKey("rpc-credentials", tuple)

Method = Callable[[Chain, list[Any]], Any]


def _addresses(chain: Chain, params: list[Any]) -> list[str]:
    """fluxd getAddressesFromParams: "addr" or {"addresses": [...]}."""
    if not params:
        raise RpcError(RPC_MISC_ERROR, "help: expects an address or {\"addresses\": [...]}")
    first = params[0]
    if isinstance(first, str):
        found = [first]
    elif isinstance(first, dict):
        values = first.get("addresses")
        if not isinstance(values, list):
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Addresses is expected to be an array")
        if not all(isinstance(v, str) for v in values):
            raise RpcError(RPC_MISC_ERROR, "JSON value is not a string as expected")
        found = list(values)
    else:
        raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address")
    for address in found:
        if not address_on_chain(chain, address):
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address")
    return found


def getaddressutxos(chain: Chain, params: list[Any]) -> Any:
    addresses = _addresses(chain, params)
    utxos = [
        {"address": coin.address, "txid": txid, "outputIndex": n, "script": coin.script.hex(),
         "satoshis": coin.value, "height": coin.height}
        for (txid, n), coin in chain.address_utxos(addresses)
    ]
    if isinstance(params[0], dict) and params[0].get("chainInfo") is True:
        return {"utxos": utxos, "hash": chain.tip.hash, "height": chain.tip_height}
    return utxos


def getaddressbalance(chain: Chain, params: list[Any]) -> Any:
    balance, received = chain.balance(_addresses(chain, params))
    return {"balance": balance, "received": received}


def getaddresstxids(chain: Chain, params: list[Any]) -> Any:
    addresses = _addresses(chain, params)
    start = end = 0
    if isinstance(params[0], dict) and "start" in params[0] and "end" in params[0]:
        start, end = params[0]["start"], params[0]["end"]
        if not isinstance(start, int) or not isinstance(end, int):
            raise RpcError(RPC_MISC_ERROR, "JSON value is not an integer as expected")
        if start <= 0 or end <= 0:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                           "Start and end are expected to be greater than zero")
        if end < start:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                           "End value is expected to be greater than start")
    if start > chain.tip_height or end > chain.tip_height:
        raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Start or end is outside chain range")
    if not start:
        return chain.address_txids(addresses)
    pairs = {p for a in addresses for p in chain.index.txids.get(a, ()) if start <= p[0] <= end}
    return [txid for _, txid in sorted(pairs)]


def getaddressmempool(chain: Chain, params: list[Any]) -> Any:
    result = []
    for d in chain.mempool_deltas(_addresses(chain, params)):
        item: dict[str, Any] = {"address": d.address, "txid": d.txid, "index": d.index,
                                "satoshis": d.satoshis, "timestamp": d.timestamp}
        if d.prevout is not None:
            item.update({"prevtxid": d.prevout[0], "prevout": d.prevout[1]})
        result.append(item)
    return result


def getrawtransaction(chain: Chain, params: list[Any]) -> Any:
    if not 1 <= len(params) <= 2:
        raise RpcError(RPC_MISC_ERROR, "getrawtransaction \"txid\" ( verbose )")
    txid = parse_hash(params[0], "parameter 1")
    verbose = 0
    if len(params) > 1:
        if not isinstance(params[1], int) or isinstance(params[1], bool):
            raise RpcError(RPC_MISC_ERROR, "JSON value is not an integer as expected")
        verbose = params[1]
    entry = chain.txs.get(txid)
    if entry is None:
        raise RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                       "No information available about transaction")
    return jv.rpc_tx(chain, entry) if verbose else entry.raw.hex()


def sendrawtransaction(chain: Chain, params: list[Any]) -> Any:
    if not 1 <= len(params) <= 2:
        raise RpcError(RPC_MISC_ERROR, "sendrawtransaction \"hexstring\" ( allowhighfees )")
    if not isinstance(params[0], str):
        raise RpcError(RPC_TYPE_ERROR, f"Expected type string, got {_type_name(params[0])}")
    allow = False
    if len(params) > 1:
        if not isinstance(params[1], bool):
            raise RpcError(RPC_TYPE_ERROR, f"Expected type bool, got {_type_name(params[1])}")
        allow = params[1]
    try:
        return chain.submit(params[0], allow_high_fees=allow)
    except SimReject as exc:
        raise RpcError(exc.code, exc.message) from None


def _type_name(value: object) -> str:
    names = {bool: "bool", int: "number", float: "number", str: "string", list: "array",
             dict: "object", type(None): "null"}
    return names.get(type(value), "unknown")


def getblockcount(chain: Chain, params: list[Any]) -> Any:
    return chain.tip_height


def getbestblockhash(chain: Chain, params: list[Any]) -> Any:
    return chain.tip.hash


def getblockhash(chain: Chain, params: list[Any]) -> Any:
    if len(params) != 1 or not isinstance(params[0], int) or isinstance(params[0], bool):
        raise RpcError(RPC_MISC_ERROR, "getblockhash index")
    block = chain.get_block(params[0])
    if block is None:
        raise RpcError(RPC_INVALID_PARAMETER, "Block height out of range")
    return block.hash


def getblock(chain: Chain, params: list[Any]) -> Any:
    if not params or not isinstance(params[0], str):
        raise RpcError(RPC_MISC_ERROR, "getblock \"hash|height\" ( verbosity )")
    ref = params[0]
    if ref.isdigit() and len(ref) < 64:
        block = chain.get_block(int(ref))
        if block is None:
            raise RpcError(RPC_INVALID_PARAMETER, "Block height out of range")
    else:
        block = chain.get_block(ref.lower())
        if block is None:
            raise RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
    verbosity = params[1] if len(params) > 1 else 1
    verbosity = int(verbosity) if isinstance(verbosity, bool | int) else 1
    if verbosity == 0:
        return block.serialize().hex()
    height = block.height
    txs: list[Any] = block.txids
    if verbosity >= 2:
        txs = [jv.rpc_tx(chain, chain.txs[t], include_hex=False) for t in block.txids]
    result: dict[str, Any] = {
        "hash": block.hash, "confirmations": chain.confirmations(height), "size": block.size,
        "height": height, "version": 4, "merkleroot": block.merkle_root,
        "finalsaplingroot": "00" * 32, "tx": txs, "time": block.time, "nonce": block.nonce,
        "solution": "", "bits": f"{block.bits:08x}", "difficulty": 1,
        "chainwork": f"{height + 1:064x}",
    }
    if height > 0:
        result["previousblockhash"] = block.prev_hash
    if height < chain.tip_height:
        result["nextblockhash"] = chain.blocks[height + 1].hash
    return result


def getblockchaininfo(chain: Chain, params: list[Any]) -> Any:
    return {
        "chain": "regtest", "blocks": chain.tip_height, "headers": chain.tip_height,
        "bestblockhash": chain.tip.hash, "difficulty": 1, "verificationprogress": 1,
        "chainwork": f"{chain.tip_height + 1:064x}", "pruned": False,
        "consensus": {"chaintip": f"{chain.params.branch_id:08x}",
                      "nextblock": f"{chain.params.branch_id:08x}"},
    }


def getinfo(chain: Chain, params: list[Any]) -> Any:
    return {
        "version": CLIENT_VERSION, "protocolversion": PROTOCOL_VERSION, "blocks": chain.tip_height,
        "timeoffset": 0, "connections": 8, "proxy": "", "difficulty": 1, "testnet": False,
        "relayfee": jv.Amount(chain.params.min_relay_fee), "errors": "",
    }


def validateaddress(chain: Chain, params: list[Any]) -> Any:
    if len(params) != 1 or not isinstance(params[0], str):
        raise RpcError(RPC_MISC_ERROR, "validateaddress \"address\"")
    address = params[0]
    if not address_on_chain(chain, address):
        return {"isvalid": False}
    _network, kind, _digest = decode_address(address)
    script = script_pubkey_for_address(address, chain.network)
    return {"isvalid": True, "address": address, "scriptPubKey": script.hex(),
            "isscript": kind.value == "p2sh"}


def estimatefee(chain: Chain, params: list[Any]) -> Any:
    if len(params) != 1 or not isinstance(params[0], int) or isinstance(params[0], bool):
        raise RpcError(RPC_MISC_ERROR, "estimatefee nblocks")
    return jv.Amount(round(estimate_fee(chain, params[0]) * COIN))


METHODS: dict[str, Method] = {
    f.__name__: f for f in (
        getaddressutxos, getaddressbalance, getaddresstxids, getaddressmempool,
        getrawtransaction, sendrawtransaction, getblockcount, getbestblockhash, getblockhash,
        getblock, getblockchaininfo, getinfo, validateaddress, estimatefee,
    )
} | fluxnode_views.RPC_METHODS


def _authorized(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, _, password = decoded.partition(":")
    expected_user, expected_password = request.app[CREDENTIALS]
    return hmac.compare_digest(user, expected_user) and hmac.compare_digest(
        password, expected_password
    )


def _reply(result: Any, error: dict[str, Any] | None, id_: Any, status: int = 200) -> web.Response:
    body = jv.dumps({"result": None if error else result, "error": error, "id": id_}) + "\n"
    return web.Response(status=status, text=body, content_type="application/json")


def _execute(chain: Chain, request: Any) -> tuple[Any, dict[str, Any] | None, Any]:
    if not isinstance(request, dict):
        return None, {"code": RPC_INVALID_REQUEST, "message": "Invalid Request object"}, None
    id_ = request.get("id")
    method = request.get("method")
    if not isinstance(method, str):
        return None, {"code": RPC_INVALID_REQUEST, "message": "Method must be a string"}, id_
    params = request.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        return None, {"code": RPC_INVALID_REQUEST, "message": "Params must be an array"}, id_
    handler = METHODS.get(method)
    if handler is None:
        return None, {"code": RPC_METHOD_NOT_FOUND, "message": "Method not found"}, id_
    try:
        return handler(chain, params), None, id_
    except RpcError as exc:
        return None, {"code": exc.code, "message": exc.message}, id_


async def handle(request: web.Request) -> web.StreamResponse:
    if request.method != "POST":
        return web.Response(status=405, text="JSONRPC server handles only POST requests")
    if not _authorized(request):
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="jsonrpc"'})
    chain = request.app[CHAIN]
    error: dict[str, Any] | None
    try:
        payload = json.loads(await request.read())
    except ValueError:
        error = {"code": RPC_PARSE_ERROR, "message": "Parse error"}
        return _reply(None, error, None, 500)
    if isinstance(payload, list):
        replies = []
        for item in payload:
            result, error, id_ = _execute(chain, item)
            replies.append({"result": None if error else result, "error": error, "id": id_})
        return web.Response(text=jv.dumps(replies) + "\n", content_type="application/json")
    if not isinstance(payload, dict):
        error = {"code": RPC_PARSE_ERROR, "message": "Top-level object parse error"}
        return _reply(None, error, None, 500)
    result, error, id_ = _execute(chain, payload)
    if error is None:
        return _reply(result, None, id_)
    status = {RPC_INVALID_REQUEST: 400, RPC_METHOD_NOT_FOUND: 404}.get(error["code"], 500)
    return _reply(None, error, id_, status)


def make_app(chain: Chain, user: str, password: str) -> web.Application:
    app = web.Application(middlewares=[fault_middleware])
    app[CHAIN] = chain
    app[CREDENTIALS] = (user, password)
    app.router.add_route("*", "/", handle)
    return app


__all__ = ["METHODS", "make_app"]

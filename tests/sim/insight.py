"""Insight API over the simulated chain (RunOnFlux/insight-api lib/index.js routes, prefix /api).

Shapes follow insight-api (addresses.js, transactions.js, status.js, blocks.js, utils.js) on
top of bitcore-node's address queries; errors follow its common.js ``handleErrors``: HTTP 400
"<message>. Code:<code>" for node errors, 503 with the bare message for errors without a code,
404 "Not found".
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tests.sim import jsonviews as jv
from tests.sim.chain import Chain, TxEntry
from tests.sim.common import (
    RpcError,
    address_network,
    address_on_chain,
    estimate_fee,
    parse_hash,
)
from tests.sim.faults import fault_middleware
from tests.sim.validate import SimReject
from wallet.address import decode_address
from wallet.errors import InvalidAddress
from wallet.networks import COIN

CHAIN: web.AppKey[Chain] = web.AppKey("chain", Chain)
MAX_HISTORY = 50  # bitcore-node DEFAULT_MAX_HISTORY
MAX_TXIDS = 1000  # bitcore-node DEFAULT_MAX_TXIDS
PAGE_LENGTH = 10
BLOCK_LIMIT = 200
PROTOCOL_VERSION = 170021
CLIENT_VERSION = 9000650


class InsightError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def coded(message: str, code: int) -> InsightError:
    return InsightError(400, f"{message}. Code:{code}")


NOT_FOUND = InsightError(404, "Not found")


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except InsightError as exc:
        return web.Response(status=exc.status, text=exc.text)
    except RpcError as exc:
        return web.Response(status=400, text=f"{exc.message}. Code:{exc.code}")


def _chain(request: web.Request) -> Chain:
    return request.app[CHAIN]


async def _body(request: web.Request) -> dict[str, Any]:
    if request.method != "POST" or not request.body_exists:
        return {}
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError:
            raise InsightError(400, "SyntaxError: Unexpected token in JSON") from None
        return data if isinstance(data, dict) else {}
    return dict(await request.post())


def _check_addresses(chain: Chain, addresses: list[str]) -> list[str]:
    """insight AddressController.check: every address must decode (any Flux network)."""
    if not addresses or not addresses[0]:
        raise coded("Must include address", 1)
    for address in addresses:
        if address_network(address) is None:
            try:
                decode_address(address)
            except InvalidAddress as exc:
                raise coded(f"Invalid address: {exc}", 1) from None
    return addresses


async def _addresses(request: web.Request) -> list[str]:
    body = await _body(request)
    raw = body.get("addrs") if body.get("addrs") else request.match_info.get("addrs", "")
    return _check_addresses(_chain(request), str(raw).split(","))


def _on_chain(chain: Chain, addresses: list[str]) -> list[str]:
    """fluxd's address index answers -5 "Invalid address" for another network's address."""
    for address in addresses:
        if not address_on_chain(chain, address):
            raise coded("Invalid address", -5)
    return addresses


def _int(value: object) -> int:
    """JavaScript parseInt(x) || 0 for the simple inputs insight receives."""
    text = str(value or "").strip()
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


# ------------------------------------------------------------------------------------- status


def info(chain: Chain) -> dict[str, Any]:
    return {
        "version": CLIENT_VERSION, "protocolversion": PROTOCOL_VERSION, "blocks": chain.tip_height,
        "timeoffset": 0, "connections": 8, "proxy": "", "difficulty": 1, "testnet": True,
        "relayfee": chain.params.min_relay_fee / COIN, "errors": "", "network": "testnet",
    }


async def status(request: web.Request) -> web.Response:
    chain = _chain(request)
    query = request.query.get("q")
    if query == "getDifficulty":
        return web.json_response({"difficulty": 1})
    if query in ("getBestBlockHash",):
        return web.json_response({"bestblockhash": chain.tip.hash})
    if query == "getLastBlockHash":
        return web.json_response({"syncTipHash": chain.tip.hash, "lastblockhash": chain.tip.hash})
    return web.json_response({"info": info(chain)})


async def sync(request: web.Request) -> web.Response:
    height = _chain(request).tip_height
    return web.json_response({
        "status": "finished", "blockChainHeight": height, "syncPercentage": 100,
        "height": height, "error": None, "type": "bitcore node",
    })


# ----------------------------------------------------------------------------------- addresses


def _utxo_json(chain: Chain, txid: str, vout: int, coin_address: str, script: bytes,
               sats: int, height: int | None, ts: int | None) -> dict[str, Any]:
    """insight transformUtxo."""
    item: dict[str, Any] = {
        "address": coin_address, "txid": txid, "vout": vout, "scriptPubKey": script.hex(),
        "amount": jv.flux(sats), "satoshis": sats,
    }
    if height is not None and height > 0:
        item["height"] = height
        item["confirmations"] = chain.confirmations(height)
    else:
        item["confirmations"] = 0
    if ts is not None:
        item["ts"] = ts
    if item["confirmations"] < chain.params.coinbase_maturity:
        entry = chain.txs.get(txid)
        if entry is not None and entry.coinbase:
            item["coinbase"] = True  # undefined (absent) for other transactions
    return item


def utxo_list(chain: Chain, addresses: list[str], *, mempool: bool) -> list[dict[str, Any]]:
    """bitcore getAddressUnspentOutputs: mempool outputs first, then confirmed, newest first."""
    wanted = [a for a in addresses if address_on_chain(chain, a)]
    confirmed = chain.address_utxos(wanted)[::-1]
    result: list[dict[str, Any]] = []
    spent: set[tuple[str, int]] = set()
    if mempool:
        for delta in reversed(chain.mempool_deltas(wanted)):
            if delta.prevout is not None:
                spent.add(delta.prevout)
                continue
            script = chain.txs[delta.txid].tx.outputs[delta.index].script_pubkey
            result.append(_utxo_json(chain, delta.txid, delta.index, delta.address, script,
                                     delta.satoshis, None, delta.timestamp))
    for (txid, n), coin in confirmed:
        result.append(_utxo_json(chain, txid, n, coin.address or "", coin.script, coin.value,
                                 coin.height, None))
    return [u for u in result if (u["txid"], u["vout"]) not in spent]


async def addr_utxo(request: web.Request) -> web.Response:
    chain = _chain(request)
    address = _on_chain(chain, _check_addresses(chain, [request.match_info["addr"]]))[0]
    return web.json_response(utxo_list(chain, [address], mempool=True))


async def addrs_utxo(request: web.Request) -> web.Response:
    chain = _chain(request)
    addresses = await _addresses(request)
    return web.json_response(utxo_list(chain, addresses, mempool=True))


async def addrs_unspent(request: web.Request) -> web.Response:
    chain = _chain(request)
    addresses = await _addresses(request)
    return web.json_response(utxo_list(chain, addresses, mempool=False))


async def fluxnode_utxo(request: web.Request) -> web.Response:
    chain = _chain(request)
    addresses = await _addresses(request)
    amounts = {t.collateral for t in chain.network.tiers}
    items = utxo_list(chain, addresses, mempool=True)
    return web.json_response([u for u in items if u["satoshis"] in amounts])


def _mempool_txids(chain: Chain, addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(d.txid for d in chain.mempool_deltas(addresses)))


def all_txids(chain: Chain, addresses: list[str]) -> list[str]:
    """bitcore getAddressTxids: mempool (newest first) then confirmed (newest first)."""
    wanted = [a for a in addresses if address_on_chain(chain, a)]
    confirmed = chain.address_txids(wanted)[::-1]
    known = set(confirmed)
    mempool = [t for t in _mempool_txids(chain, wanted) if t not in known]
    return mempool[::-1] + confirmed


async def addr_summary(request: web.Request) -> web.Response:
    chain = _chain(request)
    address = _check_addresses(chain, [request.match_info["addr"]])[0]
    wanted = _on_chain(chain, [address])
    balance, received = chain.balance(wanted)
    deltas = chain.mempool_deltas(wanted)
    mempool_txids = _mempool_txids(chain, wanted)
    summary: dict[str, Any] = {
        "addrStr": address, "balance": jv.flux(balance), "balanceSat": balance,
        "totalReceived": jv.flux(received), "totalReceivedSat": received,
        "totalSent": jv.flux(received - balance), "totalSentSat": received - balance,
        "unconfirmedBalance": jv.flux(sum(d.satoshis for d in deltas)),
        "unconfirmedBalanceSat": sum(d.satoshis for d in deltas),
        "unconfirmedTxApperances": len(mempool_txids),
        "txApperances": len(chain.address_txids(wanted)),
    }
    if not _int(request.query.get("noTxList")):
        both = request.query.get("from") and request.query.get("to")
        start = _int(request.query.get("from")) if both else 0
        end = _int(request.query.get("to")) if both else MAX_TXIDS
        if end - start > MAX_TXIDS:
            raise InsightError(503, f'"from" ({start}) and "to" ({end}) range should be less '
                                    f"than or equal to {MAX_TXIDS}")
        summary["transactions"] = all_txids(chain, wanted)[start:end]
    field = request.match_info.get("field")
    if field:
        key = {"balance": "balanceSat", "totalReceived": "totalReceivedSat",
               "totalSent": "totalSentSat", "unconfirmedBalance": "unconfirmedBalanceSat"}[field]
        return web.json_response(summary[key])
    return web.json_response(summary)


async def addrs_balance(request: web.Request) -> web.Response:
    chain = _chain(request)
    addresses = _on_chain(chain, await _addresses(request))
    unconfirmed = sum(d.satoshis for d in chain.mempool_deltas(addresses))
    # fluxd getaddressbalance has no "immature" field, so insight's copy of it is absent.
    return web.json_response({"unconfirmedBalance": unconfirmed,
                              "balance": chain.balance(addresses)[0]})


def _tx_json(chain: Chain, entry: TxEntry, query: Any) -> dict[str, Any]:
    data = jv.insight_tx(chain, entry)
    if _int(query.get("noScriptSig")):
        for vin in data.get("vin", []):
            vin.pop("scriptSig", None)
    if _int(query.get("noAsm")):
        for vin in data.get("vin", []):
            vin.get("scriptSig", {}).pop("asm", None)
        for vout in data["vout"]:
            vout["scriptPubKey"].pop("asm", None)
    if _int(query.get("noSpent")):
        for vout in data["vout"]:
            for key in ("spentTxId", "spentIndex", "spentHeight"):
                vout.pop(key, None)
    return data


def history(chain: Chain, addresses: list[str], start: int, end: int) -> tuple[int, list[str]]:
    if end - start > MAX_HISTORY:
        raise InsightError(503, f'"from" ({start}) and "to" ({end}) range should be less than '
                                f"or equal to {MAX_HISTORY}")
    if start >= end:
        raise InsightError(503, f'Invalid state: "from" ({start}) is expected to be less than '
                                f'"to" ({end})')
    txids = all_txids(chain, addresses)
    return len(txids), txids[start:end]


async def addrs_txs(request: web.Request) -> web.Response:
    chain = _chain(request)
    addresses = _on_chain(chain, await _addresses(request))
    body = await _body(request)
    start = _int(request.query.get("from")) or _int(body.get("from"))
    end = _int(request.query.get("to")) or _int(body.get("to")) or start + 10
    total, txids = history(chain, addresses, start, end)
    items = [_tx_json(chain, chain.txs[t], request.query) for t in txids]
    return web.json_response(
        {"totalItems": total, "from": start, "to": min(end, total), "items": items}
    )


async def txs_list(request: web.Request) -> web.Response:
    chain = _chain(request)
    page = _int(request.query.get("pageNum"))
    if request.query.get("block"):
        block = chain.get_block(request.query["block"])
        if block is None:
            raise NOT_FOUND
        txids = block.txids[page * PAGE_LENGTH:(page + 1) * PAGE_LENGTH]
        pages = -(-len(block.txids) // PAGE_LENGTH)
    elif request.query.get("address"):
        addresses = _on_chain(chain, _check_addresses(chain, [request.query["address"]]))
        total, txids = history(chain, addresses, page * PAGE_LENGTH, (page + 1) * PAGE_LENGTH)
        pages = -(-total // PAGE_LENGTH)
    else:
        raise InsightError(503, "Block hash or address expected")
    txs = [jv.insight_tx(chain, chain.txs[t]) for t in txids]
    return web.json_response({"pagesTotal": pages, "txs": txs})


# -------------------------------------------------------------------------------- transactions


def _entry(request: web.Request) -> TxEntry:
    chain = _chain(request)
    txid = parse_hash(request.match_info["txid"], "parameter 1")
    entry = chain.txs.get(txid)
    if entry is None:
        raise NOT_FOUND
    return entry


async def tx(request: web.Request) -> web.Response:
    return web.json_response(jv.insight_tx(_chain(request), _entry(request)))


async def rawtx(request: web.Request) -> web.Response:
    return web.json_response({"rawtx": _entry(request).raw.hex()})


async def tx_send(request: web.Request) -> web.Response:
    chain = _chain(request)
    body = await _body(request)
    raw = body.get("rawtx")
    if not isinstance(raw, str):
        raise coded(f"Expected type string, got {'null' if raw is None else type(raw).__name__}", -3)
    allow = body.get("allowAbsurdFees") in (True, "true")
    try:
        txid = chain.submit(raw, allow_high_fees=allow)
    except SimReject as exc:
        raise coded(exc.message, exc.code) from None
    return web.json_response({"txid": txid})


async def estimatefee(request: web.Request) -> web.Response:
    chain = _chain(request)
    counts = (request.query.get("nbBlocks") or "2").split(",")
    return web.json_response({str(_int(n)): estimate_fee(chain, _int(n)) for n in counts})


# -------------------------------------------------------------------------------------- blocks


def _block_json(chain: Chain, height: int) -> dict[str, Any]:
    block = chain.blocks[height]
    coinbase = chain.txs[block.txids[0]]
    reward = sum(o.value for o in coinbase.tx.outputs) - sum(
        chain.txs[t].fee for t in block.txids[1:]
    )
    next_hash = chain.blocks[height + 1].hash if height < chain.tip_height else None
    return {
        "hash": block.hash, "size": block.size, "height": height, "version": 4,
        "merkleroot": block.merkle_root, "tx": block.txids, "time": block.time,
        "nonce": block.nonce, "bits": f"{block.bits:x}", "difficulty": 1,
        "chainwork": f"{height + 1:064x}", "confirmations": chain.confirmations(height),
        "previousblockhash": block.prev_hash if height > 0 else None,
        "nextblockhash": next_hash, "reward": jv.flux(reward), "isMainChain": True,
        "minedBy": chain.address_of(coinbase.tx.outputs[0].script_pubkey),
        "solution": "", "poolInfo": {},
    }


async def block(request: web.Request) -> web.Response:
    chain = _chain(request)
    ref = request.match_info["hash"]
    found = chain.get_block(ref.lower()) if len(ref) >= 64 else None
    if found is None:
        raise NOT_FOUND
    return web.json_response(_block_json(chain, found.height))


async def block_index(request: web.Request) -> web.Response:
    chain = _chain(request)
    found = chain.get_block(_int(request.match_info["height"]))
    if found is None:
        raise coded("Block height out of range", -8)
    return web.json_response({"blockHash": found.hash})


async def rawblock(request: web.Request) -> web.Response:
    found = _chain(request).get_block(request.match_info["hash"].lower())
    if found is None:
        raise NOT_FOUND
    return web.json_response({"rawblock": found.serialize().hex()})


async def blocks(request: web.Request) -> web.Response:
    chain = _chain(request)
    limit = _int(request.query.get("limit")) or BLOCK_LIMIT
    day = request.query.get("blockDate") or time.strftime("%Y-%m-%d", time.gmtime())
    try:
        start = int(time.mktime(time.strptime(day, "%Y-%m-%d"))) - time.timezone
    except ValueError:
        raise InsightError(503, "Please use yyyy-mm-dd format") from None
    end = _int(request.query.get("startTimestamp")) or start + 86400
    chosen = [b for b in reversed(chain.blocks) if start <= b.time < end]
    more = len(chosen) > limit
    rows: list[dict[str, Any]] = [
        {"height": b.height, "size": b.size, "hash": b.hash, "time": b.time,
         "txlength": len(b.txids), "poolInfo": {}, "isMainChain": True,
         "minedBy": chain.address_of(chain.txs[b.txids[0]].tx.outputs[0].script_pubkey)}
        for b in chosen[:limit]
    ]
    pagination: dict[str, Any] = {
        "next": time.strftime("%Y-%m-%d", time.gmtime(end)),
        "prev": time.strftime("%Y-%m-%d", time.gmtime(start - 86400)),
        "currentTs": end - 1, "current": day,
        "isToday": day == time.strftime("%Y-%m-%d", time.gmtime()), "more": more,
    }
    if more and rows:
        pagination["moreTs"] = rows[-1]["time"]
    return web.json_response({"blocks": rows, "length": len(rows), "pagination": pagination})


def make_app(chain: Chain, prefix: str = "/api") -> web.Application:
    app = web.Application(middlewares=[fault_middleware, _errors])
    app[CHAIN] = chain
    routes = [
        web.get("/status", status), web.get("/sync", sync),
        web.get("/addr/{addr}", addr_summary), web.get("/addr/{addr}/utxo", addr_utxo),
        web.get(r"/addr/{addr}/{field:balance|totalReceived|totalSent|unconfirmedBalance}",
                addr_summary),
        web.get("/addrs/{addrs}/utxo", addrs_utxo), web.post("/addrs/utxo", addrs_utxo),
        web.get("/addrs/{addrs}/unspent", addrs_unspent),
        web.get("/addrs/{addrs}/balance", addrs_balance),
        web.get("/addrs/{addrs}/txs", addrs_txs), web.post("/addrs/txs", addrs_txs),
        web.get("/fluxnode/addrs/{addrs}/utxo", fluxnode_utxo),
        web.get("/txs", txs_list), web.get("/tx/{txid}", tx), web.get("/rawtx/{txid}", rawtx),
        web.post("/tx/send", tx_send), web.get("/utils/estimatefee", estimatefee),
        web.get("/blocks", blocks), web.get("/block/{hash}", block),
        web.get("/block-index/{height}", block_index), web.get("/rawblock/{hash}", rawblock),
    ]
    app.add_routes([web.RouteDef(r.method, prefix + r.path, r.handler, r.kwargs) for r in routes])
    return app

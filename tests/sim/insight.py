"""Insight API over the simulated chain (RunOnFlux/insight-api lib/index.js routes, prefix /api).

Shapes follow insight-api (addresses.js, transactions.js, status.js, blocks.js, utils.js) on
top of bitcore-node's address queries; errors follow its common.js ``handleErrors``: HTTP 400
"<message>. Code:<code>" for node errors, 503 with the bare message for errors without a code,
404 "Not found".
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.sim import fluxnode_views
from tests.sim import insight_chain as ic
from tests.sim import jsonviews as jv
from tests.sim.chain import Chain, TxEntry
from tests.sim.common import address_on_chain, parse_hash
from tests.sim.faults import fault_middleware
from tests.sim.insight_base import (
    CHAIN,
    MAX_HISTORY,
    MAX_TXIDS,
    NOT_FOUND,
    PAGE_LENGTH,
    InsightError,
    addresses_of,
    body_of,
    chain_of,
    check_addresses,
    coded,
    insight_errors,
    js_int,
    on_chain,
)
from tests.sim.reject import SimReject


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
    chain = chain_of(request)
    address = on_chain(chain, check_addresses(chain, [request.match_info["addr"]]))[0]
    return web.json_response(utxo_list(chain, [address], mempool=True))


async def addrs_utxo(request: web.Request) -> web.Response:
    chain = chain_of(request)
    addresses = await addresses_of(request)
    return web.json_response(utxo_list(chain, addresses, mempool=True))


async def addrs_unspent(request: web.Request) -> web.Response:
    chain = chain_of(request)
    addresses = await addresses_of(request)
    return web.json_response(utxo_list(chain, addresses, mempool=False))


async def fluxnode_utxo(request: web.Request) -> web.Response:
    chain = chain_of(request)
    addresses = await addresses_of(request)
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
    chain = chain_of(request)
    address = check_addresses(chain, [request.match_info["addr"]])[0]
    wanted = on_chain(chain, [address])
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
    if not js_int(request.query.get("noTxList")):
        both = request.query.get("from") and request.query.get("to")
        start = js_int(request.query.get("from")) if both else 0
        end = js_int(request.query.get("to")) if both else MAX_TXIDS
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
    chain = chain_of(request)
    addresses = on_chain(chain, await addresses_of(request))
    unconfirmed = sum(d.satoshis for d in chain.mempool_deltas(addresses))
    # fluxd getaddressbalance has no "immature" field, so insight's copy of it is absent.
    return web.json_response({"unconfirmedBalance": unconfirmed,
                              "balance": chain.balance(addresses)[0]})


def _tx_json(chain: Chain, entry: TxEntry, query: Any) -> dict[str, Any]:
    data = jv.insight_tx(chain, entry)
    if js_int(query.get("noScriptSig")):
        for vin in data.get("vin", []):
            vin.pop("scriptSig", None)
    if js_int(query.get("noAsm")):
        for vin in data.get("vin", []):
            vin.get("scriptSig", {}).pop("asm", None)
        for vout in data["vout"]:
            vout["scriptPubKey"].pop("asm", None)
    if js_int(query.get("noSpent")):
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
    chain = chain_of(request)
    addresses = on_chain(chain, await addresses_of(request))
    body = await body_of(request)
    start = js_int(request.query.get("from")) or js_int(body.get("from"))
    end = js_int(request.query.get("to")) or js_int(body.get("to")) or start + 10
    total, txids = history(chain, addresses, start, end)
    items = [_tx_json(chain, chain.txs[t], request.query) for t in txids]
    return web.json_response(
        {"totalItems": total, "from": start, "to": min(end, total), "items": items}
    )


async def txs_list(request: web.Request) -> web.Response:
    chain = chain_of(request)
    page = js_int(request.query.get("pageNum"))
    if request.query.get("block"):
        block = chain.get_block(request.query["block"])
        if block is None:
            raise NOT_FOUND
        txids = block.txids[page * PAGE_LENGTH:(page + 1) * PAGE_LENGTH]
        pages = -(-len(block.txids) // PAGE_LENGTH)
    elif request.query.get("address"):
        addresses = on_chain(chain, check_addresses(chain, [request.query["address"]]))
        total, txids = history(chain, addresses, page * PAGE_LENGTH, (page + 1) * PAGE_LENGTH)
        pages = -(-total // PAGE_LENGTH)
    else:
        raise InsightError(503, "Block hash or address expected")
    txs = [jv.insight_tx(chain, chain.txs[t]) for t in txids]
    return web.json_response({"pagesTotal": pages, "txs": txs})


# -------------------------------------------------------------------------------- transactions


def _entry(request: web.Request) -> TxEntry:
    chain = chain_of(request)
    txid = parse_hash(request.match_info["txid"], "parameter 1")
    entry = chain.txs.get(txid)
    if entry is None:
        raise NOT_FOUND
    return entry


async def tx(request: web.Request) -> web.Response:
    return web.json_response(jv.insight_tx(chain_of(request), _entry(request)))


async def rawtx(request: web.Request) -> web.Response:
    return web.json_response({"rawtx": _entry(request).raw.hex()})


async def tx_send(request: web.Request) -> web.Response:
    chain = chain_of(request)
    body = await body_of(request)
    raw = body.get("rawtx")
    if not isinstance(raw, str):
        raise coded(f"Expected type string, got {'null' if raw is None else type(raw).__name__}", -3)
    allow = body.get("allowAbsurdFees") in (True, "true")
    try:
        txid = chain.submit(raw, allow_high_fees=allow)
    except SimReject as exc:
        raise coded(exc.message, exc.code) from None
    return web.json_response({"txid": txid})



def make_app(chain: Chain, prefix: str = "/api") -> web.Application:
    app = web.Application(middlewares=[fault_middleware, insight_errors])
    app[CHAIN] = chain
    routes = [
        web.get("/status", ic.status), web.get("/sync", ic.sync),
        web.get("/addr/{addr}", addr_summary), web.get("/addr/{addr}/utxo", addr_utxo),
        web.get(r"/addr/{addr}/{field:balance|totalReceived|totalSent|unconfirmedBalance}",
                addr_summary),
        web.get("/addrs/{addrs}/utxo", addrs_utxo), web.post("/addrs/utxo", addrs_utxo),
        web.get("/addrs/{addrs}/unspent", addrs_unspent),
        web.get("/addrs/{addrs}/balance", addrs_balance),
        web.get("/addrs/{addrs}/txs", addrs_txs), web.post("/addrs/txs", addrs_txs),
        web.get("/fluxnode/addrs/{addrs}/utxo", fluxnode_utxo),
        web.get("/txs", txs_list), web.get("/tx/{txid}", tx), web.get("/rawtx/{txid}", rawtx),
        web.post("/tx/send", tx_send), web.get("/utils/estimatefee", ic.estimatefee),
        web.get("/blocks", ic.blocks), web.get("/block/{hash}", ic.block),
        web.get("/block-index/{height}", ic.block_index), web.get("/rawblock/{hash}", ic.rawblock),
        *fluxnode_views.insight_routes(),
    ]
    app.add_routes([web.RouteDef(r.method, prefix + r.path, r.handler, r.kwargs) for r in routes])
    return app

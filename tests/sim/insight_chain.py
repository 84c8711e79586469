"""Insight status, fee estimate and block routes of the simulator (insight-api status.js,
utils.js, blocks.js)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from flux.money import COIN
from tests.sim import jsonviews as jv
from tests.sim.chain import Chain
from tests.sim.common import estimate_fee
from tests.sim.insight_base import (
    BLOCK_LIMIT,
    CLIENT_VERSION,
    NOT_FOUND,
    PROTOCOL_VERSION,
    InsightError,
    chain_of,
    coded,
    js_int,
)


def info(chain: Chain) -> dict[str, Any]:
    return {
        "version": CLIENT_VERSION, "protocolversion": PROTOCOL_VERSION, "blocks": chain.tip_height,
        "timeoffset": 0, "connections": 8, "proxy": "", "difficulty": 1, "testnet": True,
        "relayfee": chain.params.min_relay_fee / COIN, "errors": "", "network": "testnet",
    }


async def status(request: web.Request) -> web.Response:
    chain = chain_of(request)
    query = request.query.get("q")
    if query == "getDifficulty":
        return web.json_response({"difficulty": 1})
    if query in ("getBestBlockHash",):
        return web.json_response({"bestblockhash": chain.tip.hash})
    if query == "getLastBlockHash":
        return web.json_response({"syncTipHash": chain.tip.hash, "lastblockhash": chain.tip.hash})
    return web.json_response({"info": info(chain)})


async def sync(request: web.Request) -> web.Response:
    height = chain_of(request).tip_height
    return web.json_response({
        "status": "finished", "blockChainHeight": height, "syncPercentage": 100,
        "height": height, "error": None, "type": "bitcore node",
    })


# ----------------------------------------------------------------------------------- addresses



async def estimatefee(request: web.Request) -> web.Response:
    chain = chain_of(request)
    counts = (request.query.get("nbBlocks") or "2").split(",")
    return web.json_response({str(js_int(n)): estimate_fee(chain, js_int(n)) for n in counts})


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
    chain = chain_of(request)
    ref = request.match_info["hash"]
    found = chain.get_block(ref.lower()) if len(ref) >= 64 else None
    if found is None:
        raise NOT_FOUND
    return web.json_response(_block_json(chain, found.height))


async def block_index(request: web.Request) -> web.Response:
    chain = chain_of(request)
    found = chain.get_block(js_int(request.match_info["height"]))
    if found is None:
        raise coded("Block height out of range", -8)
    return web.json_response({"blockHash": found.hash})


async def rawblock(request: web.Request) -> web.Response:
    found = chain_of(request).get_block(request.match_info["hash"].lower())
    if found is None:
        raise NOT_FOUND
    return web.json_response({"rawblock": found.serialize().hex()})


async def blocks(request: web.Request) -> web.Response:
    chain = chain_of(request)
    limit = js_int(request.query.get("limit")) or BLOCK_LIMIT
    day = request.query.get("blockDate") or time.strftime("%Y-%m-%d", time.gmtime())
    try:
        start = int(time.mktime(time.strptime(day, "%Y-%m-%d"))) - time.timezone
    except ValueError:
        raise InsightError(503, "Please use yyyy-mm-dd format") from None
    end = js_int(request.query.get("startTimestamp")) or start + 86400
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



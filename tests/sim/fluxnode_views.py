"""The fluxnode lists as fluxd RPC (src/rpc/fluxnode.cpp), Insight (insight-api lib/fluxnode.js)
and FluxOS (``{status, data}``) serve them. A chain without a FluxnodeModel has empty lists."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from tests.sim.chain import Chain
from tests.sim.common import RPC_TYPE_ERROR, RpcError
from tests.sim.fluxnodes import DOS_BLOCKS, START_WINDOW, Node
from tests.sim.insight_base import body_of, chain_of
from wallet.networks import COIN, Tier

_TXID_IDX = re.compile(r"^([0-9a-fA-F]{64})-(\d+)$")


def money(sats: int) -> str:
    """fluxd FormatMoney: at least two decimals, trailing zeros trimmed."""
    text = f"{sats // COIN}.{sats % COIN:08d}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _outpoint(node: Node) -> str:
    return f"COutPoint({node.key[0]}, {node.key[1]})"


def _time_at(chain: Chain, height: int) -> int:
    return chain.blocks[height].time if 0 <= height < len(chain.blocks) else 0


def node_json(chain: Chain, node: Node, rank: int) -> dict[str, Any]:
    """GetDeterministicListData: one confirmed node."""
    genesis = _time_at(chain, 0)
    return {
        "collateral": _outpoint(node), "txhash": node.key[0], "outidx": str(node.key[1]),
        "ip": node.ip, "network": "ipv4", "added_height": node.added_height,
        "confirmed_height": node.confirmed_height,
        "last_confirmed_height": node.last_confirmed, "last_paid_height": node.last_paid,
        "tier": node.tier.name, "payment_address": node.payment_address,
        "pubkey": node.identity.hex(),
        "activesince": str(_time_at(chain, node.confirmed_height)),
        "lastpaid": str(_time_at(chain, node.last_paid) if node.last_paid else genesis),
        "amount": money(node.amount), "rank": rank,
    }


def confirmed_list(chain: Chain) -> list[dict[str, Any]]:
    model = chain.fluxnodes
    if model is None:
        return []
    return [node_json(chain, node, rank)
            for tier in Tier for rank, node in enumerate(model.ordered(tier))]


def start_list(chain: Chain) -> list[dict[str, Any]]:
    model = chain.fluxnodes
    nodes = [] if model is None else model.started.values()
    return [{"collateral": _outpoint(n), "added_height": n.added_height,
             "payment_address": n.payment_address,
             "expires_in": START_WINDOW - (chain.tip_height - n.added_height),
             "amount": money(n.amount)} for n in nodes]


def dos_list(chain: Chain) -> list[dict[str, Any]]:
    model = chain.fluxnodes
    nodes = [] if model is None else model.dos.values()
    return [{"collateral": _outpoint(n), "added_height": n.added_height,
             "payment_address": n.payment_address,
             "eligible_in": DOS_BLOCKS - (chain.tip_height - n.added_height),
             "amount": money(n.amount)} for n in nodes]


def node_count(chain: Chain) -> dict[str, int]:
    model = chain.fluxnodes
    if model is not None:
        return model.count()
    names = ("total", "stable", "basic-enabled", "super-enabled", "bamf-enabled",
             "cumulus-enabled", "nimbus-enabled", "stratus-enabled", "ipv4", "ipv6", "onion")
    return dict.fromkeys(names, 0)


def fluxd_filter(entries: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """fluxd's filter: a substring of txhash, pubkey, ip or payment address."""
    if not text:
        return entries
    fields = ("txhash", "pubkey", "ip", "payment_address")
    return [e for e in entries if any(text in str(e[f]) for f in fields)]


def insight_filter(entries: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """insight-api listFluxNodesFilter: "txid-idx" parts match exactly, else substrings."""
    if not text:
        return entries
    chosen: list[dict[str, Any]] = []
    for part in text.split(","):
        match = _TXID_IDX.match(part)
        if match:
            found = [e for e in entries
                     if e["txhash"] == match.group(1) and e["outidx"] == match.group(2)]
        elif len(part.split(".")) > 3:
            found = [e for e in entries if e["ip"] == part][:1]
        else:
            found = [e for e in entries if part in str(e)]
        chosen += [e for e in found if e not in chosen]
    return chosen


# ------------------------------------------------------------------------------------ RPC


def _filter_param(params: list[Any]) -> str:
    if not params:
        return ""
    if not isinstance(params[0], str):
        raise RpcError(RPC_TYPE_ERROR, "Expected type string")
    return params[0]


def viewdeterministicfluxnodelist(chain: Chain, params: list[Any]) -> Any:
    return fluxd_filter(confirmed_list(chain), _filter_param(params))


def getstartlist(chain: Chain, params: list[Any]) -> Any:
    return start_list(chain)


def getdoslist(chain: Chain, params: list[Any]) -> Any:
    return dos_list(chain)


def getfluxnodecount(chain: Chain, params: list[Any]) -> Any:
    return node_count(chain)


RPC_METHODS = {
    "viewdeterministicfluxnodelist": viewdeterministicfluxnodelist,
    "listfluxnodes": viewdeterministicfluxnodelist,
    "getstartlist": getstartlist,
    "getdoslist": getdoslist,
    "getfluxnodecount": getfluxnodecount,
}

# --------------------------------------------------------------------------------- Insight


def _rpc_reply(result: Any) -> web.Response:
    return web.json_response({"result": result, "error": None, "id": None})


async def insight_list(request: web.Request) -> web.Response:
    chain = chain_of(request)
    body = await body_of(request)
    text = body.get("filter") or request.match_info.get("filter") or request.query.get("filter")
    return _rpc_reply(insight_filter(confirmed_list(chain), str(text or "")))


async def insight_start_list(request: web.Request) -> web.Response:
    return _rpc_reply(start_list(chain_of(request)))


async def insight_dos_list(request: web.Request) -> web.Response:
    return _rpc_reply(dos_list(chain_of(request)))


def insight_routes() -> list[web.RouteDef]:
    return [
        web.post("/fluxnode/listfluxnodes", insight_list),
        web.get("/fluxnode/listfluxnodes", insight_list),
        web.get("/fluxnode/listfluxnodes/{filter}", insight_list),
        web.get("/fluxnode/startlist", insight_start_list),
        web.get("/fluxnode/doslist", insight_dos_list),
    ]

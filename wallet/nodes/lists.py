"""Parse the network's node lists: confirmed list, start list and DOS list.

Sources answer in three envelopes: Insight ``{"result": [...], "error", "id"}``, FluxOS
``{"status": "success", "data": [...]}`` and fluxd RPC (the bare result). Entries follow fluxd
src/rpc/fluxnode.cpp: ``collateral`` is ``"COutPoint(<txid>, <n>)"``, ``outidx`` a string.
fluxd filters by substring, so a list asked for "txid-idx" may carry other nodes: callers match
the txid and then the index (``find_node``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flux.tiers import Tier
from wallet.nodes.errors import NodeListError

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_COUTPOINT = re.compile(r"^\s*COutPoint\(\s*([0-9a-fA-F]{64})\s*,\s*(\d{1,10})\s*\)\s*$")
MAX_FILTER_OUTPOINTS = 50

Outpoint = tuple[str, int]


def parse_coutpoint(text: object) -> Outpoint:
    """"COutPoint(<txid>, <n>)" -> (lower-case txid, n)."""
    match = _COUTPOINT.match(text) if isinstance(text, str) else None
    if match is None:
        raise NodeListError(
            f"A node list entry names its collateral as {str(text)[:90]!r}, not "
            "COutPoint(<txid>, <n>). The server's answer is unusable; try another server."
        )
    return match.group(1).lower(), int(match.group(2))


def list_filter(outpoints: list[Outpoint]) -> str:
    """The ``filter`` of POST /api/fluxnode/listfluxnodes: "txid-idx,txid-idx"."""
    if not outpoints or len(outpoints) > MAX_FILTER_OUTPOINTS:
        raise NodeListError(
            f"Ask for 1 to {MAX_FILTER_OUTPOINTS} collaterals at a time, not {len(outpoints)}."
        )
    parts = []
    for txid, index in outpoints:
        if not isinstance(txid, str) or not _HEX64.match(txid) or not 0 <= index <= 0xFFFFFFFF:
            raise NodeListError(f"{txid!r}:{index!r} is not a collateral outpoint.")
        parts.append(f"{txid.lower()}-{index}")
    return ",".join(parts)


def unwrap(body: Any, what: str) -> list[dict[str, Any]]:
    """The entry list out of any of the three envelopes (errors become NodeListError)."""
    if isinstance(body, dict):
        if "status" in body:
            if body.get("status") != "success":
                data = body.get("data")
                message = data.get("message") if isinstance(data, dict) else data
                raise NodeListError(
                    f"The FluxOS API refused the {what} ({str(message)[:120]}); try another node."
                )
            body = body.get("data")
        elif "result" in body:
            if body.get("error"):
                raise NodeListError(
                    f"The server refused the {what} ({str(body['error'])[:120]}); try another "
                    "server."
                )
            body = body.get("result")
    if not isinstance(body, list) or not all(isinstance(e, dict) for e in body):
        raise NodeListError(
            f"The {what} from the server is not a list of nodes; try another server."
        )
    return body


def _int(entry: dict[str, Any], key: str, what: str, default: int | None = None) -> int:
    value = entry.get(key, default)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise NodeListError(f"A {what} entry has no usable {key!r}; try another server.")
    return value


@dataclass(frozen=True)
class ListedNode:
    """One entry of viewdeterministicfluxnodelist / listfluxnodes (a confirmed node)."""

    txid: str
    index: int
    tier: str
    ip: str
    added_height: int
    confirmed_height: int
    last_confirmed_height: int
    last_paid_height: int  # 0 = never paid (lastpaid then holds the genesis time)
    payment_address: str
    pubkey: str
    rank: int | None

    @property
    def outpoint(self) -> Outpoint:
        return self.txid, self.index


@dataclass(frozen=True)
class PendingNode:
    """One entry of getstartlist (``blocks_left`` = expires_in) or getdoslist (eligible_in)."""

    txid: str
    index: int
    added_height: int
    payment_address: str
    blocks_left: int | None

    @property
    def outpoint(self) -> Outpoint:
        return self.txid, self.index


@dataclass(frozen=True)
class NodeLists:
    """The network's view of some collaterals: confirmed entries, start list and DOS list."""

    confirmed: list[ListedNode] = field(default_factory=list)
    started: list[PendingNode] = field(default_factory=list)
    dos: list[PendingNode] = field(default_factory=list)


def parse_confirmed(body: Any) -> list[ListedNode]:
    nodes = []
    for entry in unwrap(body, "node list"):
        txid = entry.get("txhash")
        if not isinstance(txid, str) or not _HEX64.match(txid):
            txid, index = parse_coutpoint(entry.get("collateral"))
        else:
            index = _int(entry, "outidx", "node list")
        rank = entry.get("rank")
        nodes.append(ListedNode(
            txid=txid.lower(), index=index, tier=str(entry.get("tier", "")).upper(),
            ip=str(entry.get("ip", "")),
            added_height=_int(entry, "added_height", "node list"),
            confirmed_height=_int(entry, "confirmed_height", "node list"),
            last_confirmed_height=_int(entry, "last_confirmed_height", "node list"),
            last_paid_height=_int(entry, "last_paid_height", "node list", 0),
            payment_address=str(entry.get("payment_address", "")),
            pubkey=str(entry.get("pubkey", "")),
            rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
        ))
    return nodes


def _parse_pending(body: Any, what: str, left_key: str) -> list[PendingNode]:
    nodes = []
    for entry in unwrap(body, what):
        txid, index = parse_coutpoint(entry.get("collateral"))
        left = entry.get(left_key)
        nodes.append(PendingNode(
            txid=txid, index=index, added_height=_int(entry, "added_height", what),
            payment_address=str(entry.get("payment_address", "")),
            blocks_left=left if isinstance(left, int) and not isinstance(left, bool) else None,
        ))
    return nodes


def parse_start_list(body: Any) -> list[PendingNode]:
    return _parse_pending(body, "start list", "expires_in")


def parse_dos_list(body: Any) -> list[PendingNode]:
    return _parse_pending(body, "DOS list", "eligible_in")


_Node = TypeVar("_Node", ListedNode, PendingNode)


def find_node(nodes: list[_Node], outpoint: Outpoint) -> _Node | None:
    """The entry for exactly this collateral: txid first, then the output index."""
    txid, index = outpoint[0].lower(), outpoint[1]
    return next((n for n in nodes if n.txid == txid and n.index == index), None)


def parse_node_count(body: Any) -> dict[Tier, int]:
    """Enabled nodes per tier from getfluxnodecount (RPC result or FluxOS envelope)."""
    if isinstance(body, dict) and "status" in body:
        if body.get("status") != "success":
            raise NodeListError("The FluxOS API refused the node count; try another node.")
        body = body.get("data")
    elif isinstance(body, dict) and "result" in body and "error" in body:
        body = body.get("result")
    if not isinstance(body, dict):
        raise NodeListError("The node count from the server is not usable; try another server.")
    return {tier: _int(body, f"{tier.name.lower()}-enabled", "node count") for tier in Tier}

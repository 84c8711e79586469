"""The network's node lists, node count and latest block from an Insight API (and FluxOS).

Only this wallet's collaterals are asked for, all in one ``{"filter": "txid-idx,…"}``, never the
unfiltered list (~7 MiB); the start and DOS lists are small. The node count per tier comes from
a FluxOS API's ``/daemon/getfluxnodecount`` when one is given (Insight has no such route).
Replies are parsed by wallet.nodes.lists; failures are typed wallet errors with the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

from flux.tiers import Tier
from wallet.errors import BackendUnavailable
from wallet.nodes.errors import NodeListError
from wallet.nodes.lists import (
    MAX_FILTER_OUTPOINTS,
    ListedNode,
    NodeLists,
    Outpoint,
    list_filter,
    parse_confirmed,
    parse_dos_list,
    parse_node_count,
    parse_start_list,
)


@dataclass(frozen=True)
class ChainTip:
    height: int
    time: int  # the block's time (unix seconds)


class NodeListsClient:
    def __init__(self, base_url: str, *, fluxos_url: str | None = None,
                 timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")  # including the /api prefix
        self.fluxos_url = fluxos_url.rstrip("/") if fluxos_url else None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _call(self, url: str, body: dict[str, Any] | None = None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            call = (self._session.post(url, json=body) if body is not None
                    else self._session.get(url))
            async with call as reply:
                if reply.status != 200:
                    raise BackendUnavailable(
                        f"The server answered HTTP {reply.status} for {url}. Check the wallet's "
                        "server in the settings, then retry.")
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise BackendUnavailable(
                f"The server did not answer ({type(exc).__name__}). Check the network "
                "connection and the wallet's server, then retry.") from None
        except ValueError:
            raise NodeListError(
                f"The server's answer for {url} is not JSON; try another server.") from None

    async def tip(self) -> ChainTip:
        status = await self._call(self.base_url + "/status?q=getInfo")
        info = status.get("info") if isinstance(status, dict) else None
        height = info.get("blocks") if isinstance(info, dict) else None
        if not isinstance(height, int) or isinstance(height, bool):
            raise NodeListError("The explorer's status has no block height; try another server.")
        index = await self._call(f"{self.base_url}/block-index/{height}")
        block_hash = index.get("blockHash") if isinstance(index, dict) else None
        if not isinstance(block_hash, str):
            raise NodeListError("The explorer did not name the latest block; try another server.")
        block = await self._call(f"{self.base_url}/block/{block_hash}")
        when = block.get("time") if isinstance(block, dict) else None
        if not isinstance(when, int) or isinstance(when, bool):
            raise NodeListError("The explorer's block has no time; try another server.")
        return ChainTip(height, when)

    async def lists(self, outpoints: list[Outpoint]) -> NodeLists:
        """The lists for these collaterals (one filtered request per 50 of them)."""
        confirmed: list[ListedNode] = []
        for start in range(0, len(outpoints), MAX_FILTER_OUTPOINTS):
            chunk = outpoints[start:start + MAX_FILTER_OUTPOINTS]
            confirmed += parse_confirmed(await self._call(
                self.base_url + "/fluxnode/listfluxnodes", {"filter": list_filter(chunk)}))
        if not outpoints:
            return NodeLists()
        started = parse_start_list(await self._call(self.base_url + "/fluxnode/startlist"))
        dos = parse_dos_list(await self._call(self.base_url + "/fluxnode/doslist"))
        return NodeLists(confirmed, started, dos)

    async def node_count(self) -> dict[Tier, int]:
        """Enabled nodes per tier (FluxOS ``/daemon/getfluxnodecount``)."""
        if self.fluxos_url is None:
            raise NodeListError(
                "No FluxOS API is set, so the number of nodes per tier is unknown. Give one "
                "(e.g. --fluxos http://node-ip:16187) to see the reward estimate.")
        return parse_node_count(await self._call(self.fluxos_url + "/daemon/getfluxnodecount"))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

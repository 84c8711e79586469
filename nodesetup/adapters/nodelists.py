"""The network's node lists and the latest block's time from an Insight API.

Only this wallet's collateral is asked for (``{"filter": "txid-idx"}``), never the unfiltered
list (~7 MiB); the start and DOS lists are small. Replies are parsed by wallet.nodes.lists.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from nodesetup.ports import ChainTip, Outpoint, SetupError
from wallet.nodes.lists import (
    ListedNode,
    PendingNode,
    list_filter,
    parse_confirmed,
    parse_dos_list,
    parse_start_list,
)


class InsightNodeLists:
    def __init__(self, base_url: str, *, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")  # including the /api prefix
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = self.base_url + path
        try:
            call = (self._session.post(url, json=body) if body is not None
                    else self._session.get(url))
            async with call as reply:
                if reply.status != 200:
                    raise SetupError(f"The explorer answered HTTP {reply.status} for {path}.",
                                     ("Check the wallet's server in the settings, then retry.",))
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SetupError(f"The explorer did not answer ({type(exc).__name__}).",
                             ("Check the network connection and the wallet's server, then "
                              "retry.",)) from None

    async def tip(self) -> ChainTip:
        status = await self._call("/status?q=getInfo")
        info = status.get("info") if isinstance(status, dict) else None
        height = info.get("blocks") if isinstance(info, dict) else None
        if not isinstance(height, int):
            raise SetupError("The explorer's status has no block height.",
                             ("Try another server.",))
        index = await self._call(f"/block-index/{height}")
        block = await self._call(f"/block/{index.get('blockHash', '')}")
        when = block.get("time") if isinstance(block, dict) else None
        if not isinstance(when, int):
            raise SetupError("The explorer's block has no time.", ("Try another server.",))
        return ChainTip(height, when)

    async def lists(self, outpoint: Outpoint,
                    ) -> tuple[list[ListedNode], list[PendingNode], list[PendingNode]]:
        confirmed = parse_confirmed(await self._call(
            "/fluxnode/listfluxnodes", {"filter": list_filter([outpoint])}))
        started = parse_start_list(await self._call("/fluxnode/startlist"))
        dos = parse_dos_list(await self._call("/fluxnode/doslist"))
        return confirmed, started, dos

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

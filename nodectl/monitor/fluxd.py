"""The fluxd calls the monitor needs, as a Protocol, and a small JSON-RPC adapter for it.

The shared fluxd client is being built in ``flux/``; once it lands it replaces
``RpcFluxd`` (anything with these four coroutines plugs in). Until then ``RpcFluxd`` talks
JSON-RPC 1.0 over HTTP basic auth itself. The credentials come from flux.conf (``rpcuser``,
``rpcpassword``, ``rpcport``); reading that file is ``flux/``'s job, so they are passed in.
"""

from __future__ import annotations

import itertools
from typing import Any, Protocol

from nodectl.monitor.errors import BadReply, NotAllowed, SourceRefused
from nodectl.monitor.http import HttpSource
from nodectl.monitor.models import ChainInfo, FluxnodeStatus, ListEntry

# fluxd's RPC error codes the monitor words differently (bitcoin rpc/protocol.h, kept by fluxd).
RPC_IN_WARMUP = -28
RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10

DOWN_HINT = "Start fluxd (sudo systemctl start zelcash) and check again."


class FluxdApi(Protocol):
    async def getblockchaininfo(self) -> ChainInfo: ...

    async def getfluxnodestatus(self) -> FluxnodeStatus: ...

    async def list_entry(self, txid: str, outidx: str) -> ListEntry | None: ...

    async def close(self) -> None: ...


class RpcFluxd:
    """fluxd JSON-RPC at ``url`` (normally http://127.0.0.1:16124)."""

    name = "fluxd"

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 10.0) -> None:
        self._http = HttpSource(self.name, url, timeout=timeout, down_hint=DOWN_HINT)
        self._auth = (user, password)
        self._ids = itertools.count(1)

    def __repr__(self) -> str:
        return "RpcFluxd()"

    async def call(self, method: str, *params: Any) -> Any:
        body = {"jsonrpc": "1.0", "id": next(self._ids), "method": method, "params": list(params)}
        reply = await self._http.request("POST", "/", json_body=body, auth=self._auth)
        if reply.status in (401, 403):
            raise NotAllowed(
                "fluxd refused the RPC user name or password.",
                "Check rpcuser and rpcpassword in flux.conf, then restart fluxd.",
            )
        doc = reply.body
        if not isinstance(doc, dict) or ("result" not in doc and "error" not in doc):
            raise BadReply(
                f"fluxd sent an unreadable answer to {method} (HTTP {reply.status}).",
                "Check that the RPC port in flux.conf is fluxd's and restart fluxd.",
            )
        error = doc.get("error")
        if error:
            raise _rpc_error(method, error)
        return doc.get("result")

    async def getblockchaininfo(self) -> ChainInfo:
        return ChainInfo.from_json(self.name, await self.call("getblockchaininfo"))

    async def getfluxnodestatus(self) -> FluxnodeStatus:
        return FluxnodeStatus.from_json(self.name, await self.call("getfluxnodestatus"))

    async def list_entry(self, txid: str, outidx: str) -> ListEntry | None:
        return ListEntry.pick(await self.call("viewdeterministicfluxnodelist", txid), txid, outidx)

    async def close(self) -> None:
        await self._http.close()


def _rpc_error(method: str, error: Any) -> SourceRefused:
    code = error.get("code") if isinstance(error, dict) else None
    text = error.get("message") if isinstance(error, dict) else None
    reason = text if isinstance(text, str) else ""
    code = code if isinstance(code, int) else None
    if code == RPC_IN_WARMUP:
        return SourceRefused(f"fluxd is still starting ({reason or 'warming up'}).",
                             "Wait a few minutes; it answers once the block index is loaded.",
                             code=code, reason=reason)
    if code == RPC_CLIENT_IN_INITIAL_DOWNLOAD:
        return SourceRefused("fluxd is still downloading the chain.",
                             "Wait until it is synced; the node list is available then.",
                             code=code, reason=reason)
    if "not a Flux Node" in reason:
        return SourceRefused("fluxd does not run as a node (zelnode=1 is missing in flux.conf).",
                             "Run the installer again or add zelnode=1 and restart fluxd.",
                             code=code, reason=reason)
    return SourceRefused(f"fluxd refused {method}: {reason or 'no reason given'}.",
                         "Check fluxd's debug.log for details.", code=code, reason=reason)

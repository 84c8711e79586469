"""The fluxd calls the monitor needs, as a Protocol, and their adapter over ``flux.rpc``.

The JSON-RPC itself (HTTP, Basic auth, ids, error replies, malformed answers) is the one client
of ``flux.rpc``; this module only asks the monitor's questions and words ``flux.rpc``'s typed
failures as the monitor's errors, each with the next step for a node operator. The credentials
come from flux.conf (``rpcuser``, ``rpcpassword``, ``rpcport``); reading that file is ``flux/``'s
job, so they are passed in.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlsplit

from flux.fluxconf import RpcConfig
from flux.networks import MAINNET
from flux.rpc import (
    RPC_IN_INITIAL_DOWNLOAD,
    RPC_IN_WARMUP,
    FluxdClient,
    RpcAuthFailed,
    RpcCallError,
    RpcFailure,
    RpcUnreachable,
)
from nodectl.monitor.errors import (
    BadReply,
    MonitorError,
    NotAllowed,
    SourceDown,
    SourceRefused,
    SourceTimeout,
)
from nodectl.monitor.models import ChainInfo, FluxnodeStatus, ListEntry

DOWN_HINT = "Start fluxd (sudo systemctl start zelcash) and check again."


class FluxdApi(Protocol):
    async def getblockchaininfo(self) -> ChainInfo: ...

    async def getfluxnodestatus(self) -> FluxnodeStatus: ...

    async def list_entry(self, txid: str, outidx: str) -> ListEntry | None: ...

    async def close(self) -> None: ...


def rpc_config(url: str, user: str, password: str) -> RpcConfig:
    """flux.rpc's settings for fluxd at ``url`` (normally http://127.0.0.1:16124)."""
    parts = urlsplit(url)
    return RpcConfig(user=user, password=password, port=parts.port or MAINNET.rpc_port,
                     host=parts.hostname or "127.0.0.1")


class RpcFluxd:
    """The monitor's view of one fluxd, over ``flux.rpc.FluxdClient``."""

    name = "fluxd"

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 10.0) -> None:
        self._client = FluxdClient(rpc_config(url, user, password), timeout=timeout)
        self._timeout = timeout

    def __repr__(self) -> str:
        return "RpcFluxd()"

    async def call(self, method: str, *params: Any) -> Any:
        try:
            return await self._client.call(method, *params)
        except RpcFailure as exc:
            raise monitor_error(method, exc, self._timeout) from None

    async def getblockchaininfo(self) -> ChainInfo:
        return ChainInfo.from_json(self.name, await self.call("getblockchaininfo"))

    async def getfluxnodestatus(self) -> FluxnodeStatus:
        return FluxnodeStatus.from_json(self.name, await self.call("getfluxnodestatus"))

    async def list_entry(self, txid: str, outidx: str) -> ListEntry | None:
        return ListEntry.pick(await self.call("viewdeterministicfluxnodelist", txid), txid, outidx)

    async def close(self) -> None:
        await self._client.close()


def monitor_error(method: str, exc: RpcFailure, timeout: float) -> MonitorError:
    """``flux.rpc``'s failure in the monitor's words (never with a secret: flux.rpc's messages
    name host, port and flux.conf only)."""
    if isinstance(exc, RpcUnreachable):
        if exc.timed_out:
            return SourceTimeout(f"fluxd did not answer within {timeout:g} s.",
                                 f"It may be busy or stuck; {DOWN_HINT}")
        return SourceDown(f"fluxd cannot be reached ({exc.reason}).", DOWN_HINT)
    if isinstance(exc, RpcAuthFailed):
        return NotAllowed("fluxd refused the RPC user name or password."
                          if exc.status == 401 else "fluxd refuses RPC from this address.",
                          "Check rpcuser, rpcpassword and rpcallowip in flux.conf, then restart "
                          "fluxd.")
    if isinstance(exc, RpcCallError):
        return _refused(method, exc.code, exc.rpc_message)
    # RpcBadReply, and any failure flux.rpc may add: an answer the monitor cannot read.
    return BadReply(f"fluxd sent an unreadable answer to {method}.",
                    "Check that the RPC port in flux.conf is fluxd's and restart fluxd.")


def _refused(method: str, code: int, reason: str) -> SourceRefused:
    if code == RPC_IN_WARMUP:
        return SourceRefused(f"fluxd is still starting ({reason or 'warming up'}).",
                             "Wait a few minutes; it answers once the block index is loaded.",
                             code=code, reason=reason)
    if code == RPC_IN_INITIAL_DOWNLOAD:
        return SourceRefused("fluxd is still downloading the chain.",
                             "Wait until it is synced; the node list is available then.",
                             code=code, reason=reason)
    if "not a Flux Node" in reason:
        return SourceRefused("fluxd does not run as a node (zelnode=1 is missing in flux.conf).",
                             "Run the installer again or add zelnode=1 and restart fluxd.",
                             code=code, reason=reason)
    return SourceRefused(f"fluxd refused {method}: {reason or 'no reason given'}.",
                         "Check fluxd's debug.log for details.", code=code, reason=reason)

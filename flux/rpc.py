"""The one fluxd JSON-RPC client: single calls and batches over HTTP with Basic auth.

fluxd (httprpc.cpp, rpc/server.cpp) takes a POST of one request object or of a list of them (a
batch, answered with a list in which each reply carries the id of its request). Errors of a
single call come back as HTTP 500 (400 for an invalid request, 404 for an unknown method) with a
JSON body; a batch is answered with 200 and an error per entry. 401 means wrong credentials,
403 an address not allowed by rpcallowip, 503 a server too busy to answer.

Failures are typed: RpcUnreachable (no answer; try again or later), RpcAuthFailed, RpcBadReply
(an answer that cannot be right) and RpcCallError (fluxd refused the call: code and message).
Callers map them to their own words; nothing here knows about wallets or installers.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Self

from flux.errors import FluxError
from flux.fluxconf import RpcConfig
from flux.http import (
    RetryPolicy,
    SessionOwner,
    TimedOut,
    Transient,
    basic_auth_header,
    fetch,
)

if TYPE_CHECKING:
    import aiohttp

# fluxd rpc/protocol.h error codes the callers tell apart.
RPC_MISC_ERROR: Final = -1
RPC_INVALID_ADDRESS_OR_KEY: Final = -5
RPC_IN_INITIAL_DOWNLOAD: Final = -10
RPC_IN_WARMUP: Final = -28
RPC_METHOD_NOT_FOUND: Final = -32601


class RpcFailure(FluxError):
    """Base of the client's errors."""


class RpcUnreachable(RpcFailure):
    """fluxd did not answer (refused, timed out, busy); `reason` says which, `timed_out` whether
    it was the time limit (fluxd may be up but busy) rather than nothing listening."""

    def __init__(self, message: str, *, reason: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.timed_out = timed_out


class RpcAuthFailed(RpcFailure):
    """fluxd refused the credentials (401) or this client's address (403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class RpcBadReply(RpcFailure):
    """An answer that is not a JSON-RPC reply to what was asked."""


class RpcCallError(RpcFailure):
    """fluxd answered a call with a JSON-RPC error."""

    def __init__(self, method: str, code: int, rpc_message: str) -> None:
        reason = rpc_message or "no reason given"
        super().__init__(f"fluxd {method} failed: {reason} (code {code}).")
        self.method = method
        self.code = code
        self.rpc_message = rpc_message


@dataclass(frozen=True)
class RpcCall:
    """One call of a batch."""

    method: str
    params: tuple[Any, ...] = ()


def call(method: str, *params: Any) -> RpcCall:
    return RpcCall(method, params)


class FluxdClient:
    """JSON-RPC to one fluxd; owns an aiohttp session unless one is passed in."""

    def __init__(
        self,
        config: RpcConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.config = config
        self._http = SessionOwner(session)
        self._timeout = RetryPolicy(total_timeout=timeout, connect_timeout=min(5.0, timeout))
        self._ids = itertools.count(1)
        self.requests_made = 0  # HTTP requests, so a batch counts once

    @property
    def name(self) -> str:
        return f"fluxd {self.config.host}:{self.config.port}"

    async def close(self) -> None:
        await self._http.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def call(self, method: str, *params: Any) -> Any:
        """One call; its result, or RpcCallError with fluxd's code and message."""
        request = self._request(RpcCall(method, params))
        status, reply = await self._post(request)
        if not isinstance(reply, dict):
            raise RpcBadReply(f"{self.name} answered {method} (HTTP {status}) with no object.")
        return self._result(method, reply, status)

    async def batch(self, calls: Sequence[RpcCall]) -> list[Any | RpcCallError]:
        """All `calls` in one POST; for each, in order, its result or its RpcCallError.

        Replies are matched to calls by id, whatever order fluxd sends them in; a missing,
        repeated or unknown id makes the whole answer an RpcBadReply.
        """
        if not calls:
            return []
        requests = [self._request(c) for c in calls]
        status, reply = await self._post(requests)
        if not isinstance(reply, list):
            raise RpcBadReply(f"{self.name} answered a batch (HTTP {status}) with no reply list.")
        by_id: dict[int, dict[str, Any]] = {}
        for item in reply:
            id_ = item.get("id") if isinstance(item, dict) else None
            if not isinstance(id_, int) or isinstance(id_, bool) or id_ in by_id:
                raise RpcBadReply(f"{self.name} answered a batch with a missing or repeated id.")
            by_id[id_] = item
        wanted = [r["id"] for r in requests]
        if set(by_id) != set(wanted):
            raise RpcBadReply(
                f"{self.name} answered {len(by_id)} of {len(wanted)} calls of a batch, or others."
            )
        out: list[Any | RpcCallError] = []
        for rpc_call, id_ in zip(calls, wanted, strict=True):
            try:
                out.append(self._result(rpc_call.method, by_id[id_], status))
            except RpcCallError as exc:
                out.append(exc)
        return out

    def _request(self, rpc_call: RpcCall) -> dict[str, Any]:
        return {
            "jsonrpc": "1.0",
            "id": next(self._ids),
            "method": rpc_call.method,
            "params": list(rpc_call.params),
        }

    async def _post(self, body: object) -> tuple[int, object]:
        session = await self._http.session()
        cfg = self.config
        self.requests_made += 1
        try:
            status, text = await fetch(
                session,
                "POST",
                cfg.url,
                timeout=self._timeout.timeout(),
                json_body=body,
                headers=basic_auth_header(cfg.user, cfg.password),
                # fluxd reports RPC errors as HTTP 500 with a JSON body; only 503 means "busy".
                transient_statuses=lambda s: s == 503,
            )
        except Transient as exc:
            raise RpcUnreachable(
                f"The fluxd at {cfg.host}:{cfg.port} is not reachable ({exc}). Start fluxd or "
                f"check rpcport in {cfg.source}.",
                reason=str(exc),
                timed_out=isinstance(exc, TimedOut),
            ) from None
        if status == 401:
            raise RpcAuthFailed(
                f"fluxd refused the RPC user and password from {cfg.source}. Check rpcuser and "
                "rpcpassword there, and restart fluxd after changing them.",
                status=status,
            )
        if status == 403:
            raise RpcAuthFailed(
                f"fluxd does not allow RPC from this address; add rpcallowip for it to "
                f"{cfg.source}.",
                status=status,
            )
        try:
            return status, json.loads(text)
        # Plain ValueError too: json refuses integers longer than 4300 digits with one.
        except (ValueError, RecursionError):
            snippet = " ".join(text.split())[:60]
            raise RpcBadReply(
                f"{self.name}: HTTP {status}, reply was not valid JSON ({snippet!r})"
            ) from None

    def _result(self, method: str, reply: dict[str, Any], status: int) -> Any:
        error = reply.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise RpcBadReply(f"fluxd returned a malformed error for {method}.")
            code = error.get("code")
            code = code if isinstance(code, int) and not isinstance(code, bool) else 0
            message = error.get("message")
            raise RpcCallError(method, code, message if isinstance(message, str) else "")
        if status != 200 or "result" not in reply:
            raise RpcBadReply(f"{self.name}: HTTP {status} without a result for {method}.")
        return reply["result"]

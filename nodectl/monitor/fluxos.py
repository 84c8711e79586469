"""FluxOS API client: the ``{status, data}`` envelope, 401 inside HTTP 200, and its reply cache.

FluxOS answers handled errors with HTTP 200 and ``{"status": "error", "data": {code, name,
message}}``; "not allowed" is ``data.code`` 401. It caches most GET replies for 30 s (60 s for
``/flux/info`` and ``/daemon/getfluxnodestatus``), so asking more often only returns the same
reply: this client keeps each reply for the same time and does not ask again before then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from nodectl.monitor.errors import BadReply, NotAllowed, SourceRefused
from nodectl.monitor.http import HttpSource
from nodectl.monitor.models import (
    BenchFigures,
    BenchStatus,
    ChainInfo,
    ClockDrift,
    DosState,
    FluxnodeStatus,
    ListEntry,
    as_int,
)

DEFAULT_API_PORT = 16127
DEFAULT_CACHE_S = 30.0
# FluxOS routes.js: apicache '1 minute' on these, '30 seconds' on most other public GETs.
CACHE_S: Mapping[str, float] = {"/flux/info": 60.0, "/daemon/getfluxnodestatus": 60.0}
DOWN_HINT = "Start FluxOS (pm2 start flux, or systemctl start fluxos on ArcaneOS) and check again."


def api_base(address: str) -> str:
    """``IP[:port]`` as the node lists give it (port omitted when 16127) → base URL."""
    address = address.strip()
    if "://" in address:
        return address.rstrip("/")
    if address.count(":") > 1 and not address.startswith("["):  # a bare IPv6 address
        return f"http://[{address}]:{DEFAULT_API_PORT}"
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or host.endswith(":"):
        return f"http://{address}:{DEFAULT_API_PORT}"
    return f"http://{host}:{port}"


class FluxosApi:
    def __init__(self, base_url: str, *, timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._http = HttpSource("FluxOS", base_url, timeout=timeout, down_hint=DOWN_HINT)
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}

    async def get(self, route: str) -> Any:
        """``data`` of a successful reply; typed errors for everything else."""
        now = self._clock()
        hit = self._cache.get(route)
        if hit is not None and now - hit[0] < CACHE_S.get(route, DEFAULT_CACHE_S):
            return hit[1]
        data = await self.call("GET", route)
        self._cache[route] = (now, data)
        return data

    def forget_cached(self) -> None:
        """Ask again at the next read (after an action changed the node, e.g. a restart)."""
        self._cache.clear()

    async def call(self, method: str, route: str, *, body: Any = None,
                   zelidauth: str | None = None) -> Any:
        """One request, never cached (login routes, admin actions): ``data`` of a success.
        ``zelidauth`` is a logged-in session's header; FluxOS answers 401 inside HTTP 200
        without a valid one (``NotAllowed``)."""
        headers = {"zelidauth": zelidauth} if zelidauth is not None else None
        reply = await self._http.request(method, route, json_body=body, headers=headers)
        if reply.status == 401:
            raise _not_allowed(route)
        doc = reply.body
        if not isinstance(doc, dict) or doc.get("status") not in ("success", "error", "warning"):
            raise BadReply(
                f"FluxOS sent an unreadable answer to {route} (HTTP {reply.status}).",
                "Check that the address is a FluxOS API port (16127 by default) and that "
                "FluxOS is up to date.",
            )
        data = doc.get("data")
        if doc["status"] != "success":
            raise _envelope_error(route, data)
        return data

    async def version(self) -> str:
        data = await self.get("/flux/version")
        if not isinstance(data, str):
            raise BadReply("FluxOS sent a version that is not text.", "Update FluxOS.")
        return data

    async def blockchaininfo(self) -> ChainInfo:
        return ChainInfo.from_json("FluxOS", await self.get("/daemon/getblockchaininfo"))

    async def fluxnode_status(self) -> FluxnodeStatus:
        return FluxnodeStatus.from_json("FluxOS", await self.get("/daemon/getfluxnodestatus"))

    async def bench_status(self) -> BenchStatus:
        return BenchStatus.from_json("FluxOS", await self.get("/benchmark/getstatus"))

    async def benchmarks(self) -> BenchFigures:
        return BenchFigures.from_json("FluxOS", await self.get("/benchmark/getbenchmarks"))

    async def bench_version(self) -> str | None:
        data = await self.get("/benchmark/getinfo")
        version = data.get("version") if isinstance(data, dict) else None
        return version if isinstance(version, str) else None

    async def list_entry(self, txid: str, outidx: str) -> ListEntry | None:
        """The node's entry (with its rank) from the confirmed list, filtered by txid."""
        return ListEntry.pick(await self.get(f"/daemon/viewdeterministicfluxnodelist/{txid}"),
                              txid, outidx)

    async def clock_drift(self) -> ClockDrift:
        return ClockDrift.from_json("FluxOS", await self.get("/flux/clockdrift"))

    async def dos_state(self) -> DosState:
        return DosState.from_json("FluxOS", await self.get("/flux/dosstate"))

    async def public_ip(self) -> str | None:
        data = await self.get("/flux/ip")
        return data if isinstance(data, str) and data else None

    async def owner_flux_id(self) -> str | None:
        """The node owner's Flux ID (userconfig ``initial.zelid``); old route ``/flux/zelid``."""
        try:
            data = await self.get("/flux/id")
        except BadReply:
            data = await self.get("/flux/zelid")
        return data if isinstance(data, str) and data else None

    async def login_refusal(self) -> str | None:
        """None when FluxOS hands out a login phrase, else the reason it gives for refusing."""
        try:
            data = await self.get("/id/loginphrase")
        except SourceRefused as exc:
            return exc.reason or exc.message
        if not isinstance(data, str) or not data:
            raise BadReply("FluxOS sent an unreadable login phrase.", "Update FluxOS.")
        return None

    async def close(self) -> None:
        await self._http.close()


def _not_allowed(route: str) -> NotAllowed:
    return NotAllowed(f"FluxOS does not allow {route} without a login.",
                      "Log in with the node owner's Flux ID, or use a public route.")


def _envelope_error(route: str, data: Any) -> Exception:
    if isinstance(data, dict):
        code = as_int(data.get("code"))
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        message = data.get("message") if isinstance(data.get("message"), str) else ""
    else:
        code, name, message = None, "", data if isinstance(data, str) else ""
    if code == 401:
        return _not_allowed(route)
    reason = message or name or "no reason given"
    return SourceRefused(f"FluxOS answered {route} with an error: {reason}.",
                         "Open FluxOS's own log (~/zelflux/error.log) for details.",
                         code=code, reason=reason)

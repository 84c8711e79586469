"""Small aiohttp servers on 127.0.0.1 that speak the Insight API and fluxd JSON-RPC.

They hold plain data set by each test and log every request, so tests can check what a client
asked for (batching, failover order) and feed it bad replies on purpose.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web


async def start(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


def closed_port() -> int:
    """A port with nothing listening (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeInsight:
    """Insight API routes under /api with data per address."""

    utxos: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    txs: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)
    tip: int = 1_500_000
    fee: Any = 0.0001
    # Statuses to answer before behaving (e.g. [503, 503]); popped one per request.
    fail_first: list[int] = field(default_factory=list)
    # When set, every reply body is this text with HTTP 200.
    garbage: str | None = None
    delay: float = 0.0
    broadcast_reply: tuple[int, str] = (200, '{"txid": "' + "ab" * 32 + '"}')
    log: list[tuple[str, str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/api/status", self._status)
        app.router.add_get("/api/addrs/{addrs}/utxo", self._utxo)
        app.router.add_get("/api/addr/{addr}", self._summary)
        app.router.add_get("/api/addrs/{addrs}/txs", self._txs)
        app.router.add_post("/api/addrs/txs", self._txs)
        app.router.add_get("/api/rawtx/{txid}", self._rawtx)
        app.router.add_post("/api/tx/send", self._send)
        app.router.add_get("/api/utils/estimatefee", self._fee)
        return app

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[..., Any]
    ) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.log.append((request.method, request.path_qs, body))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_first:
            return web.Response(status=self.fail_first.pop(0), text="busy")
        if self.garbage is not None:
            return web.Response(text=self.garbage, content_type="application/json")
        return await handler(request)

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"info": {"blocks": self.tip, "version": 9000650}})

    async def _utxo(self, request: web.Request) -> web.Response:
        out = [u for a in request.match_info["addrs"].split(",") for u in self.utxos.get(a, [])]
        return web.json_response(out)

    async def _summary(self, request: web.Request) -> web.Response:
        addr = request.match_info["addr"]
        return web.json_response(
            self.summaries.get(
                addr,
                {
                    "addrStr": addr,
                    "balanceSat": 0,
                    "unconfirmedBalanceSat": 0,
                    "totalReceivedSat": 0,
                },
            )
        )

    async def _txs(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            body = await request.json()
            start, end = int(body["from"]), int(body["to"])
        else:
            start, end = int(request.query["from"]), int(request.query["to"])
        return web.json_response(
            {
                "totalItems": len(self.txs),
                "from": start,
                "to": min(end, len(self.txs)),
                "items": self.txs[start:end],
            }
        )

    async def _rawtx(self, request: web.Request) -> web.Response:
        txid = request.match_info["txid"]
        if txid not in self.raw:
            return web.Response(status=404, text="Not found")
        return web.json_response({"rawtx": self.raw[txid]})

    async def _send(self, request: web.Request) -> web.Response:
        status, text = self.broadcast_reply
        return web.Response(status=status, text=text)

    async def _fee(self, request: web.Request) -> web.Response:
        return web.json_response({request.query["nbBlocks"]: self.fee})


@pytest_asyncio.fixture
async def insight_server() -> AsyncIterator[tuple[FakeInsight, str]]:
    fake = FakeInsight()
    runner, url = await start(fake.app())
    try:
        yield fake, url + "/api"
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture
async def second_insight() -> AsyncIterator[tuple[FakeInsight, str]]:
    fake = FakeInsight()
    runner, url = await start(fake.app())
    try:
        yield fake, url + "/api"
    finally:
        await runner.cleanup()


@dataclass
class FakeFluxd:
    """fluxd's JSON-RPC: basic auth, results or {code, message} errors per method."""

    user: str = "fluxrpc"
    password: str = "rpc-secret-pw"
    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[int, str]] = field(default_factory=dict)
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/", self._rpc)
        return app

    async def _rpc(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401)
        body = await request.json()
        if isinstance(body, list):
            # A batch: HTTP 200 and one reply per call, errors included (fluxd's JSONRPCExecBatch).
            return web.json_response([self._answer(item)[1] for item in body])
        status, reply = self._answer(body)
        return web.Response(status=status, content_type="application/json", text=json.dumps(reply))

    def _answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method, params = body["method"], body["params"]
        self.calls.append((method, params))
        if method in self.errors:
            code, message = self.errors[method]
            # fluxd (like bitcoind) sends RPC errors with HTTP 500 and a JSON body.
            return 500, {"result": None, "error": {"code": code, "message": message},
                         "id": body["id"]}
        if method not in self.results:
            return 404, {"result": None, "error": {"code": -32601, "message": "Method not found"},
                         "id": body["id"]}
        result = self.results[method]
        if callable(result):
            result = result(params)
        return 200, {"result": result, "error": None, "id": body["id"]}


@pytest_asyncio.fixture
async def fluxd_server() -> AsyncIterator[tuple[FakeFluxd, int]]:
    fake = FakeFluxd()
    runner, url = await start(fake.app())
    try:
        yield fake, int(url.rsplit(":", 1)[1])
    finally:
        await runner.cleanup()


class SleepRecorder:
    """Stands in for asyncio.sleep so backoff can be checked without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()

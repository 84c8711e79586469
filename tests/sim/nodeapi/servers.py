"""aiohttp apps for one node's fluxd RPC, FluxOS API and fluxbench RPC, driven by a NodeScript."""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.sim.fluxos_login import FluxOsLogin
from tests.sim.nodeapi.script import MALFORMED, TIMEOUT, UNAUTHORIZED, NodeScript

RPC_USER, RPC_PASSWORD = "fluxrpc", "s3cret-rpc-password"
LOGIN = web.AppKey("login", FluxOsLogin)
BENCH_USER, BENCH_PASSWORD = "fluxbenchuser", "fluxbenchpassword"


async def _fault(script: NodeScript, server: str) -> web.Response | None:
    fault = script.faults.get(server)
    if fault == TIMEOUT:
        await asyncio.sleep(script.delay_s)
    if fault == MALFORMED:
        return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
    return None


def _authorised(request: web.Request, user: str, password: str) -> bool:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return request.headers.get("Authorization") == expected


def _rpc_app(script: NodeScript, server: str, user: str, password: str,
             methods: dict[str, Callable[[list[Any]], Any]]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        faulty = await _fault(script, server)
        if faulty is not None:
            return faulty
        if script.faults.get(server) == UNAUTHORIZED or not _authorised(request, user, password):
            return web.Response(status=401)
        doc = json.loads(await request.read())
        method, params = doc.get("method"), doc.get("params") or []
        if method not in methods:
            return web.json_response({"result": None, "id": doc.get("id"),
                                      "error": {"code": -32601, "message": "Method not found"}},
                                     status=404)
        try:
            result = methods[method](params)
        except RpcFail as exc:
            return web.json_response({"result": None, "id": doc.get("id"),
                                      "error": {"code": exc.code, "message": exc.message}},
                                     status=500)
        return web.json_response({"result": result, "error": None, "id": doc.get("id")})

    app = web.Application()
    app.router.add_post("/", handle)
    return app


class RpcFail(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def fluxd_app(script: NodeScript) -> web.Application:
    def node_list(params: list[Any]) -> Any:
        if script.height < script.headers - 12:
            raise RpcFail(-10, "Wait until chain is synced closer to tip")
        wanted = params[0] if params else ""
        return [e for e in script.list_entries() if wanted in e["txhash"]]

    return _rpc_app(script, "fluxd", RPC_USER, RPC_PASSWORD, {
        "getblockchaininfo": lambda _: script.chain_info(),
        "getblockcount": lambda _: script.height,
        "getfluxnodestatus": lambda _: script.fluxnode_status(),
        "viewdeterministicfluxnodelist": node_list,
    })


def fluxbench_app(script: NodeScript) -> web.Application:
    return _rpc_app(script, "fluxbench", BENCH_USER, BENCH_PASSWORD, {
        "getstatus": lambda _: script.bench_status(),
        "getbenchmarks": lambda _: script.benchmarks(),
        "getinfo": lambda _: {"version": script.bench_version, "rpcport": 16224},
    })


def fluxos_app(script: NodeScript, hits: Counter[str] | None = None) -> web.Application:
    """FluxOS: every handled reply is HTTP 200 with a {status, data} envelope. The Flux ID
    login is FluxOS's (signatures checked); two admin routes act on the script."""
    counter = hits if hits is not None else Counter()
    login = FluxOsLogin(lambda: script.owner_id)

    def success(data: Any) -> web.Response:
        return web.json_response({"status": "success", "data": data})

    def error(code: int, name: str, message: str) -> web.Response:
        return web.json_response({"status": "error",
                                  "data": {"code": code, "name": name, "message": message}})

    routes: dict[str, Callable[[], web.Response]] = {
        "/daemon/getblockchaininfo": lambda: success(script.chain_info()),
        "/daemon/getblockcount": lambda: success(script.height),
        "/daemon/getfluxnodestatus": lambda: success(script.fluxnode_status()),
        "/benchmark/getstatus": lambda: success(script.bench_status()),
        "/benchmark/getbenchmarks": lambda: success(script.benchmarks()),
        "/benchmark/getinfo": lambda: success({"version": script.bench_version,
                                               "rpcport": 16224}),
        "/flux/version": lambda: success(script.fluxos_version),
        "/flux/ip": lambda: success(script.ip),
        "/flux/zelid": lambda: success(script.owner_id),
        "/flux/clockdrift": lambda: success({"source": script.clock_source,
                                             "offset": script.clock_offset_s,
                                             "time": "2026-12-05T08:00:00Z"}),
        "/flux/dosstate": lambda: success({"dosState": script.dos_score,
                                           "dosMessage": script.dos_message}),
        "/id/loginphrase": lambda: (error(0, *script.login_refusal) if script.login_refusal
                                    else success(login.new_phrase())),
        "/id/emergencyphrase": lambda: success(login.new_phrase()),
        "/flux/tailbenchmarkdebug": lambda: error(401, "Unauthorized",
                                                  "Unauthorized. Access denied."),
    }

    # Admin routes (verifyPrivilege 'adminandfluxteam'): what each does to the node.
    admin: dict[str, Callable[[], str]] = {
        "/flux/restartdaemon": script.restart_daemon,
        "/benchmark/restartnodebenchmarks": script.restart_benchmark,
    }

    async def handle(request: web.Request) -> web.Response:
        counter[request.path] += 1
        if not script.fluxos_up:
            raise web.HTTPServiceUnavailable()
        faulty = await _fault(script, "fluxos")
        if faulty is not None:
            return faulty
        if request.path == "/id/verifylogin":
            return await login.verify_login(request)
        if request.path in admin:
            if not login.is_admin(request):
                return routes["/flux/tailbenchmarkdebug"]()  # the same 401 envelope
            return success(admin[request.path]())
        if script.faults.get("fluxos") == UNAUTHORIZED:
            return routes["/flux/tailbenchmarkdebug"]()
        listed = "/daemon/viewdeterministicfluxnodelist/"
        if request.path.startswith(listed):
            wanted = request.path.removeprefix(listed)
            return success([e for e in script.list_entries() if wanted in e["txhash"]])
        if request.path == "/flux/id" and not script.old_fluxos:
            return success(script.owner_id)
        route = routes.get(request.path)
        if route is None:
            raise web.HTTPNotFound()
        return route()

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    app.router.add_post("/id/verifylogin", handle)
    app[LOGIN] = login  # tests forget sessions through it (a FluxOS restart)
    return app

"""A minimal FluxOS API on 127.0.0.1 over the simulated chain (FluxOS ZelBack/src/routes.js).

Replies use FluxOS's envelope ({"status": "success"|"error", "data": ...}; handled errors come
with HTTP 200). The fluxnode lists come from the chain's FluxnodeModel; the Flux ID login
follows idService.js: phrases of a 13-digit ms timestamp plus base36 text, valid 15 minutes;
/id/verifylogin checks the Bitcoin-magic signature with coincurve (msgsig.py, not the wallet's
code) and answers "privilage" (FluxOS's spelling) "admin" for the node owner's Flux ID; admin
routes read the ``zelidauth`` header (a JSON string, or the qs form). The login itself is
tests/sim/fluxos_login.py, shared with the scripted node's FluxOS (tests/sim/nodeapi).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.sim import fluxnode_views as views
from tests.sim.chain import Chain
from tests.sim.fluxos_login import UNAUTHORIZED, FluxOsLogin, failure, iso, ok
from tests.sim.reject import SimReject


class FluxOsSim:
    """``async with FluxOsSim(chain, owner_zelid) as fluxos``; ``fluxos.url`` is its API base."""

    def __init__(self, chain: Chain, owner_zelid: str,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.chain = chain
        self.owner_zelid = owner_zelid
        self.clock_ms = clock_ms
        self.dos_message: str | None = None  # set: /id/loginphrase refuses like a DOS node
        self.login = FluxOsLogin(lambda: self.owner_zelid, clock_ms)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FluxOsSim:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def app(self) -> web.Application:
        app = web.Application()
        lists = {"getfluxnodecount": views.node_count, "getstartlist": views.start_list,
                 "getdoslist": views.dos_list}
        for name, view in lists.items():
            app.router.add_get(f"/daemon/{name}", self._daemon(view))
        for name in ("viewdeterministicfluxnodelist", "listfluxnodes"):
            app.router.add_get(f"/daemon/{name}", self.node_list)
            app.router.add_get(f"/daemon/{name}/{{filter}}", self.node_list)
        app.router.add_post("/daemon/sendrawtransaction", self.send_raw)
        app.router.add_get("/daemon/sendrawtransaction/{hexstring}", self.send_raw)
        app.router.add_get("/flux/id", self.flux_id)
        app.router.add_get("/id/loginphrase", self.login_phrase)
        app.router.add_get("/id/emergencyphrase", self.emergency_phrase)
        app.router.add_post("/id/verifylogin", self.verify_login)
        app.router.add_get("/id/loggedusers", self.logged_users)
        return app

    # ------------------------------------------------------------------------------ daemon

    def _daemon(self, view: Callable[[Chain], Any]) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.Response:
            return ok(view(self.chain))
        return handler

    async def node_list(self, request: web.Request) -> web.Response:
        entries = views.fluxd_filter(views.confirmed_list(self.chain),
                                     request.match_info.get("filter", ""))
        limit = request.query.get("limit", "")
        return ok(entries[: int(limit)] if limit.isdigit() else entries)

    async def send_raw(self, request: web.Request) -> web.Response:
        """daemonServiceTransactionRpcs sendRawTransaction(Post): fluxd's answer, wrapped."""
        hexstring = request.match_info.get("hexstring")
        if hexstring is None:
            try:
                body = json.loads(await request.text())
            except ValueError:
                body = {}
            hexstring = body.get("hexstring") if isinstance(body, dict) else None
        try:
            return ok(self.chain.submit(str(hexstring or "")))
        except SimReject as exc:
            return failure(exc.message, "RPCError", exc.code)

    async def flux_id(self, request: web.Request) -> web.Response:
        return ok(self.owner_zelid)

    # -------------------------------------------------------------------------------- login

    async def login_phrase(self, request: web.Request) -> web.Response:
        if self.dos_message is not None:
            return failure(self.dos_message, "DOS", 100)
        return ok(self.login.new_phrase())

    async def emergency_phrase(self, request: web.Request) -> web.Response:
        return ok(self.login.new_phrase())

    async def verify_login(self, request: web.Request) -> web.Response:
        return await self.login.verify_login(request)

    async def logged_users(self, request: web.Request) -> web.Response:
        if not self.login.is_admin(request):
            return web.json_response({"status": "error", "data": UNAUTHORIZED})
        return ok([{"zelid": z, "loginPhrase": p, "expireAt": iso(exp)}
                   for (z, p), (_sig, exp) in self.login.sessions.items()])

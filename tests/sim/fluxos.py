"""A minimal FluxOS API on 127.0.0.1 over the simulated chain (FluxOS ZelBack/src/routes.js).

Replies use FluxOS's envelope ({"status": "success"|"error", "data": ...}; handled errors come
with HTTP 200). The fluxnode lists come from the chain's FluxnodeModel; the Flux ID login
follows idService.js: phrases of a 13-digit ms timestamp plus base36 text, valid 15 minutes;
/id/verifylogin checks the Bitcoin-magic signature with coincurve (msgsig.py, not the wallet's
code) and answers "privilage" (FluxOS's spelling) "admin" for the node owner's Flux ID; admin
routes read the ``zelidauth`` header (a JSON string, or the qs form).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from tests.sim import fluxnode_views as views
from tests.sim.chain import Chain
from tests.sim.msgsig import BITCOIN_MAGIC, bitcoin_address, recover
from tests.sim.reject import SimReject

PHRASE_MS = 15 * 60 * 1000
SESSION_MS = 14 * 24 * 60 * 60 * 1000
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def ok(data: Any) -> web.Response:
    return web.json_response({"status": "success", "data": data})


def failure(message: str, name: str = "Error", code: Any = None) -> web.Response:
    return web.json_response({"status": "error",
                              "data": {"code": code, "name": name, "message": message}})


UNAUTHORIZED = {"code": 401, "name": "Unauthorized", "message": "Unauthorized. Access denied."}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


def signature_valid(address: str, message: str, signature_b64: str) -> bool:
    """bitcoinjs-message verify with the default (Bitcoin) prefix, against a "1…" address."""
    try:
        sig = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    pubkey = recover(sig, message.encode(), BITCOIN_MAGIC)
    return pubkey is not None and bitcoin_address(pubkey) == address


class FluxOsSim:
    """``async with FluxOsSim(chain, owner_zelid) as fluxos``; ``fluxos.url`` is its API base."""

    def __init__(self, chain: Chain, owner_zelid: str,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.chain = chain
        self.owner_zelid = owner_zelid
        self.clock_ms = clock_ms
        self.dos_message: str | None = None  # set: /id/loginphrase refuses like a DOS node
        self.phrases: dict[str, int] = {}  # active login phrases -> expiry (ms)
        self.sessions: dict[tuple[str, str], tuple[str, int]] = {}  # (zelid, phrase) -> sig, exp
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

    def _new_phrase(self) -> str:
        now = self.clock_ms()
        tail = "".join(secrets.choice(_BASE36) for _ in range(44))
        phrase = f"{now}{tail}"
        self.phrases[phrase] = now + PHRASE_MS
        return phrase

    async def login_phrase(self, request: web.Request) -> web.Response:
        if self.dos_message is not None:
            return failure(self.dos_message, "DOS", 100)
        return ok(self._new_phrase())

    async def emergency_phrase(self, request: web.Request) -> web.Response:
        return ok(self._new_phrase())

    async def verify_login(self, request: web.Request) -> web.Response:
        text = await request.text()
        try:
            body = json.loads(text)
        except ValueError:
            body = {k: v[0] for k, v in parse_qs(text).items()}
        if not isinstance(body, dict):
            body = {}
        address = str(body.get("zelid") or body.get("address") or "")
        message = str(body.get("loginPhrase") or body.get("message") or "")
        signature = str(body.get("signature") or "")
        now = self.clock_ms()
        if not address:
            return failure("No Flux ID is specified")
        if not address.startswith("1") or not 25 <= len(address) <= 34:
            return failure("Flux ID is not valid")
        if not message:
            return failure("No message is specified")
        stamp = message[:13]
        if len(message) < 40 or not stamp.isdigit() or not now - PHRASE_MS <= int(stamp) <= now:
            return failure("Signed message is not valid")
        if not signature:
            return failure("No signature is specified")
        if self.phrases.get(message, 0) < now:
            return failure("Signed message is no longer valid. Please request a new one.")
        if not signature_valid(address, message, signature):
            return failure("Invalid signature")
        del self.phrases[message]
        expires = int(stamp) + SESSION_MS
        self.sessions[(address, message)] = (signature, expires)
        privilage = "admin" if address == self.owner_zelid else "user"
        return ok({"message": "Successfully logged in", "zelid": address, "loginPhrase": message,
                   "signature": signature, "privilage": privilage,
                   "createdAt": _iso(int(stamp)), "expireAt": _iso(expires)})

    def _is_admin(self, request: web.Request) -> bool:
        """verificationHelper verifyPrivilege('admin'): session record and a valid signature."""
        header = request.headers.get("zelidauth", "")
        try:
            auth = json.loads(header)
        except ValueError:
            auth = {k: v[0] for k, v in parse_qs(header).items()}
        if not isinstance(auth, dict):
            return False
        zelid, phrase = str(auth.get("zelid", "")), str(auth.get("loginPhrase", ""))
        signature = str(auth.get("signature", ""))
        session = self.sessions.get((zelid, phrase))
        return (zelid == self.owner_zelid and session is not None
                and session[1] > self.clock_ms() and signature_valid(zelid, phrase, signature))

    async def logged_users(self, request: web.Request) -> web.Response:
        if not self._is_admin(request):
            return web.json_response({"status": "error", "data": UNAUTHORIZED})
        return ok([{"zelid": z, "loginPhrase": p, "expireAt": _iso(exp)}
                   for (z, p), (_sig, exp) in self.sessions.items()])

"""The doctor's fixes on a remote node: FluxOS admin routes, logged in with the wallet's Flux ID.

The login is FluxOS's own (wallet/fluxid.py): a login phrase (the emergency phrase when a DOS or
broken node refuses one), signed with the Flux ID key, ``POST /id/verifylogin``; only an
``admin`` session is used. Sessions last 14 days and are kept in the OS keyring (in memory when
the keyring cannot be used), so a second fix does not log in again; a session FluxOS no longer
accepts (401) is dropped and the login done once more. The Flux ID key is derived on demand from
the unlocked wallet and never kept. No Qt here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from nodectl.monitor.actions import manual_step
from nodectl.monitor.doctor import Action
from nodectl.monitor.errors import MonitorError, NotAllowed, SourceRefused
from nodectl.monitor.fluxos import FluxosApi, api_base
from nodectl.monitor.remote_actions import remote_action
from nodectl.monitor.target import WatchedNode
from wallet.errors import WalletError
from wallet.fluxid import (
    EMERGENCY_PHRASE_PATH,
    LOGIN_PHRASE_PATH,
    VERIFY_LOGIN_PATH,
    FluxId,
    LoginSession,
    PhraseRefused,
    login_request,
    parse_login_reply,
    parse_phrase_reply,
    require_admin,
)

log = logging.getLogger(__name__)
KEYRING_SERVICE = "FluxDesk"
FluxIdSource = Callable[[], Awaitable[FluxId]]
Clock = Callable[[], float]


class SessionStore:
    """FluxOS admin sessions, one per node API and Flux ID, in the OS keyring (read and written
    in a worker thread). A keyring that fails leaves the session in memory for this run."""

    def __init__(self, *, use_keyring: bool = True) -> None:
        self._memory: dict[str, LoginSession] = {}
        self._use_keyring = use_keyring

    def __repr__(self) -> str:
        return "SessionStore()"

    @staticmethod
    def _entry(api: str, zelid: str) -> str:
        return f"fluxos-session {api} {zelid}"

    async def get(self, api: str, zelid: str, now_ms: int) -> LoginSession | None:
        entry = self._entry(api, zelid)
        session = self._memory.get(entry)
        if session is None and self._use_keyring:
            session = await asyncio.to_thread(_read, entry)
        if session is None or not session.valid_at(now_ms) or not session.is_admin:
            return None
        self._memory[entry] = session
        return session

    async def put(self, api: str, session: LoginSession) -> None:
        entry = self._entry(api, session.zelid)
        self._memory[entry] = session
        if self._use_keyring:
            await asyncio.to_thread(_write, entry, session)

    async def drop(self, api: str, zelid: str) -> None:
        entry = self._entry(api, zelid)
        self._memory.pop(entry, None)
        if self._use_keyring:
            await asyncio.to_thread(_write, entry, None)


def _read(entry: str) -> LoginSession | None:
    import keyring  # in the worker thread, on first use only

    try:
        text = keyring.get_password(KEYRING_SERVICE, entry)
    except Exception as exc:  # every keyring backend fails its own way
        log.warning("FluxOS session not read from the keyring (%s)", type(exc).__name__)
        return None
    if not text:
        return None
    try:
        doc = json.loads(text)
        return LoginSession(str(doc["zelid"]), str(doc["loginPhrase"]), str(doc["signature"]),
                            str(doc["privilege"]), int(doc["expires_ms"]))
    except (ValueError, TypeError, KeyError):
        return None  # not ours or damaged: a new login replaces it


def _write(entry: str, session: LoginSession | None) -> None:
    import keyring

    try:
        if session is None:
            if keyring.get_password(KEYRING_SERVICE, entry) is not None:
                keyring.delete_password(KEYRING_SERVICE, entry)
            return
        keyring.set_password(KEYRING_SERVICE, entry, json.dumps({
            "zelid": session.zelid, "loginPhrase": session.login_phrase,
            "signature": session.signature, "privilege": session.privilege,
            "expires_ms": session.expires_ms}))
    except Exception as exc:
        log.warning("FluxOS session not kept in the keyring (%s)", type(exc).__name__)


class RemoteFixes:
    """Runs a doctor action on a remote node and says in words what happened."""

    def __init__(self, flux_id: FluxIdSource, sessions: SessionStore | None = None, *,
                 clock: Clock = time.time, timeout: float = 30.0) -> None:
        self._flux_id = flux_id
        self.sessions = sessions or SessionStore()
        self._clock = clock
        self._timeout = timeout

    async def run(self, node: WatchedNode, action: Action, owner: str = "") -> str:
        """``owner``: the node's owner Flux ID when known (named if the login is not admin)."""
        step = remote_action(action)
        if step is None:
            manual = manual_step(action, node.context)
            where = f" On the node, run: {manual.command}" if manual else ""
            return f"Not done: FluxOS offers no way to do this from afar.{where}"
        try:
            flux_id = await self._flux_id()
        except WalletError as exc:
            return f"Not done: the fix logs in to the node with your Flux ID. {exc}"
        api_url = api_base(node.address)
        api = FluxosApi(api_url, timeout=self._timeout)
        try:
            said = await self._admin_get(api, api_url, flux_id, step.route, owner)
        except (MonitorError, WalletError) as exc:
            return f"Not done: {exc}"
        finally:
            await api.close()
        watched = node.watch.probe.fluxos
        if watched is not None:
            watched.forget_cached()  # the re-check that follows must see the node as it is now
        return f"{step.title}: FluxOS says “{said}”."

    async def _admin_get(self, api: FluxosApi, api_url: str, flux_id: FluxId, route: str,
                         owner: str) -> str:
        now_ms = int(self._clock() * 1000)
        session = await self.sessions.get(api_url, flux_id.address, now_ms)
        for attempt in (1, 2):
            if session is None:
                session = await self._login(api, api_url, flux_id, owner)
            try:
                data = await api.call("GET", route, zelidauth=session.zelidauth())
            except NotAllowed:
                await self.sessions.drop(api_url, flux_id.address)
                if attempt == 2:
                    raise
                session = None  # FluxOS forgot the session (restart, logout): log in again
                continue
            return data if isinstance(data, str) else json.dumps(data)[:200]
        raise AssertionError("unreachable")

    async def _login(self, api: FluxosApi, api_url: str, flux_id: FluxId,
                     owner: str) -> LoginSession:
        now_ms = int(self._clock() * 1000)
        try:
            phrase = parse_phrase_reply(await _envelope(api, LOGIN_PHRASE_PATH), now_ms)
        except PhraseRefused:
            # A DOS or broken node refuses login phrases; FluxOS's emergency phrase skips checks.
            phrase = parse_phrase_reply(await _envelope(api, EMERGENCY_PHRASE_PATH), now_ms)
        request = login_request(flux_id, phrase)
        reply = await api.call("POST", VERIFY_LOGIN_PATH, body=request)
        session = require_admin(parse_login_reply({"status": "success", "data": reply}, request),
                                owner)
        await self.sessions.put(api_url, session)
        return session


async def _envelope(api: FluxosApi, route: str) -> dict[str, object]:
    """A phrase route's reply in FluxOS's envelope, for ``parse_phrase_reply`` (it tells a
    refusal, which asks for the emergency phrase, from a phrase)."""
    try:
        return {"status": "success", "data": await api.call("GET", route)}
    except SourceRefused as exc:
        return {"status": "error", "data": {"message": exc.reason or exc.message}}

"""FluxOS's Flux ID login for the simulators (FluxOS idService.js, verificationHelper.js).

Phrases are a 13-digit ms timestamp plus base36 text, valid 15 minutes; /id/verifylogin checks
the Bitcoin-magic signature with coincurve (msgsig.py, not the wallet's code) and answers
"privilage" (FluxOS's spelling) "admin" for the node owner's Flux ID; admin routes read the
``zelidauth`` header (a JSON string, or the qs form) and need the session record and a valid
signature, as verifyPrivilege does.
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

from tests.sim.msgsig import BITCOIN_MAGIC, bitcoin_address, recover

PHRASE_MS = 15 * 60 * 1000
SESSION_MS = 14 * 24 * 60 * 60 * 1000
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def ok(data: Any) -> web.Response:
    return web.json_response({"status": "success", "data": data})


def failure(message: str, name: str = "Error", code: Any = None) -> web.Response:
    return web.json_response({"status": "error",
                              "data": {"code": code, "name": name, "message": message}})


UNAUTHORIZED = {"code": 401, "name": "Unauthorized", "message": "Unauthorized. Access denied."}


def iso(ms: int) -> str:
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


class FluxOsLogin:
    """Login phrases and sessions of one simulated FluxOS; ``owner`` gives the node owner's
    Flux ID (userconfig zelid) at the time of each check."""

    def __init__(self, owner: Callable[[], str],
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.owner = owner
        self.clock_ms = clock_ms
        self.phrases: dict[str, int] = {}  # active login phrases -> expiry (ms)
        self.sessions: dict[tuple[str, str], tuple[str, int]] = {}  # (zelid, phrase) -> sig, exp

    def new_phrase(self) -> str:
        now = self.clock_ms()
        self.phrases = {p: exp for p, exp in self.phrases.items() if exp >= now}
        tail = "".join(secrets.choice(_BASE36) for _ in range(44))
        phrase = f"{now}{tail}"
        self.phrases[phrase] = now + PHRASE_MS
        return phrase

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
        privilage = "admin" if address == self.owner() else "user"
        return ok({"message": "Successfully logged in", "zelid": address, "loginPhrase": message,
                   "signature": signature, "privilage": privilage,
                   "createdAt": iso(int(stamp)), "expireAt": iso(expires)})

    def is_admin(self, request: web.Request) -> bool:
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
        return (zelid == self.owner() and session is not None
                and session[1] > self.clock_ms() and signature_valid(zelid, phrase, signature))

"""A small JSON-over-HTTP source with a time limit and typed errors.

Until the shared HTTP layer of ``flux/`` lands, the monitor's clients (fluxd RPC, FluxOS API,
Telegram, Discord) share this one. aiohttp is imported when the first request is made, so
importing the monitor costs nothing at start-up. Error messages name the source and the kind of
failure only: an exception text can echo the URL, and a Telegram URL carries the bot token.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nodectl.monitor.errors import BadReply, SourceDown, SourceTimeout

if TYPE_CHECKING:
    import aiohttp

NOT_JSON = object()  # HttpReply.body when the reply was not JSON


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: Any  # parsed JSON, or NOT_JSON
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_json(self) -> bool:
        return self.body is not NOT_JSON


class HttpSource:
    """One base URL, one lazily created session, one time limit per request.

    ``name`` is what a person calls the source ("FluxOS", "fluxd"); ``down_hint`` is the next step
    when nothing answers.
    """

    def __init__(self, name: str, base_url: str, *, timeout: float, down_hint: str) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.down_hint = down_hint
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # the base URL may hold a webhook secret: never print it
        return f"{type(self).__name__}({self.name!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> HttpReply:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        sent = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session.request(
                    method, self.base_url + path, json=json_body, headers=sent
                ) as response:
                    raw = await response.read()
                    status = response.status
                    reply_headers = dict(response.headers)
        except TimeoutError:
            raise SourceTimeout(
                f"{self.name} did not answer within {self.timeout:g} s.",
                f"It may be busy or stuck; {self.down_hint}",
            ) from None
        except aiohttp.ClientError as exc:
            raise SourceDown(
                f"{self.name} cannot be reached ({type(exc).__name__}).", self.down_hint
            ) from None
        return HttpReply(status, _parse(raw), reply_headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _parse(raw: bytes) -> Any:
    if not raw.strip():
        return NOT_JSON
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return NOT_JSON


def expect_object(name: str, value: Any, what: str) -> dict[str, Any]:
    """``value`` as a JSON object, else BadReply naming the source and the reply."""
    if not isinstance(value, dict):
        raise BadReply(
            f"{name} sent an unreadable answer to {what}.",
            "Check that the address points at the right service and that it is up to date.",
        )
    return value

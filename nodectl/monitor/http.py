"""A JSON-over-HTTP source with a time limit and the monitor's typed errors, over ``flux.http``.

The monitor's HTTP clients (FluxOS API, Telegram, Discord) share this one; the transport is
``flux.http``'s (aiohttp imported when the first request is made, replies capped). Error
messages name the source and the kind of failure only: an exception text can echo the URL, and
a Telegram URL carries the bot token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flux.http import SessionOwner, TimedOut, Transient, client_timeout, fetch_reply
from nodectl.monitor.errors import BadReply, SourceDown, SourceTimeout

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

    ``name`` is what a person calls the source ("FluxOS", "Telegram"); ``down_hint`` is the next
    step when nothing answers. Transport, timeouts and the reply size cap are ``flux.http``'s; every
    status comes back to the caller, who knows what it means for its service.
    """

    def __init__(self, name: str, base_url: str, *, timeout: float, down_hint: str) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.down_hint = down_hint
        self._http = SessionOwner(None)

    def __repr__(self) -> str:  # the base URL may hold a webhook secret: never print it
        return f"{type(self).__name__}({self.name!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpReply:
        session = await self._http.session()
        try:
            reply = await fetch_reply(
                session, method, self.base_url + path,
                timeout=client_timeout(total=self.timeout, connect=self.timeout),
                json_body=json_body, headers=headers, transient_statuses=lambda _status: False)
        except TimedOut:
            raise SourceTimeout(
                f"{self.name} did not answer within {self.timeout:g} s.",
                f"It may be busy or stuck; {self.down_hint}",
            ) from None
        except Transient as exc:  # flux.http's reasons never carry the URL
            raise SourceDown(f"{self.name} cannot be reached ({exc}).", self.down_hint) from None
        return HttpReply(reply.status, _parse(reply.text), reply.headers)

    async def close(self) -> None:
        await self._http.close()


def _parse(text: str) -> Any:
    if not text.strip():
        return NOT_JSON
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return NOT_JSON


def expect_object(name: str, value: Any, what: str) -> dict[str, Any]:
    """``value`` as a JSON object, else BadReply naming the source and the reply."""
    if not isinstance(value, dict):
        raise BadReply(
            f"{name} sent an unreadable answer to {what}.",
            "Check that the address points at the right service and that it is up to date.",
        )
    return value

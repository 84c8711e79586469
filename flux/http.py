"""The one HTTP layer: one aiohttp session per client, timeouts, a retry policy, a reply cap.

`fetch` returns (status, text) or raises Transient for failures worth retrying elsewhere
(connection refused, DNS, timeout, 5xx, 429). The callers decide what a status means. Streaming
clients (the network benchmark, the bootstrap download) take their sessions and timeouts from
here and classify failures with `transport_errors` / `describe`.

aiohttp costs a noticeable part of start-up, so it is imported only when a session, a timeout or
a request is first made, never when this module is imported.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from flux.errors import FluxError

if TYPE_CHECKING:
    import aiohttp

Sleep = Callable[[float], Awaitable[None]]

# Replies larger than this are refused: no legitimate answer for one page of a wallet's data
# comes close, and a hostile server must not make us buffer gigabytes.
MAX_REPLY_BYTES = 32 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    """`rounds` passes over all servers; between passes wait backoff * factor**n (capped)."""

    rounds: int = 3
    backoff: float = 0.5
    factor: float = 2.0
    max_backoff: float = 8.0
    jitter: float = 0.1
    total_timeout: float = 20.0
    connect_timeout: float = 8.0

    def delay(self, round_index: int) -> float:
        base = min(self.max_backoff, self.backoff * self.factor**round_index)
        return base * (1 + random.uniform(-self.jitter, self.jitter))

    def timeout(self) -> aiohttp.ClientTimeout:
        return client_timeout(total=self.total_timeout, connect=self.connect_timeout)


class Transient(FluxError):
    """A failure another attempt (or server) may not have."""


class TimedOut(Transient):
    """No (whole) answer within the time limit: the server may be up but busy or stuck."""


class SessionOwner:
    """Lazily creates an aiohttp session (inside the running loop) unless one is passed in."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session
        self._owned = session is None

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = new_session()
            self._owned = True
        return self._session

    async def close(self) -> None:
        if self._owned and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


@dataclass(frozen=True)
class Reply:
    """A whole reply: status, body as text (undecodable bytes replaced) and headers."""

    status: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


class RequestOptions(TypedDict, total=False):
    """What a request may add to method, URL and timeout."""

    params: Mapping[str, str] | None
    json_body: Any
    headers: Mapping[str, str] | None
    # Statuses that raise Transient (default: 429 and 5xx); the rest come back to the caller.
    transient_statuses: Callable[[int], bool]
    max_bytes: int | None  # the reply cap (default MAX_REPLY_BYTES)


def _default_transient(status: int) -> bool:
    return status == 429 or status >= 500


async def fetch(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    timeout: aiohttp.ClientTimeout,
    **options: Unpack[RequestOptions],
) -> tuple[int, str]:
    """One request, its whole reply read up to the cap: (status, text)."""
    reply = await fetch_reply(session, method, url, timeout=timeout, **options)
    return reply.status, reply.text


async def fetch_reply(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    timeout: aiohttp.ClientTimeout,
    **options: Unpack[RequestOptions],
) -> Reply:
    """`fetch` with the reply's headers (Retry-After and the like)."""
    import aiohttp

    max_bytes = options.get("max_bytes")
    limit = MAX_REPLY_BYTES if max_bytes is None else max_bytes
    transient_statuses = options.get("transient_statuses", _default_transient)
    try:
        async with session.request(
            method,
            url,
            params=options.get("params"),
            json=options.get("json_body"),
            headers=options.get("headers"),
            timeout=timeout,
            allow_redirects=False,
        ) as response:
            if response.content_length and response.content_length > limit:
                raise Transient(f"reply too large ({response.content_length} bytes)")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise Transient("reply too large")
                chunks.append(chunk)
            text = b"".join(chunks).decode("utf-8", errors="replace")
            if transient_statuses(response.status):
                raise Transient(f"HTTP {response.status} {response.reason or ''}".strip())
            return Reply(response.status, text, dict(response.headers))
    except TimeoutError:
        raise TimedOut(f"no answer within {timeout.total:g} s") from None
    except aiohttp.ClientConnectorError as exc:
        raise Transient(_connect_reason(exc)) from None
    except aiohttp.ClientError as exc:
        raise Transient(f"connection failed ({type(exc).__name__})") from None


def _connect_reason(exc: aiohttp.ClientConnectorError) -> str:
    import aiohttp

    os_error = exc.os_error
    if isinstance(os_error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "host name not found"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "TLS certificate not trusted"
    return f"cannot connect ({os_error.strerror or type(os_error).__name__})"


def basic_auth_header(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


async def default_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def client_timeout(
    total: float | None = None,
    connect: float | None = None,
    sock_connect: float | None = None,
    sock_read: float | None = None,
) -> aiohttp.ClientTimeout:
    """An aiohttp timeout (None: no limit for that phase)."""
    import aiohttp

    return aiohttp.ClientTimeout(
        total=total, connect=connect, sock_connect=sock_connect, sock_read=sock_read
    )


def new_session(timeout: aiohttp.ClientTimeout | None = None) -> aiohttp.ClientSession:
    """A new aiohttp session; call it inside the running event loop."""
    import aiohttp

    if timeout is None:
        return aiohttp.ClientSession()
    return aiohttp.ClientSession(timeout=timeout)


def transport_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a request can fail with for reasons of the network, not of our code."""
    import aiohttp

    return (TimeoutError, aiohttp.ClientError)


def describe(exc: BaseException) -> str:
    """A short plain reason for a transport failure ("connection refused", "timed out")."""
    import aiohttp

    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _connect_reason(exc)
    if isinstance(exc, aiohttp.ClientError):
        return f"connection failed ({type(exc).__name__})"
    return str(exc) or type(exc).__name__

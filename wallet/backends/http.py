"""Shared HTTP plumbing for the backends: one aiohttp session, timeouts and a retry policy.

`fetch` returns (status, text) or raises Transient for failures worth retrying elsewhere
(connection refused, DNS, timeout, 5xx, 429). The callers decide what a status means.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

Sleep = Callable[[float], Awaitable[None]]

# Replies larger than this are refused: no legitimate answer for one page of a wallet's data
# comes close, and a hostile server must not make us buffer gigabytes.
MAX_REPLY_BYTES = 32 * 1024 * 1024


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
        return aiohttp.ClientTimeout(total=self.total_timeout, connect=self.connect_timeout)


class Transient(Exception):
    """A failure another attempt (or server) may not have."""


class SessionOwner:
    """Lazily creates an aiohttp session (inside the running loop) unless one is passed in."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session
        self._owned = session is None

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._owned = True
        return self._session

    async def close(self) -> None:
        if self._owned and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


async def fetch(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    timeout: aiohttp.ClientTimeout,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    transient_statuses: Callable[[int], bool] = lambda s: s == 429 or s >= 500,
) -> tuple[int, str]:
    try:
        async with session.request(
            method,
            url,
            params=params,
            json=json_body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        ) as response:
            if response.content_length and response.content_length > MAX_REPLY_BYTES:
                raise Transient(f"reply too large ({response.content_length} bytes)")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise Transient("reply too large")
                chunks.append(chunk)
            text = b"".join(chunks).decode("utf-8", errors="replace")
            if transient_statuses(response.status):
                raise Transient(f"HTTP {response.status} {response.reason or ''}".strip())
            return response.status, text
    except TimeoutError:
        raise Transient(f"no answer within {timeout.total:g} s") from None
    except aiohttp.ClientConnectorError as exc:
        raise Transient(_connect_reason(exc)) from None
    except aiohttp.ClientError as exc:
        raise Transient(f"connection failed ({type(exc).__name__})") from None


def _connect_reason(exc: aiohttp.ClientConnectorError) -> str:
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

"""Download, upload and latency against configurable HTTP endpoints (sessions from flux.http).

fluxbench's own network test is an unpublished speedtest client (docs/node-ops.md), so this is an
estimate: download from the Flux bootstrap CDN hosts the installer itself speed-tests, upload to a
configurable sink, each for a bounded time and size.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flux import http
from nodectl.bench.errors import NetworkBenchError

if TYPE_CHECKING:
    import aiohttp

MIB = 1024 * 1024
CHUNK = http.CHUNK_BYTES
# The installer speed-tests cdn-5…cdn-12 for the bootstrap download (docs/node-ops.md, bootstrap).
DEFAULT_DOWNLOAD_URLS: tuple[str, ...] = tuple(
    f"http://cdn-{n}.runonflux.io/apps/fluxshare/getfile/flux_explorer_bootstrap.tar.gz"
    for n in range(5, 13)
)
# No Flux host accepts uploads: a public speed-test sink is the default; settings can replace it.
DEFAULT_UPLOAD_URLS: tuple[str, ...] = ("https://speed.cloudflare.com/__up",)


SETTING_DOWNLOAD = "bench_download_urls"
SETTING_UPLOAD = "bench_upload_urls"


@dataclass(frozen=True)
class NetworkEndpoints:
    download_urls: tuple[str, ...] = DEFAULT_DOWNLOAD_URLS
    upload_urls: tuple[str, ...] = DEFAULT_UPLOAD_URLS

    @classmethod
    def from_settings(cls, extra: Mapping[str, object]) -> NetworkEndpoints:
        """Endpoints from the free-form settings entries, defaults where a list is absent."""

        def urls(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            value = extra.get(key)
            if not isinstance(value, list | tuple) or not value:
                return default
            picked = tuple(str(v) for v in value if str(v).startswith(("http://", "https://")))
            if len(picked) != len(value):
                raise NetworkBenchError(
                    f"Setting {key} must list http:// or https:// addresses only."
                )
            return picked

        return cls(
            download_urls=urls(SETTING_DOWNLOAD, DEFAULT_DOWNLOAD_URLS),
            upload_urls=urls(SETTING_UPLOAD, DEFAULT_UPLOAD_URLS),
        )


@dataclass(frozen=True)
class NetworkLimits:
    seconds: float = 10.0  # per direction
    max_bytes: int = 1024 * MIB  # per direction; stops early on very fast links
    timeout: float = 8.0  # connect and per-read
    latency_samples: int = 5

    def reached(self, elapsed: float, moved: int) -> bool:
        return elapsed >= self.seconds or moved >= self.max_bytes

    def fraction(self, elapsed: float, moved: int) -> float:
        """Progress of one direction: whichever limit is nearer decides when it stops."""
        return min(max(elapsed / self.seconds, moved / self.max_bytes), 1.0)


@dataclass(frozen=True)
class Throughput:
    url: str
    bytes: int
    seconds: float

    @property
    def mbit_s(self) -> float:
        return self.bytes * 8 / self.seconds / 1e6 if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Latency:
    url: str
    samples_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)


class _Breather:
    """Yields to the event loop every few milliseconds during a transfer.

    On a fast link the socket never blocks, so reading buffered data or writing to an unpaused
    transport completes without suspending: a transfer loop would then keep the (GUI) event loop
    to itself for as long as it runs.
    """

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.last = time.perf_counter()

    async def pause(self) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every:
            await asyncio.sleep(0)
            self.last = time.perf_counter()


# Said once per run when any network step failed (the steps themselves say only what failed).
ADVICE = (
    "No network test server answered: check the internet connection, or change the test "
    "servers (Settings page in the app, --download-url/--upload-url on the command line)."
)


def _fail(kind: str, errors: Sequence[str]) -> NetworkBenchError:
    """One plain sentence for every endpoint that failed, grouped by reason, hosts not URLs."""
    if not errors:
        return NetworkBenchError(f"No {kind} server is set.")
    hosts_by_reason: dict[str, list[str]] = {}
    for entry in errors:
        url, _, reason = entry.partition(": ")
        host = urlsplit(url).hostname or url
        hosts = hosts_by_reason.setdefault(reason, [])
        if host not in hosts:
            hosts.append(host)
    parts = []
    for reason, hosts in hosts_by_reason.items():
        shown = ", ".join(hosts[:2]) + (f" and {len(hosts) - 2} more" if len(hosts) > 2 else "")
        parts.append(f"{shown}: {reason}")
    return NetworkBenchError(f"No {kind} server answered ({'; '.join(parts)}).")


def client_timeout(limits: NetworkLimits) -> aiohttp.ClientTimeout:
    return http.client_timeout(connect=limits.timeout, sock_read=limits.timeout)


async def _latency_of(session: aiohttp.ClientSession, url: str, samples: int) -> Latency:
    times: list[float] = []
    # The first request pays for DNS, TCP and TLS; the rest reuse the connection, so they show
    # the round trip the way a ping-style figure does.
    async with session.head(url, allow_redirects=False) as first:
        await first.read()
    for _ in range(samples):
        started = time.perf_counter()
        async with session.head(url, allow_redirects=False) as resp:
            await resp.read()
        times.append((time.perf_counter() - started) * 1000)
    return Latency(url=url, samples_ms=tuple(times))


async def measure_latency(
    session: aiohttp.ClientSession, urls: Sequence[str], limits: NetworkLimits
) -> list[Latency]:
    """Latency to every endpoint that answers (any HTTP status counts), fastest first.

    Endpoints are probed at the same time, so one dead host costs one timeout, not one each.
    """
    outcomes = await asyncio.gather(
        *(_latency_of(session, url, limits.latency_samples) for url in urls),
        return_exceptions=True,
    )
    results: list[Latency] = []
    errors: list[str] = []
    for url, outcome in zip(urls, outcomes, strict=True):
        if isinstance(outcome, Latency):
            results.append(outcome)
        elif isinstance(outcome, http.transport_errors()):
            errors.append(f"{url}: {http.describe(outcome)}")
        else:
            raise outcome
    if not results:
        raise _fail("latency", errors)
    return sorted(results, key=lambda r: r.median_ms)


async def measure_download(
    session: aiohttp.ClientSession,
    urls: Sequence[str],
    limits: NetworkLimits,
    on_progress: Callable[[float], None] | None = None,
) -> Throughput:
    """Read from the first endpoint that answers until the time or byte limit is reached."""
    errors: list[str] = []
    for url in urls:
        try:
            async with session.get(url) as resp:
                if resp.status not in (200, 206):
                    errors.append(f"{url}: HTTP {resp.status}")
                    continue
                received = 0
                started = time.perf_counter()
                breather = _Breather()
                async for chunk in resp.content.iter_chunked(CHUNK):
                    await breather.pause()
                    received += len(chunk)
                    elapsed = time.perf_counter() - started
                    if on_progress is not None:
                        on_progress(limits.fraction(elapsed, received))
                    if limits.reached(elapsed, received):
                        break
                seconds = time.perf_counter() - started
                if received == 0:
                    errors.append(f"{url}: empty answer")
                    continue
                return Throughput(url=url, bytes=received, seconds=seconds)
        except http.transport_errors() as exc:
            errors.append(f"{url}: {http.describe(exc)}")
    raise _fail("download", errors)


async def _zeros(
    limits: NetworkLimits,
    sent: list[int],
    started: list[float],
    on_progress: Callable[[float], None] | None,
) -> AsyncIterator[bytes]:
    block = bytes(CHUNK)
    breather = _Breather()
    started.append(time.perf_counter())
    while True:
        elapsed = time.perf_counter() - started[0]
        if limits.reached(elapsed, sent[0]):
            return
        if on_progress is not None:
            on_progress(limits.fraction(elapsed, sent[0]))
        await breather.pause()
        yield block
        sent[0] += len(block)


async def measure_upload(
    session: aiohttp.ClientSession,
    urls: Sequence[str],
    limits: NetworkLimits,
    on_progress: Callable[[float], None] | None = None,
) -> Throughput:
    """POST zeros to the first endpoint that accepts them, for the time or byte limit."""
    errors: list[str] = []
    for url in urls:
        sent = [0]
        started: list[float] = []
        try:
            body = _zeros(limits, sent, started, on_progress)
            async with session.post(url, data=body) as resp:
                await resp.read()
                finished = time.perf_counter()
                if resp.status >= 400:
                    errors.append(f"{url}: HTTP {resp.status}")
                    continue
            if not started or sent[0] == 0:
                errors.append(f"{url}: nothing was sent")
                continue
            return Throughput(url=url, bytes=sent[0], seconds=finished - started[0])
        except http.transport_errors() as exc:
            errors.append(f"{url}: {http.describe(exc)}")
    raise _fail("upload", errors)

"""Chain bootstrap download: fastest CDN, HTTPS where offered, Range resume, disk checks.

The official installer runs ``wget --tries 5`` over plain HTTP after a 6 s test per CDN and
trusts whatever arrives. Flux publishes no checksum or signature for the bootstrap (only a
``flux_explorer_bootstrap.json`` with the block height), so nothing can prove the archive is
the published one: each CDN host is tried over HTTPS first, and the archive is read end to end
and held to a member allow-list before anything is extracted (:mod:`archive`,
docs/bootstrap.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported where a download starts: the app's window shows without loading aiohttp.
    import aiohttp

FreeSpace = Callable[[Path], int]
MiB = 1 << 20


class BootstrapError(Exception):
    """Download failed in a way a person can act on (message says how)."""


class DiskFull(BootstrapError):
    pass


@dataclass(frozen=True)
class Progress:
    phase: str  # "speedtest" | "download"
    done: int
    total: int
    speed_bps: float
    eta_s: float | None
    message: str = ""


ProgressSink = Callable[[Progress], None]


def default_free_space(path: Path) -> int:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def https_twin(url: str) -> str | None:
    """The same address over HTTPS, for an ``http://`` URL (None if already HTTPS)."""
    return "https://" + url.removeprefix("http://") if url.startswith("http://") else None


def _downgraded(url: str, resp: aiohttp.ClientResponse) -> bool:
    """An HTTPS request that a redirect turned into plain HTTP."""
    return url.startswith("https://") and resp.url.scheme != "https"


def _total_from(resp: aiohttp.ClientResponse, have: int) -> int | None:
    if resp.status == 206:
        content_range = resp.headers.get("Content-Range", "")
        _, _, total = content_range.rpartition("/")
        return int(total) if total.isdigit() else None
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


class Downloader:
    def __init__(self, session: aiohttp.ClientSession, *,
                 free_space: FreeSpace = default_free_space,
                 reserve: int = 1024 * MiB, extract_factor: float = 1.5, retries: int = 5,
                 chunk: int = MiB, speedtest_seconds: float = 3.0, speedtest_bytes: int = 16 * MiB,
                 backoff: float = 2.0, space_check_every: int = 64 * MiB,
                 clock: Callable[[], float] = time.monotonic,
                 upgrade: Callable[[str], str | None] = https_twin) -> None:
        self._session = session
        self._upgrade = upgrade
        self._free_space = free_space
        self._reserve = reserve
        self._extract_factor = extract_factor
        self._retries = retries
        self._chunk = chunk
        self._test_seconds = speedtest_seconds
        self._test_bytes = speedtest_bytes
        self._backoff = backoff
        self._check_every = space_check_every
        self._clock = clock

    async def measure(self, url: str) -> float:
        """Bytes per second over a short ranged read; 0.0 if the CDN does not answer."""
        headers = {"Range": f"bytes=0-{self._test_bytes - 1}"}
        got = 0
        start = self._clock()
        import aiohttp

        try:
            timeout = aiohttp.ClientTimeout(total=self._test_seconds + 5, sock_connect=5)
            async with self._session.get(url, headers=headers, timeout=timeout) as resp:
                if resp.status not in (200, 206) or _downgraded(url, resp):
                    return 0.0
                async for block in resp.content.iter_chunked(64 * 1024):
                    got += len(block)
                    if got >= self._test_bytes or self._clock() - start >= self._test_seconds:
                        break
        except (aiohttp.ClientError, TimeoutError, OSError):
            return 0.0
        return got / max(self._clock() - start, 1e-6)

    async def measure_best_scheme(self, url: str) -> tuple[str, float]:
        """(URL, speed) over HTTPS if the host answers on it, else over ``url`` as given."""
        secure = self._upgrade(url)
        if secure is not None:
            speed = await self.measure(secure)
            if speed > 0:
                return secure, speed
        return url, await self.measure(url)

    async def pick_fastest(self, urls: Sequence[str], on_progress: ProgressSink | None = None,
                           ) -> str:
        """Test CDNs one after another (in parallel they would share the line)."""
        best, best_speed = "", 0.0
        for index, listed in enumerate(urls):
            url, speed = await self.measure_best_scheme(listed)
            if on_progress:
                on_progress(Progress("speedtest", index + 1, len(urls), speed, None,
                                     f"{url}: {speed / MiB:.1f} MiB/s"))
            if speed > best_speed:
                best, best_speed = url, speed
        if not best:
            raise BootstrapError("no bootstrap server answered; check the internet connection "
                                 "or try again later")
        return best

    def _need(self, total: int, have: int) -> int:
        return int(total - have + total * self._extract_factor) + self._reserve

    def _check_space(self, folder: Path, total: int, have: int) -> None:
        free = self._free_space(folder)
        need = self._need(total, have)
        if free < need:
            raise DiskFull(
                f"not enough disk space in {folder}: {free / 1e9:.1f} GB free, about "
                f"{need / 1e9:.1f} GB needed for the rest of the download and its extraction; "
                "free some space, then Retry (the download resumes where it stopped)")

    async def download(self, url: str, dest: Path, on_progress: ProgressSink | None = None,
                       ) -> Path:
        """Download ``url`` to ``dest``, resuming ``dest.part`` across cuts and restarts."""
        import aiohttp

        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        reported = 0
        speed = 0.0
        failures = 0
        while True:
            have = part.stat().st_size if part.exists() else 0
            attempt_start = have
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                timeout = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=60)
                async with self._session.get(url, headers=headers, timeout=timeout) as resp:
                    if resp.status == 416 and have:
                        break  # nothing left to fetch: the part file is complete
                    if resp.status not in (200, 206):
                        raise BootstrapError(f"server answered HTTP {resp.status} for {url}")
                    if _downgraded(url, resp):
                        raise BootstrapError(f"{url} redirected to plain HTTP ({resp.url}); "
                                             "Retry picks a server again")
                    total = _total_from(resp, have)
                    if total is None:
                        raise BootstrapError("server did not say how big the bootstrap is")
                    self._check_space(dest.parent, total, have)
                    # A 200 answer ignores our Range: skip what we already have so progress
                    # never goes backwards and the part file stays valid.
                    skip = have if resp.status == 200 else 0
                    window_start, window_bytes = self._clock(), 0
                    since_check = 0
                    with part.open("ab") as out:
                        async for received in resp.content.iter_chunked(self._chunk):
                            block = received
                            if skip:
                                drop = min(skip, len(block))
                                block, skip = block[drop:], skip - drop
                                if not block:
                                    continue
                            out.write(block)
                            have += len(block)
                            window_bytes += len(block)
                            since_check += len(block)
                            if since_check >= self._check_every:
                                out.flush()
                                self._check_space(dest.parent, total, have)
                                since_check = 0
                            elapsed = self._clock() - window_start
                            if elapsed >= 0.5:
                                current = window_bytes / elapsed
                                speed = current if speed == 0 else 0.7 * speed + 0.3 * current
                                window_start, window_bytes = self._clock(), 0
                            if on_progress and have > reported:
                                reported = have
                                eta = (total - have) / speed if speed > 0 else None
                                on_progress(Progress("download", have, total, speed, eta))
                    if have >= total:
                        break
                    raise aiohttp.ClientPayloadError("connection closed before the end")
            except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
                # Count only cuts that made no progress: a long download may be cut many times.
                gained = (part.stat().st_size if part.exists() else 0) > attempt_start
                failures = 1 if gained else failures + 1
                if failures > self._retries:
                    raise BootstrapError(
                        f"download kept failing ({exc}); Retry resumes from "
                        f"{part.stat().st_size / 1e9 if part.exists() else 0:.2f} GB") from exc
                await asyncio.sleep(self._backoff * failures)
        part.replace(dest)
        return dest


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()

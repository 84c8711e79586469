"""Network test against a local aiohttp server on 127.0.0.1 only."""

from __future__ import annotations

import time

import aiohttp
import pytest

from nodectl.bench import network
from nodectl.bench.errors import NetworkBenchError
from tests.nodectl.bench_helpers import local_http

MIB = 1024 * 1024
LIMITS = network.NetworkLimits(seconds=5.0, max_bytes=4 * MIB, timeout=2.0, latency_samples=3)


@pytest.mark.asyncio
async def test_download_reads_up_to_the_byte_limit() -> None:
    fractions: list[float] = []
    async with local_http(download_bytes=16 * MIB) as base, aiohttp.ClientSession() as session:
        result = await network.measure_download(session, [f"{base}/down"], LIMITS, fractions.append)
    assert result.url.endswith("/down")
    assert 4 * MIB <= result.bytes < 4 * MIB + 64 * 1024 + 1
    assert result.mbit_s == pytest.approx(result.bytes * 8 / result.seconds / 1e6)
    assert fractions and max(fractions) <= 1.0


@pytest.mark.asyncio
async def test_download_falls_back_to_the_next_endpoint() -> None:
    async with local_http(download_bytes=MIB) as base, aiohttp.ClientSession() as session:
        urls = [f"{base}/missing", "http://127.0.0.1:9/refused", f"{base}/down"]
        result = await network.measure_download(session, urls, LIMITS)
    assert result.url == f"{base}/down"
    assert result.bytes == MIB  # the whole (short) answer


@pytest.mark.asyncio
async def test_upload_posts_until_the_byte_limit() -> None:
    async with local_http() as base, aiohttp.ClientSession() as session:
        result = await network.measure_upload(session, [f"{base}/up"], LIMITS)
    assert result.bytes == 4 * MIB
    assert result.mbit_s > 0


@pytest.mark.asyncio
async def test_upload_rejected_everywhere_is_a_typed_error() -> None:
    async with local_http() as base, aiohttp.ClientSession() as session:
        with pytest.raises(NetworkBenchError, match=r"No upload server answered \(127.0.0.1: HTTP 40"):
            # A server that rejects the POST still receives the body first: keep it short.
            short = network.NetworkLimits(seconds=0.5, max_bytes=MIB, timeout=2.0)
            await network.measure_upload(session, [f"{base}/missing"], short)


@pytest.mark.asyncio
async def test_latency_orders_endpoints_and_skips_dead_ones() -> None:
    async with local_http() as base, aiohttp.ClientSession() as session:
        results = await network.measure_latency(
            session, ["http://127.0.0.1:9/refused", f"{base}/down"], LIMITS
        )
    assert [r.url for r in results] == [f"{base}/down"]
    assert len(results[0].samples_ms) == 3
    assert 0 < results[0].median_ms < 1000


@pytest.mark.asyncio
async def test_nothing_reachable() -> None:
    async with aiohttp.ClientSession(timeout=network.client_timeout(LIMITS)) as session:
        with pytest.raises(NetworkBenchError, match=r"^No download server answered \(127.0.0.1: connection refused\)\.$"):
            await network.measure_download(session, ["http://127.0.0.1:9/a"] * 4, LIMITS)
        with pytest.raises(NetworkBenchError, match="No latency server is set"):
            await network.measure_latency(session, [], LIMITS)


def test_defaults_are_the_bootstrap_cdn_hosts() -> None:
    hosts = [url.split("/")[2] for url in network.NetworkEndpoints().download_urls]
    assert hosts == [f"cdn-{n}.runonflux.io" for n in range(5, 13)]


def test_endpoints_from_settings() -> None:
    default = network.NetworkEndpoints()
    assert network.NetworkEndpoints.from_settings({}) == default
    custom = network.NetworkEndpoints.from_settings(
        {"bench_download_urls": ["http://mirror.example/x"], "bench_upload_urls": []}
    )
    assert custom.download_urls == ("http://mirror.example/x",)
    assert custom.upload_urls == default.upload_urls
    with pytest.raises(NetworkBenchError, match="bench_upload_urls must list http"):
        network.NetworkEndpoints.from_settings({"bench_upload_urls": ["ftp://x"]})


@pytest.mark.asyncio
async def test_dead_hosts_are_probed_at_the_same_time() -> None:
    limits = network.NetworkLimits(seconds=1.0, max_bytes=MIB, timeout=1.0, latency_samples=1)
    timeout = network.client_timeout(limits)
    async with local_http() as base, aiohttp.ClientSession(timeout=timeout) as session:
        started = time.monotonic()
        results = await network.measure_latency(
            session, [f"{base}/hang"] * 4 + [f"{base}/down"], limits
        )
        elapsed = time.monotonic() - started
    assert [r.url for r in results] == [f"{base}/down"]
    # One after the other, four hung hosts would take at least 4 × 1 s.
    assert elapsed < 3.0


@pytest.mark.asyncio
async def test_failures_are_plain_words_grouped_by_reason() -> None:
    urls = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b", "http://127.0.0.1:9/c"]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(NetworkBenchError) as caught:
            await network.measure_download(session, urls, LIMITS)
    message = str(caught.value)
    assert message == "No download server answered (127.0.0.1: connection refused)."
    assert message.count("127.0.0.1") == 1  # one host, said once
    for raw in ("Connect call failed", "ssl:default", "ClientConnectorError", "http://"):
        assert raw not in message

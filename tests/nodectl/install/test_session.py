"""The public-IP lookup: first good answer wins, junk and dead services are named, never fatal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from nodectl.install.session import lookup_public_ip


@pytest_asyncio.fixture
async def ip_services(unused_tcp_port_factory) -> AsyncIterator[dict[str, str]]:
    async def good(_request: web.Request) -> web.Response:
        return web.Response(text="203.0.113.7\n")

    async def junk(_request: web.Request) -> web.Response:
        return web.Response(text="<html>rate limited</html>")

    async def huge(_request: web.Request) -> web.Response:
        return web.Response(text="1" * 5000)

    app = web.Application()
    app.router.add_get("/good", good)
    app.router.add_get("/junk", junk)
    app.router.add_get("/huge", huge)
    runner = web.AppRunner(app)
    await runner.setup()
    port = unused_tcp_port_factory()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    try:
        yield {
            "good": f"{base}/good",
            "junk": f"{base}/junk",
            "huge": f"{base}/huge",
            "dead": f"http://127.0.0.1:{unused_tcp_port_factory()}/ip",
        }
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_first_service_with_an_ipv4_answer_wins(ip_services) -> None:
    urls = [ip_services["dead"], ip_services["junk"], ip_services["good"]]
    found = await lookup_public_ip(urls, timeout=5)
    assert (found.address, found.error) == ("203.0.113.7", "")


@pytest.mark.asyncio
async def test_no_answer_names_each_service_and_why(ip_services) -> None:
    urls = [ip_services["dead"], ip_services["junk"], ip_services["huge"]]
    found = await lookup_public_ip(urls, timeout=5)
    assert found.address is None
    assert "connection refused" in found.error
    assert "not an IPv4 address" in found.error
    assert "too large" in found.error

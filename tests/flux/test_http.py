"""The HTTP layer: aiohttp only when used, the reply cap, plain reasons for transport failures."""

from __future__ import annotations

import subprocess
import sys

import pytest
from aiohttp import web

from flux import http
from tests.paths import REPO_ROOT


def test_importing_flux_does_not_import_aiohttp() -> None:
    # aiohttp costs start-up time; the window must be able to show before any request is made.
    modules = sorted(p.stem for p in (REPO_ROOT / "flux").glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import flux.{m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'PySide6')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.asyncio
async def test_reply_cap_and_unreachable_reasons(unused_tcp_port: int) -> None:
    async def big(_request: web.Request) -> web.Response:
        return web.Response(text="x" * 5000)

    app = web.Application()
    app.router.add_get("/", big)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    url = f"http://127.0.0.1:{unused_tcp_port}/"
    try:
        limit = http.client_timeout(total=5)
        async with http.new_session(limit) as session:
            status, text = await http.fetch(session, "GET", url, timeout=limit)
            assert (status, len(text)) == (200, 5000)
            with pytest.raises(http.Transient, match="too large"):
                await http.fetch(session, "GET", url, timeout=limit, max_bytes=4999)
    finally:
        await runner.cleanup()
    async with http.new_session() as session:
        with pytest.raises(http.Transient, match="connection refused"):
            await http.fetch(session, "GET", url, timeout=http.client_timeout(total=5))


def test_backoff_grows_and_is_capped() -> None:
    policy = http.RetryPolicy(backoff=1, factor=2, max_backoff=5, jitter=0)
    assert [policy.delay(n) for n in range(5)] == [1, 2, 4, 5, 5]

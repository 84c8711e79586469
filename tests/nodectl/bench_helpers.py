"""Shared helpers for the benchmark tests: fake tools on disk and a local HTTP server."""

from __future__ import annotations

import asyncio
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

SYSBENCH_OUTPUT = """sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)

Running the test with following options:
Number of threads: {threads}
Initializing random number generator from current time


Prime numbers limit: 60000

Initializing worker threads...

Threads started!

CPU speed:
    events per second:   {eps}

General statistics:
    total time:                          1.0144s
    total number of events:              102

Latency (ms):
         min:                                   17.04
         avg:                                   19.87
         max:                                   22.13
         95th percentile:                       21.89
         sum:                                 2026.69

Threads fairness:
    events (avg/stddev):           51.0000/0.00
    execution time (avg/stddev):   1.0133/0.00
"""


def write_tool(path: Path, body: str) -> Path:
    """An executable Python script at ``path`` (stands in for sysbench / fluxbench-cli)."""
    path.write_text(f"#!{sys.executable}\nimport sys, time, json\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def fake_sysbench(directory: Path, eps_single: float = 90.5, sleep: float = 0.0) -> Path:
    """A sysbench that prints real-format output: ``eps_single`` per thread."""
    template = SYSBENCH_OUTPUT.replace("{", "{{").replace("}", "}}")
    template = template.replace("{{threads}}", "{threads}").replace("{{eps}}", "{eps}")
    body = f"""
threads = 1
for arg in sys.argv[1:]:
    if arg.startswith("--threads="):
        threads = int(arg.split("=", 1)[1])
time.sleep({sleep})
print({template!r}.format(threads=threads, eps=round({eps_single} * threads, 2)))
"""
    return write_tool(directory / "sysbench", body)


@asynccontextmanager
async def local_http(download_bytes: int = 8 * 1024 * 1024) -> AsyncIterator[str]:
    """A speed-test server on 127.0.0.1: GET/HEAD /down, POST /up, /hang never answers."""

    async def down(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = download_bytes
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        block = bytes(64 * 1024)
        sent = 0
        while sent < download_bytes:
            part = block[: download_bytes - sent]
            await response.write(part)
            sent += len(part)
        await response.write_eof()
        return response

    async def up(request: web.Request) -> web.Response:
        received = 0
        async for chunk in request.content.iter_any():
            received += len(chunk)
        return web.json_response({"received": received})

    async def hang(_request: web.Request) -> web.Response:
        await asyncio.sleep(60)
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/hang", hang)
    app.router.add_route("GET", "/down", down)
    app.router.add_route("HEAD", "/down", down)
    app.router.add_route("POST", "/up", up)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()

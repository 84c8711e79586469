"""Run aiohttp apps on 127.0.0.1 (free ports) and a fake fluxbench-cli that talks to one."""

from __future__ import annotations

import base64
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

HOST = "127.0.0.1"


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Base URL of ``app`` while the context is open."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
    try:
        yield f"http://{HOST}:{port}"
    finally:
        await runner.cleanup()


CLI_SOURCE = '''#!{python}
"""fluxbench-cli stand-in: one JSON-RPC call to the simulated fluxbenchd, printed like the CLI."""
import base64, json, sys, urllib.error, urllib.request
URL, AUTH = {url!r}, {auth!r}
body = json.dumps({{"id": 1, "method": sys.argv[-1], "params": []}}).encode()
request = urllib.request.Request(URL, data=body, headers={{"Authorization": AUTH}})
try:
    with urllib.request.urlopen(request, timeout=30) as reply:
        doc = json.loads(reply.read())
except urllib.error.HTTPError as exc:
    sys.exit(f"error: incorrect rpcuser or rpcpassword" if exc.code == 401 else f"error: {{exc.code}}")
except (OSError, ValueError):
    sys.exit("error: couldn't connect to server")
print(json.dumps(doc["result"], indent=2))
'''


def fake_fluxbench_cli(folder: Path, url: str, user: str, password: str) -> Path:
    path = folder / "fluxbench-cli"
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(CLI_SOURCE.format(python=sys.executable, url=url, auth=auth))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path

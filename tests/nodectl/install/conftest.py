"""Fixtures for installer tests: valid inputs, a sandbox machine, a local bootstrap server."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from nodectl.install.params import InstallParams, make_params
from nodectl.install.sandbox import SandboxHost

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    num = int.from_bytes(data, "big")
    out = ""
    while num:
        num, rem = divmod(num, 58)
        out = B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


WIF = b58check(b"\x80" + bytes(range(1, 33)) + b"\x01")
TESTNET_WIF = b58check(b"\xef" + bytes(range(1, 33)) + b"\x01")
ZELID = b58check(b"\x00" + bytes(range(20)))
TXID = "ab" * 32


def param_kwargs(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "user": "fluxnode", "identity_wif": WIF, "collateral_txid": TXID,
        "collateral_index": 0, "public_ip": "203.0.113.7", "zelid": ZELID,
    }
    base.update(over)
    return base


@pytest.fixture
def params() -> InstallParams:
    return make_params(**param_kwargs())  # type: ignore[arg-type]


@pytest.fixture
def sandbox(tmp_path: Path) -> SandboxHost:
    host = SandboxHost(tmp_path / "root")
    host.seed_machine()
    return host


def make_bootstrap(members: tuple[str, ...] = ("blocks", "chainstate", "determ_zelnodes"),
                   size: int = 300_000, gz: bool = True) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for member in members:
            data = os.urandom(size)
            info = tarfile.TarInfo(f"{member}/data.dat")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class BootstrapServer:
    """Serves archives with Range support; ``cut_once`` drops the first response mid-body."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut_once: set[str] = set()
        self.ignore_range: set[str] = set()
        self.delay: dict[str, float] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.base = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        range_header = request.headers.get("Range")
        self.requests.append((name, range_header))
        data = self.files.get(name)
        if data is None:
            raise web.HTTPNotFound()
        start, end = 0, len(data) - 1
        status = 200
        if range_header and name not in self.ignore_range:
            spec = range_header.removeprefix("bytes=")
            first, _, last = spec.partition("-")
            start = int(first)
            end = min(int(last), len(data) - 1) if last else len(data) - 1
            if start >= len(data):
                return web.Response(status=416)
            status = 206
        body = data[start:end + 1]
        resp = web.StreamResponse(status=status)
        resp.content_length = len(body)
        if status == 206:
            resp.headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        await resp.prepare(request)
        if name in self.cut_once:
            self.cut_once.discard(name)
            await resp.write(body[: len(body) // 3])
            await asyncio.sleep(0.05)
            assert request.transport is not None
            request.transport.close()  # the server drops the connection mid-body
            return resp
        for offset in range(0, len(body), 64 * 1024):
            await resp.write(body[offset:offset + 64 * 1024])
            if name in self.delay:
                await asyncio.sleep(self.delay[name])
        await resp.write_eof()
        return resp


@pytest_asyncio.fixture
async def bootstrap_server() -> AsyncIterator[BootstrapServer]:
    server = BootstrapServer()
    app = web.Application()
    app.router.add_get("/{name}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = site._server.sockets  # type: ignore[union-attr]
    port = sockets[0].getsockname()[1]
    server.base = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


@pytest_asyncio.fixture
async def rig(tmp_path: Path) -> AsyncIterator[object]:
    """The real privileged helper over a fake machine root (see helper_rig)."""
    from .helper_rig import MachineRoot, Rig, helper_for

    if os.geteuid() != 0:
        pytest.skip("the helper's attack tests run it as root, as pkexec would (CI runs as root)")

    machine = MachineRoot(tmp_path)
    helper = helper_for(machine)
    yield Rig(machine, helper)
    await helper.close()


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def harness(tmp_path: Path, bootstrap_server: BootstrapServer,
            session: aiohttp.ClientSession, params: InstallParams) -> object:
    """The whole plan on a sandbox machine (see test_runner.Harness)."""
    from .test_runner import Harness

    return Harness(tmp_path, bootstrap_server, session, params)

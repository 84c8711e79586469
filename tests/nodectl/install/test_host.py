"""LocalHost basics that are safe to run here (no privileged helper is started)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodectl.install import facts as facts_mod
from nodectl.install.host import LocalHost
from nodectl.install.operations import Operation
from nodectl.install.privclient import PrivilegedHelper


class NoHelper(PrivilegedHelper):
    async def call(self, op: str, *args: object, **fields: object) -> dict[str, object]:  # type: ignore[override]
        raise AssertionError(f"the privileged helper must not be used here ({op})")


@pytest.mark.asyncio
@pytest.mark.skipif(os.geteuid() != 0, reason="the app performs operations itself only as root")
async def test_root_local_host_performs_checked_operations_itself(tmp_path: Path) -> None:
    host = LocalHost(tmp_path / "scratch", NoHelper())
    lines: list[str] = []
    result = await host.perform(Operation("user_id", {"user": "nobody"}), on_line=lines.append)
    assert result.ok and result.tail == ("65534",) and lines == ["65534"]
    assert result.argv == ("id", "-u", "nobody")
    with pytest.raises(Exception, match="not an allowed package"):
        await host.perform(Operation("install_packages", {"names": ["-oAPT::X=1"]}))


@pytest.mark.asyncio
async def test_local_host_looks_without_the_helper(tmp_path: Path) -> None:
    host = LocalHost(tmp_path / "scratch", NoHelper(), privileged_reads=False)
    assert await host.exists("/home/nobody-fluxdesk/.flux/flux.conf") is False
    assert await host.read_text("/nonexistent/x") is None
    assert await host.disk_free("/nonexistent/deeper") > 0
    facts = await facts_mod.gather(host, "fluxnode")
    assert facts.threads == os.cpu_count() and facts.ram_mib > 0
    assert (facts.distro and facts.arch in ("amd64", "arm64", "i386")) or facts.machine
    assert host.scratch_dir().is_dir()

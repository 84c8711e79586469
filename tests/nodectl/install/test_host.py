"""LocalHost basics that are safe to run here (no privileged helper is started)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from nodectl.install import facts as facts_mod
from nodectl.install.host import LocalHost, run_local
from nodectl.install.privclient import PrivilegedHelper


class NoHelper(PrivilegedHelper):
    async def call(self, op: str, **fields: object) -> dict[str, object]:  # type: ignore[override]
        raise AssertionError(f"the privileged helper must not be used here ({op})")


@pytest.mark.asyncio
async def test_run_local_argv_output_timeout_and_missing() -> None:
    lines: list[str] = []
    result = await run_local([sys.executable, "-c", "print('a'); print('b $(id)')"],
                             on_line=lines.append)
    assert result.ok and lines == ["a", "b $(id)"] and result.tail == ("a", "b $(id)")
    slow = await run_local([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.3)
    assert slow.returncode == 124 and "timed out" in slow.tail[-1]
    missing = await run_local(["fluxdesk-no-such-tool"])
    assert missing.returncode == 127


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


@pytest.mark.asyncio
@pytest.mark.skipif(os.geteuid() != 0, reason="direct writes only happen as root")
async def test_root_writes_are_atomic_with_mode(tmp_path: Path) -> None:
    host = LocalHost(tmp_path / "scratch", NoHelper())
    target = tmp_path / "etc" / "thing.conf"
    await host.write_file(str(target), b"a=1\n", mode=0o600)
    assert target.read_bytes() == b"a=1\n" and target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["thing.conf"]
    await host.remove(str(target))
    assert not target.exists()

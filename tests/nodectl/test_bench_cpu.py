"""sysbench runner: parsing, missing tool, failures, cancel, and a real run when installed."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psutil
import pytest

from nodectl.bench import cpu
from nodectl.bench.errors import SysbenchFailed, SysbenchMissing
from tests.nodectl.bench_helpers import SYSBENCH_OUTPUT, fake_sysbench, write_tool


def test_parse_real_format() -> None:
    result = cpu.parse_sysbench_output(SYSBENCH_OUTPUT.format(threads=2, eps="100.36"), 2)
    assert result.events_per_second == pytest.approx(100.36)
    assert result.total_events == 102
    assert result.total_seconds == pytest.approx(1.0144)
    assert result.threads == 2


def test_parse_rejects_output_without_figure() -> None:
    with pytest.raises(SysbenchFailed, match="no 'events per second'"):
        cpu.parse_sysbench_output("FATAL: unknown test 'cpu'\n", 1)


def test_command_is_the_replicas() -> None:
    assert cpu.sysbench_command("sysbench", 1, 20) == [
        "sysbench",
        "cpu",
        "--cpu-max-prime=60000",
        "--threads=1",
        "--time=20",
        "run",
    ]


@pytest.mark.asyncio
async def test_missing_sysbench_is_a_typed_error_with_the_install_command() -> None:
    with pytest.raises(SysbenchMissing) as caught:
        await cpu.run_sysbench(1, 1, executable="fluxdesk-no-such-sysbench")
    assert "sudo apt-get install sysbench" in str(caught.value)


@pytest.mark.asyncio
async def test_fake_sysbench_output_is_parsed(tmp_path: Path) -> None:
    tool = fake_sysbench(tmp_path, eps_single=61.25)
    fractions: list[float] = []
    result = await cpu.run_sysbench(4, 1, executable=str(tool), on_progress=fractions.append)
    assert result.events_per_second == pytest.approx(245.0)
    assert result.command[1:] == ("cpu", "--cpu-max-prime=60000", "--threads=4", "--time=1", "run")
    assert fractions[-1] == 1.0


@pytest.mark.asyncio
async def test_nonzero_exit_is_reported(tmp_path: Path) -> None:
    tool = write_tool(
        tmp_path / "sysbench", 'sys.stderr.write("FATAL: bad option\\n"); sys.exit(1)'
    )
    with pytest.raises(SysbenchFailed, match="code 1: FATAL: bad option"):
        await cpu.run_sysbench(1, 1, executable=str(tool))


@pytest.mark.asyncio
async def test_cancel_kills_sysbench(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    tool = write_tool(
        tmp_path / "sysbench",
        f"import os; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    )
    task = asyncio.ensure_future(cpu.run_sysbench(1, 60, executable=str(tool), tick=0.05))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.02)
    pid = int(pid_file.read_text())
    assert psutil.pid_exists(pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@pytest.mark.asyncio
async def test_busy_percent_is_a_percentage() -> None:
    busy = await cpu.cpu_busy_percent(0.1)
    assert 0.0 <= busy <= 100.0


@pytest.mark.sysbench
@pytest.mark.asyncio
async def test_real_sysbench_single_thread() -> None:
    result = await cpu.run_sysbench(1, 1)
    assert result.events_per_second > 1.0
    assert result.total_events and result.total_events > 0
    assert os.path.basename(result.command[0]) == "sysbench"
    assert await cpu.sysbench_version() != "unknown"


@pytest.mark.asyncio
async def test_install_reports_a_dismissed_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tool(tmp_path / "pkexec", "sys.exit(126)")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        SysbenchFailed, match=r"password prompt was dismissed.*sudo apt-get install"
    ):
        await cpu.install_sysbench()


@pytest.mark.asyncio
async def test_install_runs_apt_through_pkexec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args_file = tmp_path / "args"
    write_tool(tmp_path / "pkexec", f"open({str(args_file)!r}, 'w').write(' '.join(sys.argv[1:]))")
    monkeypatch.setenv("PATH", str(tmp_path))
    await cpu.install_sysbench()
    assert args_file.read_text() == "apt-get install -y sysbench"


@pytest.mark.asyncio
async def test_install_without_pkexec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SysbenchFailed, match="pkexec is not available"):
        await cpu.install_sysbench()

"""Log tails stay bounded, follow appends and rotation, and find fluxbench's failure reason;
local metrics come from psutil."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nodectl.monitor.errors import SourceDown
from nodectl.monitor.logs import LogTail, last_bench_failure, node_logs
from nodectl.monitor.metrics import read_metrics


def test_tail_is_bounded_and_reads_only_new_lines(tmp_path: Path) -> None:
    log = tmp_path / "debug.log"
    log.write_text("".join(f"line {i}\n" for i in range(5000)))
    tail = LogTail(log, max_lines=100, max_bytes=4096)
    first = tail.read_new()
    assert len(tail.lines) == 100 and first[-1].text == "line 4999"
    assert all(x.text.startswith("line ") for x in first)  # no cut-off first line
    assert sum(len(x.text) for x in first) < 4096  # started from the last 4 KiB only
    with log.open("a") as handle:
        handle.write("new one\npartial")
    assert [x.text for x in tail.read_new()] == ["new one"]
    with log.open("a") as handle:
        handle.write(" done\n")
    assert [x.text for x in tail.read_new()] == ["partial done"]


def test_tail_reopens_a_rotated_file(tmp_path: Path) -> None:
    log = tmp_path / "debug.log"
    log.write_text("old 1\nold 2\n")
    tail = LogTail(log)
    tail.read_new()
    log.rename(tmp_path / "debug.log.1")
    log.write_text("fresh\n")
    assert [x.text for x in tail.read_new()] == ["fresh"]
    log.write_text("")  # truncated in place (FluxOS does this at 25 MB), seen at the next poll
    assert tail.read_new() == []
    log.write_text("after truncate\n")
    assert [x.text for x in tail.read_new()] == ["after truncate"]


def test_search_and_missing_file(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("UpdateTip height=5\nERROR bad block\nerror again\n")
    tail = LogTail(log)
    tail.read_new()
    assert [x.text for x in tail.search("error")] == ["ERROR bad block", "error again"]
    assert [x.text for x in tail.search(r"height=\d+", regex=True)] == ["UpdateTip height=5"]
    with pytest.raises(SourceDown):
        LogTail(tmp_path / "none.log").read_new()


@pytest.mark.asyncio
async def test_follow_yields_lines_as_written(tmp_path: Path) -> None:
    log = tmp_path / "f.log"
    log.write_text("a\n")
    tail = LogTail(log)
    seen: list[str] = []

    async def consume() -> None:
        async for line in tail.follow(interval=0.02):
            seen.append(line.text)
            if len(seen) == 2:
                return

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    with log.open("a") as handle:
        handle.write("b\n")
    await asyncio.wait_for(task, 5)
    assert seen == ["a", "b"]


def test_bench_failure_reason_is_the_newest() -> None:
    lines = ["2026-12-05 Found CPU", "2026-12-05 08:00 ---Failed: EPS too low",
             "2026-12-05 09:00 ---Failed: Could not connect to FluxOS to get Node Tier"]
    assert last_bench_failure(lines) == "Failed: Could not connect to FluxOS to get Node Tier"
    assert last_bench_failure(["all good"]) is None


def test_metrics_from_psutil(tmp_path: Path) -> None:
    metrics = read_metrics([str(tmp_path), str(tmp_path / "missing")])
    assert metrics.ram_total > 0 and 0 <= metrics.ram_percent_used <= 100
    assert [d.path for d in metrics.disks] == [str(tmp_path)]
    assert metrics.disks[0].total >= metrics.disks[0].free


def test_node_logs_paths(tmp_path: Path) -> None:
    tails = node_logs(tmp_path, max_lines=10)
    assert tails["fluxd"].path == tmp_path / ".flux/debug.log"
    assert tails["watchdog"].path == tmp_path / "watchdog/watchdog_error.log"
    assert set(tails) == {"fluxd", "fluxbench", "fluxos", "watchdog"}


def test_unreadable_log_is_a_typed_error(tmp_path: Path) -> None:
    """A log FluxDesk may not read (another user's home) is a typed error, not a crash; a folder
    where the file should be fails the same way and works as root too."""
    folder = tmp_path / "debug.log"
    folder.mkdir()
    with pytest.raises(SourceDown) as caught:
        LogTail(folder).read_new()
    assert "cannot be read" in caught.value.message
    assert "node user" in caught.value.next_step

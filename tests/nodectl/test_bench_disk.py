"""DWS disk test: the dd-like figure, the three-run rule, cleanup on cancel/error, disk full."""

from __future__ import annotations

import asyncio
import errno
import os
from collections import namedtuple
from pathlib import Path

import pytest

from nodectl.bench import disk
from nodectl.bench.errors import DiskBenchError, DiskFull

MIB = 1024 * 1024


def leftovers(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{disk.TEMP_PREFIX}*"))


def test_combine_drops_the_slowest_of_three() -> None:
    assert disk.combine_runs([300.0, 500.0, 400.0]) == (450.0, 300.0)
    assert disk.combine_runs([200.0, 200.0, 200.0]) == (200.0, 200.0)
    assert disk.combine_runs([100.0, 300.0]) == (200.0, None)
    with pytest.raises(ValueError, match="no runs"):
        disk.combine_runs([])


def test_write_once_writes_and_removes_the_file(tmp_path: Path) -> None:
    run = disk.write_once(tmp_path, 4 * MIB)
    assert run.bytes_written == 4 * MIB
    assert run.seconds > 0 and run.mib_s > 0
    assert not run.capped
    assert leftovers(tmp_path) == []


def test_odd_size_writes_a_short_last_block(tmp_path: Path) -> None:
    run = disk.write_once(tmp_path, 100_000, block_size=64 * 1024)
    assert run.bytes_written == 100_000


@pytest.mark.asyncio
async def test_measure_dws_three_runs(tmp_path: Path) -> None:
    fractions: list[float] = []
    result = await disk.measure_dws(tmp_path, total_bytes=8 * MIB, on_progress=fractions.append)
    assert len(result.runs) == 3
    rates = sorted(r.mib_s for r in result.runs)
    assert result.dropped_mib_s == rates[0]
    assert result.mib_s == pytest.approx((rates[1] + rates[2]) / 2)
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert leftovers(tmp_path) == []


@pytest.mark.asyncio
async def test_cancel_mid_run_leaves_no_temp_file(tmp_path: Path) -> None:
    seen_file = asyncio.Event()

    def progress(fraction: float) -> None:
        # Proof the test can fail: the temp file really is there while the run is going on.
        if 0 < fraction < 0.9 and leftovers(tmp_path):
            seen_file.set()

    task = asyncio.ensure_future(
        disk.measure_dws(tmp_path, total_bytes=1024 * MIB, on_progress=progress, tick=0.01)
    )
    await asyncio.wait_for(seen_file.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert leftovers(tmp_path) == []


@pytest.mark.asyncio
async def test_no_space_before_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        "nodectl.bench.disk.shutil.disk_usage", lambda _p: usage(10 * MIB, 9 * MIB, 1 * MIB)
    )
    with pytest.raises(DiskFull, match=r"needs 1088 MiB, 1 MiB are free.*--disk PATH"):
        await disk.measure_dws(tmp_path)
    assert leftovers(tmp_path) == []


@pytest.mark.asyncio
async def test_disk_filling_up_during_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("nodectl.bench.disk.os.fdatasync", full)
    with pytest.raises(DiskFull, match="filled up during the write test"):
        await disk.measure_dws(tmp_path, total_bytes=2 * MIB)
    assert leftovers(tmp_path) == []


@pytest.mark.asyncio
async def test_io_error_is_typed_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr("nodectl.bench.disk.os.fdatasync", broken)
    with pytest.raises(DiskBenchError, match="Input/output error"):
        await disk.measure_dws(tmp_path, total_bytes=2 * MIB)
    assert leftovers(tmp_path) == []


@pytest.mark.asyncio
async def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(DiskBenchError, match="not a directory"):
        await disk.measure_dws(tmp_path / "missing")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only directory")
def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(DiskBenchError, match="Cannot create a test file"):
            disk.write_once(locked, MIB)
    finally:
        locked.chmod(0o700)


def test_time_cap_stops_and_rates_what_was_written(tmp_path: Path) -> None:
    run = disk.write_once(tmp_path, 512 * MIB, time_cap=0.0)
    assert run.capped
    assert 0 < run.bytes_written < 512 * MIB
    assert leftovers(tmp_path) == []

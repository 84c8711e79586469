"""Disk write speed (DWS) the way the replica's ``dd ... bs=64k count=16k conv=fdatasync`` does.

Each run writes zeros in 64 KiB blocks to a fresh temp file, calls fdatasync once at the end and
times the lot (as dd does); three runs, the slowest dropped, the other two averaged, in MiB/s.
The writes happen in a worker thread so the event loop never waits on the disk. The worker owns
its temp file and removes it in every case — success, error, disk full or cancel.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from nodectl.bench.errors import DiskBenchError, DiskFull

MIB = 1024 * 1024
GIB = 1024 * MIB
BLOCK_SIZE = 64 * 1024
TEMP_PREFIX = ".fluxdesk-dws-"
RUN_TIME_CAP = (
    25.0  # the replica kills dd after 25 s; we stop writing then and rate what was written
)
# Space left over after the test file so the test itself never fills a disk to the last byte.
FREE_SPACE_RESERVE = 64 * MIB


@dataclass(frozen=True)
class WriteRun:
    bytes_written: int
    seconds: float
    capped: bool

    @property
    def mib_s(self) -> float:
        return self.bytes_written / MIB / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class DwsResult:
    directory: str
    mib_s: float
    runs: tuple[WriteRun, ...]
    dropped_mib_s: float | None
    bytes_per_run: int
    block_size: int


class _Progress:
    """Bytes written so far, updated by the worker and read by the event loop."""

    def __init__(self) -> None:
        self.bytes_done = 0


def combine_runs(rates: Sequence[float]) -> tuple[float, float | None]:
    """Drop the slowest run when there are three or more, average the rest."""
    if not rates:
        raise ValueError("no runs to combine")
    if len(rates) < 3:
        return sum(rates) / len(rates), None
    slowest = min(rates)
    kept = list(rates)
    kept.remove(slowest)
    return sum(kept) / len(kept), slowest


def _full_message(directory: Path, need: int, free: int) -> str:
    return (
        f"Not enough free space in {directory} for the disk test: it needs {need // MIB} MiB, "
        f"{free // MIB} MiB are free. Free some space or test another disk (--disk PATH)."
    )


def check_space(directory: Path, total_bytes: int) -> None:
    try:
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        raise DiskBenchError(f"Cannot test {directory}: {exc.strerror or exc}.") from exc
    if free < total_bytes + FREE_SPACE_RESERVE:
        raise DiskFull(_full_message(directory, total_bytes + FREE_SPACE_RESERVE, free))


def write_once(
    directory: Path,
    total_bytes: int,
    *,
    block_size: int = BLOCK_SIZE,
    stop: threading.Event | None = None,
    progress: _Progress | None = None,
    time_cap: float = RUN_TIME_CAP,
) -> WriteRun:
    """One timed write of ``total_bytes`` zeros plus fdatasync. Blocking: call it in a thread."""
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(_full_message(directory, total_bytes, 0)) from exc
        raise DiskBenchError(
            f"Cannot create a test file in {directory}: {exc.strerror or exc}. "
            "Choose a directory you can write to (--disk PATH)."
        ) from exc
    block = bytes(block_size)  # zeros, like /dev/zero
    written = 0
    capped = False
    try:
        started = time.perf_counter()
        while written < total_bytes:
            if stop is not None and stop.is_set():
                # Cancelled: skip fdatasync — the data is discarded with the file anyway.
                return WriteRun(written, time.perf_counter() - started, capped=True)
            chunk = block if total_bytes - written >= block_size else block[: total_bytes - written]
            view = memoryview(chunk)
            while view:
                count = os.write(fd, view)
                view = view[count:]
                written += count
            if progress is not None:
                progress.bytes_done += len(chunk)
            if time.perf_counter() - started > time_cap:
                capped = True
                break
        os.fdatasync(fd)
        return WriteRun(written, time.perf_counter() - started, capped)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(
                f"The disk holding {directory} filled up during the write test "
                f"after {written // MIB} MiB. Free some space or test another disk (--disk PATH)."
            ) from exc
        raise DiskBenchError(
            f"Writing the test file in {directory} failed: {exc.strerror or exc}."
        ) from exc
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


async def measure_dws(
    directory: Path,
    *,
    total_bytes: int = GIB,
    runs: int = 3,
    block_size: int = BLOCK_SIZE,
    time_cap: float = RUN_TIME_CAP,
    on_progress: Callable[[float], None] | None = None,
    executor: Executor | None = None,
    tick: float = 0.1,
) -> DwsResult:
    """Measure DWS in ``directory``; cancelling waits for the worker to stop and clean up."""
    if runs < 1 or total_bytes < block_size:
        raise ValueError("the disk test needs at least one run of at least one block")
    if not directory.is_dir():
        raise DiskBenchError(
            f"{directory} is not a directory; choose an existing one (--disk PATH)."
        )
    check_space(directory, total_bytes)
    loop = asyncio.get_running_loop()
    stop = threading.Event()
    results: list[WriteRun] = []
    for index in range(runs):
        progress = _Progress()
        job = functools.partial(
            write_once,
            directory,
            total_bytes,
            block_size=block_size,
            stop=stop,
            progress=progress,
            time_cap=time_cap,
        )
        future = loop.run_in_executor(executor, job)
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=tick)
                if on_progress is not None:
                    part = min(progress.bytes_done / total_bytes, 1.0)
                    on_progress((index + part) / runs)
                if done:
                    break
            results.append(future.result())
        except BaseException:
            stop.set()
            # The worker notices within one block, removes its file, and only then do we return.
            await asyncio.wait({future})
            if not future.cancelled():
                future.exception()  # consumed: the original error or cancel is what propagates
            raise
    average, dropped = combine_runs([r.mib_s for r in results])
    return DwsResult(
        directory=str(directory),
        mib_s=average,
        runs=tuple(results),
        dropped_mib_s=dropped,
        bytes_per_run=total_bytes,
        block_size=block_size,
    )

"""View-model for the Benchmark page: runs the benchmark as an asyncio task and reports by signal.

All work happens in ``nodectl.bench`` (sysbench as an async subprocess, disk writes in an
executor); this object only starts, cancels and relays, so the GUI thread never waits.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal, SignalInstance
from qasync import asyncSlot

from nodectl.bench import (
    BenchError,
    BenchHistory,
    BenchOptions,
    BenchReport,
    NetworkEndpoints,
    ProgressEvent,
    SysbenchMissing,
    SystemProbe,
    run_benchmark,
)
from nodectl.bench.cpu import install_sysbench
from nodectl.bench.probes import probe_system

log = logging.getLogger(__name__)


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_true_reference() -> bool:
    """PySide6 6.12.0 drops one reference to ``True`` on every Python-side ``emit``.

    After a few hundred emits CPython aborts with "bool_dealloc: deallocating True or False".
    6.11.x does not do this. Detect it once so this service's frequent progress signals can
    give the reference back (and do nothing on a fixed PySide6).
    """
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= 8


_RESTORE_TRUE = _emit_drops_a_true_reference()


def emit(signal: SignalInstance, *args: object) -> None:
    signal.emit(*args)
    if _RESTORE_TRUE:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


RunFunc = Callable[[BenchOptions, Callable[[ProgressEvent], None]], Awaitable[BenchReport]]


async def _default_run(
    options: BenchOptions, progress: Callable[[ProgressEvent], None]
) -> BenchReport:
    return await run_benchmark(options, progress)


class BenchService(QObject):
    # step id, state ("started", "running", "done", "failed", "skipped"), fraction 0…1, message
    step_changed = Signal(str, str, float, str)
    running_changed = Signal(bool)
    finished = Signal(object)  # BenchReport
    failed = Signal(str)
    sysbench_missing = Signal(str)
    cancelled = Signal()
    history_changed = Signal(object)  # list[BenchReport], oldest first
    install_finished = Signal(bool, str)

    def __init__(
        self,
        data_dir: Path,
        options: BenchOptions,
        *,
        run_func: RunFunc = _default_run,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = BenchHistory(data_dir)
        self.options = options
        self._run_func = run_func
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def probe(self) -> SystemProbe:
        return probe_system(self.options.disk_paths)

    def latest(self) -> BenchReport | None:
        return self.history.latest()

    def runs(self) -> list[BenchReport]:
        return self.history.load_all()

    def _relay(self, event: ProgressEvent) -> None:
        emit(self.step_changed, event.step, event.state.value, event.fraction, event.message)

    def start(self, quick: bool, all_disks: bool = False) -> None:
        """Start a run unless one is going; results arrive through the signals."""
        if self.running:
            return
        options = replace(self.options, quick=quick, all_disks=all_disks or self.options.all_disks)
        self._task = asyncio.ensure_future(self._run(options))
        # Right away, not when the task first runs, so the buttons never show a stale state.
        emit(self.running_changed, True)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def wait(self) -> None:
        """Until the current run (if any) has finished, failed or been cancelled."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, options: BenchOptions) -> None:
        try:
            report = await self._run_func(options, self._relay)
        except asyncio.CancelledError:
            emit(self.cancelled)
            return
        except SysbenchMissing as exc:
            emit(self.sysbench_missing, str(exc))
            return
        except BenchError as exc:
            emit(self.failed, str(exc))
            return
        except Exception as exc:  # a bug must not leave the page stuck in "running"
            log.exception("benchmark run failed")
            emit(self.failed, f"The benchmark stopped unexpectedly: {exc}")
            return
        finally:
            emit(self.running_changed, False)
        emit(self.finished, report)
        # Saving fsyncs and loading reads every run: both off the GUI thread.
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.history.save, report)
        except BenchError as exc:
            emit(self.failed, str(exc))
        runs = await loop.run_in_executor(None, self.history.load_all)
        emit(self.history_changed, runs)

    @asyncSlot()
    async def install_sysbench(self) -> None:
        try:
            await install_sysbench()
        except BenchError as exc:
            emit(self.install_finished, False, str(exc))
            return
        emit(self.install_finished, True, "sysbench is installed.")


def make_bench_service(
    data_dir: Path, settings_extra: Mapping[str, object], network: str
) -> BenchService:
    """The service the app uses: node data disk, endpoints from settings, fluxbench per network."""
    try:
        endpoints = NetworkEndpoints.from_settings(settings_extra)
    except BenchError as exc:
        log.warning("benchmark endpoints from settings ignored: %s", exc)
        endpoints = NetworkEndpoints()
    options = BenchOptions(endpoints=endpoints, testnet=network == "testnet")
    return BenchService(data_dir, options)

"""View-model for the Benchmark page: runs the benchmark as an asyncio task and reports by signal.

All work happens in ``nodectl.bench`` (sysbench as an async subprocess, disk writes in an
executor); this object only starts, cancels and relays, so the GUI thread never waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
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
from ui.concurrency import Engine, on_engine
from ui.single_task import SingleTask

log = logging.getLogger(__name__)


RunFunc = Callable[
    [BenchOptions, Callable[[ProgressEvent], None]], Coroutine[Any, Any, BenchReport]
]


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
        engine: Engine | None = None,
        endpoints: Callable[[], NetworkEndpoints] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = BenchHistory(data_dir)
        self.options = options
        self._run_func = run_func
        # The run itself happens on the app's engine loop (ui/concurrency.py).
        self._engine = engine
        # Read at every run, so servers changed on the Settings page apply to the next run.
        self._endpoints = endpoints
        self._job = SingleTask()

    @property
    def running(self) -> bool:
        return self._job.active

    def probe(self) -> SystemProbe:
        return probe_system(self.options.disk_paths)

    def latest(self) -> BenchReport | None:
        return self.history.latest()

    def runs(self) -> list[BenchReport]:
        return self.history.load_all()

    def current_endpoints(self) -> NetworkEndpoints | None:
        """The servers the next run will use (None: the network test is off)."""
        if self.options.endpoints is None or self._endpoints is None:
            return self.options.endpoints
        try:
            return self._endpoints()
        except BenchError as exc:
            log.warning("benchmark servers from settings ignored: %s", exc)
            return NetworkEndpoints()

    def _relay(self, event: ProgressEvent) -> None:
        self.step_changed.emit(event.step, event.state.value, event.fraction, event.message)

    def start(self, quick: bool, all_disks: bool = False) -> None:
        """Start a run unless one is going; results arrive through the signals."""
        if self.running:
            return
        options = replace(
            self.options,
            quick=quick,
            all_disks=all_disks or self.options.all_disks,
            endpoints=self.current_endpoints(),
        )
        self._job.start(self._run(options))
        # Right away, not when the task first runs, so the buttons never show a stale state.
        self.running_changed.emit(True)

    def cancel(self) -> None:
        self._job.cancel()

    async def close(self) -> None:
        """At quit: stop the current run (if any) and wait until it has stopped."""
        await self._job.stop()

    async def wait(self) -> None:
        """Until the current run (if any) has finished, failed or been cancelled."""
        await self._job.wait()

    async def _run(self, options: BenchOptions) -> None:
        try:
            report = await on_engine(self._engine, self._run_func(options, self._relay))
        except asyncio.CancelledError:
            self.cancelled.emit()
            return
        except SysbenchMissing as exc:
            self.sysbench_missing.emit(str(exc))
            return
        except BenchError as exc:
            self.failed.emit(str(exc))
            return
        except Exception:  # a bug must not leave the page stuck in "running"
            log.exception("benchmark run failed")
            self.failed.emit(
                "The benchmark stopped unexpectedly. Nothing was saved; the log file (Settings "
                "page) has the details. Run it again, and report the problem if it repeats."
            )
            return
        finally:
            self.running_changed.emit(False)
        self.finished.emit(report)
        # Saving fsyncs and loading reads every run: both off the GUI thread.
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.history.save, report)
        except BenchError as exc:
            self.failed.emit(str(exc))
        runs = await loop.run_in_executor(None, self.history.load_all)
        self.history_changed.emit(runs)

    @asyncSlot()
    async def install_sysbench(self) -> None:
        try:
            await on_engine(self._engine, install_sysbench())
        except BenchError as exc:
            self.install_finished.emit(False, str(exc))
            return
        self.install_finished.emit(True, "sysbench is installed.")


def make_bench_service(
    data_dir: Path, endpoints: Callable[[], NetworkEndpoints], network: str,
    engine: Engine | None = None,
) -> BenchService:
    """The service the app uses: node data disk, endpoints from settings, fluxbench per network."""
    options = BenchOptions(endpoints=NetworkEndpoints(), testnet=network == "testnet")
    return BenchService(data_dir, options, engine=engine, endpoints=endpoints)

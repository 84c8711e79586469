"""Runs the whole benchmark: probes, CPU, disk, network, fluxbench, verdict.

Progress goes out as ``ProgressEvent``s; cancelling the task that awaits ``BenchRunner.run``
stops sysbench, the disk writer (which removes its temp file) and any transfer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from flux import http
from flux.tiers import SSD_CLASS_MIN_DWS_MIB_S
from nodectl.bench import cpu, disk, network
from nodectl.bench.errors import BenchError, FluxbenchError
from nodectl.bench.fluxbench import read_fluxbench
from nodectl.bench.models import BenchReport, Measurement, SystemProbe
from nodectl.bench.probes import mounts_of_other_disks, probe_system
from nodectl.bench.verdict import VerdictInputs, evaluate, ssd_capacity

MIB = 1024 * 1024
GIB = 1024 * MIB
PROGRESS_INTERVAL = 0.2  # seconds between "running" events of one step


@dataclass(frozen=True)
class Profile:
    cpu_seconds: int
    disk_bytes: int
    disk_runs: int
    net_seconds: float
    net_max_bytes: int
    latency_samples: int
    busy_interval: float


FULL = Profile(20, GIB, 3, 10.0, 1024 * MIB, 5, 1.0)
# Quick mode keeps every step but shortens it: fine for a first look and for CI, not for a verdict
# close to a threshold.
QUICK = Profile(3, 256 * MIB, 3, 3.0, 64 * MIB, 3, 0.5)

STEPS: tuple[str, ...] = (
    "probes",
    "cpu_busy",
    "eps_single",
    "eps_all",
    "dws",
    "latency",
    "download",
    "upload",
    "fluxbench",
)
STEP_LABELS: dict[str, str] = {
    "probes": "System probes",
    "cpu_busy": "CPU load check",
    "eps_single": "CPU, one thread",
    "eps_all": "CPU, all threads",
    "dws": "Disk write speed",
    "latency": "Latency",
    "download": "Download",
    "upload": "Upload",
    "fluxbench": "fluxbench on this machine",
}


class StepState(StrEnum):
    STARTED = "started"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProgressEvent:
    step: str
    state: StepState
    fraction: float  # 0…1 within the step
    message: str = ""


def default_disk_path() -> Path:
    """The node's data directory (~/.flux) when it exists, else the home directory."""
    node_dir = Path.home() / ".flux"
    return node_dir if node_dir.is_dir() else Path.home()


@dataclass(frozen=True)
class BenchOptions:
    disk_paths: tuple[Path, ...] = field(default_factory=lambda: (default_disk_path(),))
    all_disks: bool = False  # also test one filesystem on every other disk
    quick: bool = False
    endpoints: network.NetworkEndpoints | None = field(default_factory=network.NetworkEndpoints)
    sysbench: str = "sysbench"
    fluxbench_cli: str | None = "fluxbench-cli"  # None: do not look for a local fluxbench
    testnet: bool = False
    profile: Profile | None = None  # overrides the quick/full profile (tests, make bench)

    @property
    def effective_profile(self) -> Profile:
        return self.profile or (QUICK if self.quick else FULL)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class BenchRunner:
    def __init__(
        self,
        options: BenchOptions,
        *,
        on_progress: Callable[[ProgressEvent], None] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.options = options
        self.profile = options.effective_profile
        self._on_progress = on_progress
        self._executor = executor
        self._measurements: list[Measurement] = []
        self._warnings: list[str] = []
        self._last_running: dict[str, float] = {}

    def _emit(self, step: str, state: StepState, fraction: float, message: str = "") -> None:
        if self._on_progress is None:
            return
        if state is StepState.RUNNING:
            # Transfers report every 64 KiB; a few updates a second are all a person can see.
            now = time.monotonic()
            if now - self._last_running.get(step, -1.0) < PROGRESS_INTERVAL:
                return
            self._last_running[step] = now
        self._on_progress(ProgressEvent(step, state, fraction, message))

    def _reporter(self, step: str) -> Callable[[float], None]:
        return lambda fraction: self._emit(step, StepState.RUNNING, fraction)

    def _record(self, item: Measurement) -> None:
        self._measurements.append(item)
        if item.error is None and item.value is not None:
            self._emit(item.key, StepState.DONE, 1.0, f"{item.value:.1f} {item.unit}")
        elif item.error is not None and item.error.startswith("skipped"):
            self._emit(item.key, StepState.SKIPPED, 1.0, item.error)
        else:
            # The reason stays with its measurement only: warnings are for everything else,
            # so no failure is reported twice.
            self._emit(item.key, StepState.FAILED, 0.0, item.error or "failed")

    async def run(self) -> BenchReport:
        started = _now()
        # No sysbench means no CPU figure; say so before spending minutes on the other tests.
        cpu.find_sysbench(self.options.sysbench)
        self._emit("probes", StepState.STARTED, 0.0)
        paths = self.options.disk_paths
        if self.options.all_disks:
            paths += mounts_of_other_disks(paths)
        probes = probe_system(paths)
        self._emit("probes", StepState.DONE, 1.0, f"{probes.threads} threads, {probes.ram_gib} GiB")
        await self._cpu_busy()
        await self._cpu(probes)
        await self._disks(probes)
        await self._network()
        flux = await self._fluxbench()
        report = BenchReport(
            started_at=started,
            finished_at=_now(),
            quick=self.options.quick,
            probes=probes,
            measurements=tuple(self._measurements),
            verdict=evaluate(self._inputs(probes)),
            warnings=tuple(self._warnings),
            fluxbench=flux,
        )
        return report

    async def _cpu_busy(self) -> None:
        self._emit("cpu_busy", StepState.STARTED, 0.0)
        busy = await cpu.cpu_busy_percent(self.profile.busy_interval)
        if busy > cpu.BUSY_WARNING_PERCENT:
            message = (
                f"The CPU was {busy:.0f} % busy before the test; other programs lower the CPU "
                "events/s figure. Close them and run again for a fair result."
            )
            self._warnings.append(message)
            self._emit("cpu_busy", StepState.DONE, 1.0, message)
        else:
            self._emit("cpu_busy", StepState.DONE, 1.0, f"{busy:.0f} % busy")

    async def _sysbench(self, key: str, label: str, threads: int) -> None:
        self._emit(key, StepState.STARTED, 0.0)
        seconds = self.profile.cpu_seconds
        method = " ".join(cpu.sysbench_command("sysbench", threads, seconds))
        try:
            result = await cpu.run_sysbench(
                threads, seconds, executable=self.options.sysbench, on_progress=self._reporter(key)
            )
        except BenchError as exc:
            self._record(Measurement(key, label, None, "events/s", method, error=str(exc)))
            return
        details = {"threads": threads, "seconds": seconds, "total_events": result.total_events}
        self._record(
            Measurement(key, label, result.events_per_second, "events/s", method, details=details)
        )

    async def _cpu(self, probes: SystemProbe) -> None:
        await self._sysbench("eps_single", "CPU events/s, one thread", 1)
        await self._sysbench("eps_all", f"CPU events/s, {probes.threads} threads", probes.threads)

    async def _disks(self, probes: SystemProbe) -> None:
        self._emit("dws", StepState.STARTED, 0.0)
        profile = self.profile
        per_disk: list[dict[str, object]] = []
        primary: Measurement | None = None
        count = len(probes.data_disks)
        for index, target in enumerate(probes.data_disks):
            base = index / count

            def progress(fraction: float, base: float = base) -> None:
                self._emit("dws", StepState.RUNNING, base + fraction / count)

            method = (
                f"{profile.disk_bytes // MIB} MiB of zeros in 64 KiB blocks + fdatasync in "
                f"{target.path}, {profile.disk_runs} runs, slowest dropped, rest averaged"
            )
            try:
                result = await disk.measure_dws(
                    Path(target.path),
                    total_bytes=profile.disk_bytes,
                    runs=profile.disk_runs,
                    on_progress=progress,
                    executor=self._executor,
                )
            except BenchError as exc:
                per_disk.append({"path": target.path, "disk": target.disk, "error": str(exc)})
                if primary is None:
                    primary = Measurement(
                        "dws", "Disk write speed", None, "MiB/s", method, error=str(exc)
                    )
                continue
            per_disk.append(
                {
                    "path": target.path,
                    "disk": target.disk,
                    "capacity_gib": round(target.capacity_bytes / GIB, 2),
                    "mib_s": round(result.mib_s, 2),
                    "ssd_class": result.mib_s >= SSD_CLASS_MIN_DWS_MIB_S,
                }
            )
            if primary is None:
                primary = Measurement(
                    "dws",
                    "Disk write speed",
                    result.mib_s,
                    "MiB/s",
                    method,
                    samples=tuple(r.mib_s for r in result.runs),
                    details={
                        "dropped_mib_s": result.dropped_mib_s,
                        "capped_runs": sum(r.capped for r in result.runs),
                    },
                )
        if primary is None:
            return
        self._record(primary)
        self._measurements.append(ssd_capacity(probes, per_disk))

    async def _network(self) -> None:
        endpoints = self.options.endpoints
        labels = {
            "latency": ("Latency", "ms"),
            "download": ("Download", "Mbit/s"),
            "upload": ("Upload", "Mbit/s"),
        }
        if endpoints is None:
            for key, (label, unit) in labels.items():
                self._record(
                    Measurement(
                        key, label, None, unit, "HTTP", error="skipped: network test turned off"
                    )
                )
            return
        limits = network.NetworkLimits(
            seconds=self.profile.net_seconds,
            max_bytes=self.profile.net_max_bytes,
            latency_samples=self.profile.latency_samples,
        )
        failures_before = self._failures()
        async with http.new_session(network.client_timeout(limits)) as session:
            order = list(endpoints.download_urls)
            self._emit("latency", StepState.STARTED, 0.0)
            method = (
                f"median of {limits.latency_samples} HTTP HEAD round trips on a warm connection"
            )
            try:
                latencies = await network.measure_latency(session, order, limits)
            except BenchError as exc:
                self._record(Measurement("latency", "Latency", None, "ms", method, error=str(exc)))
            else:
                best = latencies[0]
                self._record(
                    Measurement(
                        "latency",
                        "Latency",
                        best.median_ms,
                        "ms",
                        method,
                        samples=best.samples_ms,
                        details={"url": best.url},
                    )
                )
                # Download from the closest host first, as the installer picks the fastest CDN.
                order = [item.url for item in latencies] + [
                    u for u in order if u not in {i.url for i in latencies}
                ]
            for key, func, urls in (
                ("download", network.measure_download, order),
                ("upload", network.measure_upload, list(endpoints.upload_urls)),
            ):
                label, unit = labels[key]
                self._emit(key, StepState.STARTED, 0.0)
                method = (
                    f"HTTP {'GET' if key == 'download' else 'POST'} for up to "
                    f"{limits.seconds:.0f} s or {limits.max_bytes // MIB} MiB"
                )
                try:
                    result = await func(session, urls, limits, self._reporter(key))
                except BenchError as exc:
                    self._record(Measurement(key, label, None, unit, method, error=str(exc)))
                    continue
                self._record(
                    Measurement(
                        key,
                        label,
                        result.mbit_s,
                        unit,
                        method,
                        details={
                            "url": result.url,
                            "bytes": result.bytes,
                            "seconds": round(result.seconds, 3),
                        },
                    )
                )
        if self._failures() > failures_before:
            self._warnings.append(network.ADVICE)

    def _failures(self) -> int:
        return sum(
            1
            for m in self._measurements
            if m.value is None and m.error is not None and not m.error.startswith("skipped")
        )

    async def _fluxbench(self) -> dict[str, object] | None:
        if self.options.fluxbench_cli is None:
            self._emit("fluxbench", StepState.SKIPPED, 1.0, "not requested")
            return None
        self._emit("fluxbench", StepState.STARTED, 0.0)
        try:
            doc = await read_fluxbench(self.options.fluxbench_cli, testnet=self.options.testnet)
        except FluxbenchError as exc:
            # Shown with its step and beside our figures (report.fluxbench), not as a warning.
            self._emit("fluxbench", StepState.FAILED, 0.0, str(exc))
            return {"error": str(exc)}
        if doc is None:
            self._emit("fluxbench", StepState.SKIPPED, 1.0, "fluxbench is not installed here")
            return None
        self._emit("fluxbench", StepState.DONE, 1.0, str(doc.get("status", "")))
        return doc

    def _value(self, key: str) -> float | None:
        for item in self._measurements:
            if item.key == key:
                return item.value
        return None

    def _inputs(self, probes: SystemProbe) -> VerdictInputs:
        return VerdictInputs(
            threads=probes.threads,
            cores=probes.cores,
            ram_gib=probes.ram_gib,
            arch=probes.arch,
            eps_single=self._value("eps_single"),
            dws_mib_s=self._value("dws"),
            ssd_gib=self._value("ssd"),
            download_mbit=self._value("download"),
            upload_mbit=self._value("upload"),
            avx=probes.avx,
        )


async def run_benchmark(
    options: BenchOptions,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    executor: Executor | None = None,
) -> BenchReport:
    return await BenchRunner(options, on_progress=on_progress, executor=executor).run()

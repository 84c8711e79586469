"""The whole run: order of steps, progress, report shape, failures kept, cancel cleans up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from nodectl.bench import disk, network
from nodectl.bench.errors import SysbenchMissing
from nodectl.bench.models import BenchReport, Outcome
from nodectl.bench.network import NetworkEndpoints
from nodectl.bench.runner import (
    QUICK,
    STEPS,
    BenchOptions,
    BenchRunner,
    Profile,
    ProgressEvent,
    StepState,
    run_benchmark,
)
from tests.nodectl.bench_helpers import fake_sysbench, local_http, write_tool

MIB = 1024 * 1024
TINY = Profile(
    cpu_seconds=1,
    disk_bytes=4 * MIB,
    disk_runs=3,
    net_seconds=1.0,
    net_max_bytes=2 * MIB,
    latency_samples=2,
    busy_interval=0.05,
)


def endpoints(base: str) -> NetworkEndpoints:
    return NetworkEndpoints(download_urls=(f"{base}/down",), upload_urls=(f"{base}/up",))


def fake_options(tmp_path: Path, **over: Any) -> BenchOptions:
    """Fake sysbench, disk test in ``tmp_path``, no network or fluxbench unless ``over`` says."""
    fields: dict[str, Any] = {
        "disk_paths": (tmp_path,),
        "endpoints": None,
        "sysbench": str(fake_sysbench(tmp_path)),
        "fluxbench_cli": None,
        "profile": TINY,
        **over,
    }
    return BenchOptions(**fields)


@pytest.mark.asyncio
async def test_full_run_with_fake_sysbench(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    tool = fake_sysbench(tmp_path, eps_single=75.0)
    async with local_http() as base:
        options = BenchOptions(
            disk_paths=(tmp_path,),
            quick=True,
            endpoints=endpoints(base),
            sysbench=str(tool),
            fluxbench_cli="fluxdesk-no-fluxbench",
            profile=TINY,
        )
        report = await run_benchmark(options, events.append)
    # Every step reports, in order, and finishes.
    started = [e.step for e in events if e.state is StepState.STARTED]
    assert started == [s for s in STEPS if s != "fluxbench"] + ["fluxbench"]
    finished = {
        e.step: e.state for e in events if e.state not in (StepState.STARTED, StepState.RUNNING)
    }
    assert finished["fluxbench"] is StepState.SKIPPED
    assert all(finished[s] is StepState.DONE for s in STEPS if s != "fluxbench")
    assert all(0.0 <= e.fraction <= 1.0 for e in events)
    # Measurements carry value, unit and method.
    eps = report.measurement("eps_single")
    assert eps is not None and eps.value == pytest.approx(75.0) and eps.unit == "events/s"
    assert "--cpu-max-prime=60000" in eps.method
    all_threads = report.measurement("eps_all")
    assert all_threads is not None
    assert all_threads.value == pytest.approx(75.0 * report.probes.threads)
    for key in ("dws", "ssd", "latency", "download", "upload"):
        item = report.measurement(key)
        assert item is not None and item.value is not None and item.value > 0, key
    assert report.quick
    assert leftovers_in(tmp_path) == []
    # The verdict uses the figures: 75 × 4 = 300 ≥ 240 for Cumulus.
    cumulus = report.verdict.tier("CUMULUS")
    eps_check = next(c for c in cumulus.checks if c.requirement == "eps")
    assert eps_check.outcome is Outcome.PASS and eps_check.margin == pytest.approx(60.0)
    assert BenchReport.from_dict(report.to_dict()) == report


def leftovers_in(directory: Path) -> list[Path]:
    return list(directory.glob(f"{disk.TEMP_PREFIX}*"))


@pytest.mark.asyncio
async def test_missing_sysbench_stops_before_any_work(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    options = BenchOptions(disk_paths=(tmp_path,), endpoints=None, sysbench="fluxdesk-nope")
    with pytest.raises(SysbenchMissing, match="sudo apt-get install sysbench"):
        await run_benchmark(options, events.append)
    assert events == []


@pytest.mark.asyncio
async def test_failures_are_kept_and_judged_unknown(tmp_path: Path) -> None:
    tool = fake_sysbench(tmp_path, eps_single=100.0)
    broken = write_tool(tmp_path / "fluxbench-cli", "sys.exit(3)")
    options = BenchOptions(
        disk_paths=(tmp_path / "missing-dir",),
        endpoints=NetworkEndpoints(download_urls=("http://127.0.0.1:9/x",), upload_urls=()),
        sysbench=str(tool),
        fluxbench_cli=str(broken),
        profile=TINY,
    )
    report = await run_benchmark(options)
    dws = report.measurement("dws")
    assert dws is not None and dws.value is None and "not a directory" in (dws.error or "")
    download = report.measurement("download")
    assert download is not None and download.value is None
    assert report.fluxbench is not None and "exit code 3" in report.fluxbench["error"]
    # Each failure is reported once, with its measurement; the warnings add only what to do
    # about the network, once for all its steps.
    assert "connection refused" in (download.error or "")
    assert not any("Disk write speed" in w or "refused" in w for w in report.warnings)
    assert report.warnings.count(network.ADVICE) == 1
    assert report.verdict.best_tier is None
    checks = {c.requirement: c.outcome for c in report.verdict.tier("CUMULUS").checks}
    assert checks["dws"] is Outcome.UNKNOWN and checks["download"] is Outcome.UNKNOWN


@pytest.mark.asyncio
async def test_network_can_be_turned_off(tmp_path: Path) -> None:
    options = fake_options(tmp_path)
    events: list[ProgressEvent] = []
    report = await run_benchmark(options, events.append)
    upload = report.measurement("upload")
    assert upload is not None and upload.error is not None and upload.error.startswith("skipped")
    assert {e.step for e in events if e.state is StepState.SKIPPED} >= {"upload", "fluxbench"}
    assert not any("Upload" in w for w in report.warnings)


@pytest.mark.asyncio
async def test_busy_cpu_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nodectl.bench import cpu

    async def busy(_interval: float) -> float:
        return 93.0

    monkeypatch.setattr(cpu, "cpu_busy_percent", busy)
    options = fake_options(tmp_path)
    report = await run_benchmark(options)
    assert any("93 % busy" in w for w in report.warnings)


@pytest.mark.asyncio
async def test_cancel_during_disk_test_leaves_no_temp_file(tmp_path: Path) -> None:
    in_disk = asyncio.Event()

    def watch(event: ProgressEvent) -> None:
        if event.step == "dws" and event.state is StepState.RUNNING and leftovers_in(tmp_path):
            in_disk.set()

    big = Profile(1, 2048 * MIB, 3, 1.0, MIB, 1, 0.05)
    options = fake_options(tmp_path, profile=big)
    task = asyncio.ensure_future(BenchRunner(options, on_progress=watch).run())
    await asyncio.wait_for(in_disk.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert leftovers_in(tmp_path) == []


def test_quick_mode_is_short() -> None:
    assert BenchOptions(quick=True).effective_profile == QUICK
    assert QUICK.cpu_seconds <= 5 and QUICK.disk_bytes <= 256 * MIB
    assert BenchOptions().effective_profile.cpu_seconds == 20


@pytest.mark.sysbench
@pytest.mark.slow
@pytest.mark.asyncio
async def test_real_quick_run_with_sysbench(tmp_path: Path) -> None:
    async with local_http() as base:
        options = BenchOptions(
            disk_paths=(tmp_path,), quick=True, endpoints=endpoints(base), fluxbench_cli=None
        )
        report = await run_benchmark(options)
    eps = report.measurement("eps_single")
    assert eps is not None and eps.value is not None and eps.value > 1
    assert eps.details["seconds"] == QUICK.cpu_seconds
    assert report.verdict.tiers and report.verdict.note.startswith("Estimate")


@pytest.mark.asyncio
async def test_all_disks_adds_the_other_disks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nodectl.bench import runner

    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setattr(runner, "mounts_of_other_disks", lambda known: (other,))
    options = fake_options(tmp_path, all_disks=True)
    report = await run_benchmark(options)
    assert [d.path for d in report.probes.data_disks] == [str(tmp_path), str(other)]
    ssd = report.measurement("ssd")
    assert ssd is not None
    assert [row["path"] for row in ssd.details["disks"]] == [str(tmp_path), str(other)]
    assert leftovers_in(other) == []


@pytest.mark.asyncio
async def test_running_events_are_throttled(tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    profile = Profile(1, 4 * MIB, 1, 1.0, 512 * MIB, 1, 0.05)
    async with local_http(download_bytes=512 * MIB) as base:
        options = fake_options(tmp_path, endpoints=endpoints(base), profile=profile)
        await run_benchmark(options, events.append)
    download = [e for e in events if e.step == "download" and e.state is StepState.RUNNING]
    # A 1 s transfer of 64 KiB chunks would report thousands of times; the runner sends ≤ 5/s.
    assert 1 <= len(download) <= 7

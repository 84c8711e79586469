"""`fluxdesk bench` as a user runs it: a subprocess with its own --data-dir."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_fluxdesk
from tests.nodectl.bench_helpers import fake_sysbench, local_http

MEASUREMENT_KEYS = {"eps_single", "eps_all", "dws", "ssd", "latency", "download", "upload"}


def fluxdesk(
    *args: str, path: str | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return run_fluxdesk(*args, env=None if path is None else {"PATH": path}, timeout=timeout)


def quick_bench(
    data_dir: Path, disk: Path, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    return fluxdesk(
        "--data-dir", str(data_dir), "bench", "--quick", "--disk", str(disk), *args, path=path
    )


@pytest.fixture
def http_base() -> Iterator[str]:
    """The local speed-test server, on its own thread so a subprocess can use it."""
    ready: dict[str, Any] = {}
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with local_http(download_bytes=32 * 1024 * 1024) as base:
            ready["base"] = base
            ready["loop"] = asyncio.get_running_loop()
            started.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield ready["base"]
    finally:
        assert stop is not None
        ready["loop"].call_soon_threadsafe(stop.set)
        thread.join(10)


def check_shape(doc: dict[str, Any], disk: Path) -> None:
    assert doc["format"] == "fluxdesk.bench/1"
    assert doc["quick"] is True and doc["mode"] == "quick"
    probes = doc["probes"]
    for key in ("threads", "cores", "ram_bytes", "ram_gib", "arch", "avx", "os_name", "disks"):
        assert key in probes, key
    assert probes["data_disks"][0]["path"] == str(disk)
    assert set(doc["measurements"]) >= MEASUREMENT_KEYS
    for key, item in doc["measurements"].items():
        assert {"value", "unit", "method"} <= set(item), key
        assert item["unit"] and item["method"], key
    verdict = doc["verdict"]
    assert verdict["estimate"] is True and "fluxbench" in verdict["note"]
    assert [t["tier"] for t in verdict["tiers"]] == ["CUMULUS", "NIMBUS", "STRATUS"]
    for tier in verdict["tiers"]:
        assert tier["outcome"] in {"pass", "fail", "unknown"}
        for check in tier["checks"]:
            assert {"requirement", "required", "actual", "outcome", "margin"} <= set(check)
    assert "eps" in doc["sources"]
    assert Path(doc["saved_to"]).is_file()


@pytest.mark.sysbench
@pytest.mark.slow
def test_real_quick_benchmark_json(tmp_path: Path, http_base: str) -> None:
    """Acceptance 1: a real quick run (real sysbench, real disk writes, local network)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    result = quick_bench(
        tmp_path / "data",
        disk,
        "--json",
        "--download-url",
        f"{http_base}/down",
        "--upload-url",
        f"{http_base}/up",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    check_shape(doc, disk)
    eps = doc["measurements"]["eps_single"]
    assert eps["value"] > 1 and "sysbench cpu --cpu-max-prime=60000" in eps["method"]
    assert doc["measurements"]["dws"]["value"] > 0
    assert doc["measurements"]["download"]["value"] > 0
    assert doc["measurements"]["upload"]["value"] > 0
    assert not list(disk.iterdir())  # the disk test cleaned up


@pytest.mark.slow
def test_json_with_fake_sysbench_and_no_network(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_sysbench(tools, eps_single=70.0)
    disk = tmp_path / "disk"
    disk.mkdir()
    path = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    result = quick_bench(tmp_path / "data", disk, "--json", "--no-network", path=path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    check_shape(doc, disk)
    assert doc["measurements"]["eps_single"]["value"] == 70.0
    assert doc["measurements"]["upload"]["value"] is None
    # Human mode and export work on the saved history.
    human = quick_bench(tmp_path / "data", disk, "--no-network", path=path)
    assert human.returncode == 0, human.stderr
    assert "Tiers (requirement" in human.stdout and "Estimate" in human.stdout
    out = tmp_path / "runs.csv"
    exported = fluxdesk("--data-dir", str(tmp_path / "data"), "bench", "--export", str(out))
    assert exported.returncode == 0, exported.stderr
    assert len(out.read_text().splitlines()) == 3  # header + two runs
    bad = fluxdesk(
        "--data-dir", str(tmp_path / "data"), "bench", "--export", str(tmp_path / "x.txt")
    )
    assert bad.returncode == 2 and ".json or .csv" in bad.stderr


def test_missing_sysbench_is_a_plain_error(tmp_path: Path) -> None:
    result = fluxdesk(
        "--data-dir",
        str(tmp_path),
        "bench",
        "--quick",
        "--no-network",
        path=str(tmp_path / "empty-path"),
    )
    assert result.returncode == 1
    assert "sudo apt-get install sysbench" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""

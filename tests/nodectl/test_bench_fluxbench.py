"""Reading fluxbench's own getbenchmarks through fluxbench-cli (a fake one here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodectl.bench.errors import FluxbenchError
from nodectl.bench.fluxbench import comparable, read_fluxbench
from tests.nodectl.bench_helpers import write_tool

SAMPLE = {
    "status": "CUMULUS",
    "time": 1700000000,
    "ipaddress": "203.0.113.7:16127",
    "cores": 4,
    "real_cores": 2,
    "ram": 7.7,
    "ssd": 232,
    "hdd": 0,
    "ddwrite": 512.3,
    "eps": 489.2,
    "eps_singlethread": 85.4,
    "ping": 12.5,
    "download_speed": 300.1,
    "upload_speed": 40.2,
    "error": "",
}


@pytest.mark.asyncio
async def test_not_installed_is_none() -> None:
    assert await read_fluxbench("fluxdesk-no-such-fluxbench-cli") is None


@pytest.mark.asyncio
async def test_reads_getbenchmarks(tmp_path: Path) -> None:
    args_file = tmp_path / "args"
    tool = write_tool(
        tmp_path / "fluxbench-cli",
        f"open({str(args_file)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"print(json.dumps({SAMPLE!r}, indent=2))",
    )
    doc = await read_fluxbench(str(tool), testnet=True)
    assert doc == SAMPLE
    assert json.loads(args_file.read_text()) == ["-testnet", "getbenchmarks"]
    picked = comparable(SAMPLE)
    assert picked["eps_single"] == 85.4
    assert picked["dws"] == 512.3
    assert picked["download"] == 300.1
    assert "ssd" in picked and "latency" in picked


def test_newer_disk_field_name_wins() -> None:
    assert comparable({"ddwrite": 100, "diskwritespeed": 200})["dws"] == 200


@pytest.mark.asyncio
async def test_daemon_not_running(tmp_path: Path) -> None:
    tool = write_tool(
        tmp_path / "fluxbench-cli",
        'sys.stderr.write("error: couldn\'t connect to server\\n"); sys.exit(1)',
    )
    with pytest.raises(FluxbenchError, match=r"couldn't connect to server.*Start the node"):
        await read_fluxbench(str(tool))


@pytest.mark.asyncio
async def test_garbage_and_timeout(tmp_path: Path) -> None:
    garbage = write_tool(tmp_path / "garbage-cli", 'print("Benchmark not running")')
    with pytest.raises(FluxbenchError, match="not JSON"):
        await read_fluxbench(str(garbage))
    listing = write_tool(tmp_path / "list-cli", "print('[1, 2]')")
    with pytest.raises(FluxbenchError, match="not an object"):
        await read_fluxbench(str(listing))
    slow = write_tool(tmp_path / "slow-cli", "time.sleep(30)")
    with pytest.raises(FluxbenchError, match="did not answer"):
        await read_fluxbench(str(slow), timeout=0.3)

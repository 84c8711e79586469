"""Every doctor rule against a scripted simulated node: the symptom gives its finding, and after
the fix a fresh poll clears it (fix-then-verify)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest
import pytest_asyncio

from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.doctor import Action, diagnose, recheck
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.logs import LogTail
from nodectl.monitor.metrics import DiskUsage, Metrics
from nodectl.monitor.snapshot import NodeContext
from tests.sim.nodeapi.host import WATCHDOG_DIR, ScriptedHost
from tests.sim.nodeapi.script import OWNER_ID, TIMEOUT

pytestmark = pytest.mark.asyncio
GIB = 1024**3


class Rig:
    def __init__(self, node, tmp_path: Path) -> None:
        self.node, self.script = node, node.script
        self.host = ScriptedHost()
        self.now = [1_764_921_600.0]
        self.free = 200 * GIB
        self.bench_log = tmp_path / "bench.log"
        self.bench_log.write_text("Found CPU 8 cores\n")
        # FluxOS's reply cache follows the same scripted clock as the polls.
        self.fluxos = FluxosApi(node.fluxos_url, timeout=1.0, clock=lambda: self.now[0])
        self.probe = NodeProbe(
            NodeContext(wallet_flux_id=OWNER_ID, collateral_tier="CUMULUS",
                        watchdog_dir=WATCHDOG_DIR, data_path="/"),
            fluxd=node.fluxd, fluxos=self.fluxos, bench=node.bench, runner=self.host,
            bench_log=LogTail(self.bench_log), clock=lambda: self.now[0],
            metrics_reader=self.metrics,
        )

    def metrics(self, paths: Sequence[str]) -> Metrics:
        total = 500 * GIB
        return Metrics(5.0, 32 * GIB, 20 * GIB,
                       (DiskUsage("/", total, total - self.free, self.free),), 0, 0, ())

    async def findings(self) -> dict[str, object]:
        self.now[0] += 61  # past FluxOS's reply cache, as a real poll interval would be
        snap = await self.probe.snapshot()
        self.snap = snap
        return {f.rule: f for f in diagnose(snap, self.probe.context)}

    async def fix_verified(self, finding, fix: Callable[[], None]) -> None:
        fix()
        self.now[0] += 61
        snap = await self.probe.snapshot()
        assert recheck(finding, snap, self.probe.context) is None


@pytest_asyncio.fixture
async def rig(node, tmp_path: Path) -> AsyncIterator[Rig]:
    made = Rig(node, tmp_path)
    yield made
    await made.fluxos.close()


async def test_healthy_node_has_no_findings(rig: Rig) -> None:
    assert await rig.findings() == {}
    assert rig.snap.errors == {}


async def test_fluxd_silent(rig: Rig) -> None:
    rig.script.faults["fluxd"] = TIMEOUT
    rig.script.delay_s = 2.0
    found = (await rig.findings())["fluxd_silent"]
    assert found.action is Action.RESTART_FLUXD and "1 s" in found.cause
    await rig.fix_verified(found, lambda: rig.script.faults.update(fluxd="ok"))


async def test_not_synced_then_caught_up(rig: Rig) -> None:
    rig.script.syncing(behind=500)
    found = (await rig.findings())["not_synced"]
    assert "500 blocks behind" in found.cause and found.action is None
    await rig.fix_verified(found, rig.script.synced)


async def test_stuck_when_height_does_not_move(rig: Rig) -> None:
    rig.script.syncing(behind=500)
    await rig.findings()
    rig.now[0] += 600
    found = await rig.findings()
    assert "not_synced" not in found and found["stuck"].action is Action.RESTART_FLUXD
    await rig.fix_verified(found["stuck"], rig.script.synced)


async def test_bench_failed_with_reason_from_its_log(rig: Rig) -> None:
    rig.script.bench_failed("EPS below minimum")
    with rig.bench_log.open("a") as log:
        log.write("2026-12-05 08:00:01 ---Failed: Could not connect to FluxOS to get Node Tier\n")
    found = (await rig.findings())["bench_failed"]
    assert found.cause.endswith("Failed: Could not connect to FluxOS to get Node Tier")
    assert found.action is Action.RESTART_BENCH

    def fix() -> None:
        rig.script.benchmarking = "CUMULUS"

    await rig.fix_verified(found, fix)


async def test_bench_failed_reason_from_getbenchmarks_without_log(rig: Rig) -> None:
    rig.probe.bench_log = None
    rig.script.bench_failed("Failed: disk write speed too low")
    assert "disk write speed" in (await rig.findings())["bench_failed"].cause


async def test_bench_below_collateral_tier(rig: Rig) -> None:
    rig.probe.context = NodeContext(collateral_tier="NIMBUS", watchdog_dir=WATCHDOG_DIR)
    found = (await rig.findings())["bench_below_tier"]
    assert "Nimbus" in found.cause and "30 GiB" in found.next_step

    def fix() -> None:
        rig.script.benchmarking = "NIMBUS"

    await rig.fix_verified(found, fix)


async def test_fluxos_down_and_disconnected(rig: Rig) -> None:
    rig.script.faults["fluxos"] = TIMEOUT
    rig.script.delay_s = 2.0
    found = (await rig.findings())["fluxos_down"]
    assert found.action is Action.RESTART_FLUXOS
    await rig.fix_verified(found, lambda: rig.script.faults.update(fluxos="ok"))
    rig.script.bench_flux = "disconnected"
    found = (await rig.findings())["fluxos_down"]
    assert "disconnected" in found.cause

    def fix() -> None:
        rig.script.bench_flux = "connected"

    await rig.fix_verified(found, fix)


async def test_dos_ports_and_start_again(rig: Rig) -> None:
    rig.script.dos()
    found = (await rig.findings())["dos"]
    assert "16124–16129" in found.next_step and "in 420 blocks" in found.next_step
    assert found.action is Action.START_NODE
    await rig.fix_verified(found, rig.script.confirmed)


async def test_dos_behind_cgnat(rig: Rig) -> None:
    rig.script.dos()
    rig.script.ip = "100.72.1.9"
    found = (await rig.findings())["dos"]
    assert "carrier-grade NAT" in found.cause and "public IPv4" in found.next_step


async def test_fluxos_dos_state_with_its_message(rig: Rig) -> None:
    rig.script.dos_score, rig.script.dos_message = 100, "Residential node not running ArcaneOS"
    found = (await rig.findings())["dos"]
    assert "Residential node not running ArcaneOS" in found.cause

    def fix() -> None:
        rig.script.dos_score, rig.script.dos_message = 0, None

    await rig.fix_verified(found, fix)


async def test_expired_start_again_from_nodes_page(rig: Rig) -> None:
    rig.script.expired()
    found = (await rig.findings())["expired"]
    assert "Nodes page" in found.next_step and found.action is Action.START_NODE
    await rig.fix_verified(found, rig.script.confirmed)


async def test_two_ip_changes_within_20_hours(rig: Rig) -> None:
    await rig.findings()
    for ip in ("198.51.100.1", "198.51.100.2"):
        rig.script.ip = ip
        found = await rig.findings()
    assert "changed 2 times" in found["ip_changes"].cause
    rig.now[0] += 20 * 3600  # the address stays the same for 20 h
    assert await rig.findings() == {}
    await rig.fix_verified(found["ip_changes"], lambda: None)


@pytest.mark.parametrize("unit", ["mongod", "docker"])
async def test_mongod_or_docker_down(rig: Rig, unit: str) -> None:
    rig.host.units[unit] = ("loaded", "failed", "failed")
    found = (await rig.findings())[f"{unit}_down"]
    assert f"systemctl restart {unit}" in found.next_step and found.action is not None
    await rig.fix_verified(found, lambda: rig.host.units.update({unit: ("loaded", "active",
                                                                          "running")}))


async def test_disk_nearly_full(rig: Rig) -> None:
    rig.free = 5 * GIB
    found = (await rig.findings())["disk_full"]
    assert "5.0 GiB" in found.cause
    await rig.fix_verified(found, lambda: setattr(rig, "free", 100 * GIB))


async def test_clock_drift(rig: Rig) -> None:
    rig.script.clock_offset_s, rig.script.clock_source = -12.5, "none"
    found = (await rig.findings())["clock_drift"]
    assert "-12.5 s" in found.cause and "chrony" in found.next_step

    def fix() -> None:
        rig.script.clock_offset_s, rig.script.clock_source = 0.002, "chrony"

    await rig.fix_verified(found, fix)


async def test_login_phrase_refused_with_fluxos_reason(rig: Rig) -> None:
    rig.script.login_refusal = ("CONNERROR", "MongoDB is not running")
    found = (await rig.findings())["login_refused"]
    assert found.cause.endswith("MongoDB is not running")
    await rig.fix_verified(found, lambda: setattr(rig.script, "login_refusal", None))


async def test_owner_flux_id_differs_from_wallet(rig: Rig) -> None:
    rig.script.owner_id = "1111111111111111111114oLvT2"
    found = (await rig.findings())["flux_id_mismatch"]
    assert OWNER_ID in found.cause
    await rig.fix_verified(found, lambda: setattr(rig.script, "owner_id", OWNER_ID))


async def test_watchdog_started_wrongly_then_official(rig: Rig) -> None:
    rig.host.watchdog_as_fluxdesk_started_it()
    found = (await rig.findings())["watchdog_wrong"]
    assert "runs from /home/flux instead of /home/flux/watchdog" in found.cause
    assert "config.js" in found.cause and "--ignore-watch" in found.next_step
    await rig.fix_verified(found, lambda: setattr(rig.host, "pm2", ScriptedHost().pm2))


async def test_watchdog_missing(rig: Rig) -> None:
    rig.host.pm2 = [p for p in rig.host.pm2 if p["name"] != "watchdog"]
    found = (await rig.findings())["watchdog_missing"]
    assert found.action is Action.RESTART_WATCHDOG
    await rig.fix_verified(found, lambda: setattr(rig.host, "pm2", ScriptedHost().pm2))


async def test_bad_findings_come_first(rig: Rig) -> None:
    rig.script.clock_offset_s = 30.0
    rig.script.expired()
    assert [f.rule for f in diagnose(await rig.probe.snapshot(), rig.probe.context)] == [
        "expired", "clock_drift"]

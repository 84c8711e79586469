"""The doctor's fixes through the app's composition: the local node found from flux.conf and the
installer's state, each fix run as the privileged helper's named operations on the SandboxHost,
then the same rule re-checked on a fresh poll of the simulated node (fixed / not fixed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from app.monitor_backend import HelperFixes
from app.monitor_config import MonitorSettings
from app.monitor_wiring import find_local_node, local_watch
from nodectl.monitor.doctor import Action, Finding, diagnose, recheck
from nodectl.monitor.target import WatchedNode
from tests.sim.nodeapi.fixhost import (
    NODE_USER,
    SimFixHost,
    installed_sandbox,
    remember_node_user,
)
from tests.sim.nodeapi.host import official_watchdog
from tests.sim.nodeapi.localnode import LocalSimNode, local_node
from tests.sim.nodeapi.script import MALFORMED

pytestmark = pytest.mark.asyncio


@dataclass
class FixRig:
    node: LocalSimNode
    host: SimFixHost
    fixes: HelperFixes
    data_dir: Path

    def watched(self) -> WatchedNode:
        ms = MonitorSettings(local_api=self.node.fluxos_address)
        local = find_local_node(ms, self.data_dir)
        assert local is not None
        return local_watch(local, self.data_dir)

    async def findings(self) -> dict[str, Finding]:
        target = self.watched()
        try:
            snap = await target.watch.probe.snapshot()
        finally:
            await target.close()
        return {f.rule: f for f in diagnose(snap, target.context)}

    async def fix_then_recheck(self, finding: Finding) -> tuple[str, Finding | None]:
        target = self.watched()
        assert finding.action is not None
        try:
            words = await self.fixes(finding.action, target.context)
            snap = await target.watch.probe.snapshot()
        finally:
            await target.close()
        return words, recheck(finding, snap, target.context)


@pytest_asyncio.fixture
async def fix_rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FixRig]:
    async with local_node(tmp_path / "node") as node:
        for key, value in node.env.items():
            monkeypatch.setenv(key, value)
        remember_node_user(node)
        host = SimFixHost(await installed_sandbox(tmp_path / "sandbox"), node)
        yield FixRig(node, host, HelperFixes(host), node.data_dir)


def stop_unit(node: LocalSimNode, unit: str) -> None:
    node.host.units[unit] = ("loaded", "inactive", "dead")
    node.sync_host()


def fail_benchmark(node: LocalSimNode) -> None:
    node.script.bench_failed("Failed: EPS too low")
    node.seed_logs()


def watchdog_from_home(node: LocalSimNode) -> None:
    wd = official_watchdog(node.watchdog_dir)
    wd["pm2_env"].update(pm_cwd=str(node.home), ignore_watch=[])
    node.host.pm2 = [p for p in node.host.pm2 if p["name"] != "watchdog"] + [wd]
    node.sync_host()


def fluxos_down(node: LocalSimNode) -> None:
    node.script.fluxos_up = False


def fluxd_garbled(node: LocalSimNode) -> None:
    node.script.faults["fluxd"] = MALFORMED


CASES: list[tuple[str, Callable[[LocalSimNode], None], str, Action, tuple[str, ...]]] = [
    ("mongod_down", lambda n: stop_unit(n, "mongod"), "Restart MongoDB", Action.RESTART_MONGOD,
     ("systemctl", "restart", "mongod")),
    ("docker_down", lambda n: stop_unit(n, "docker"), "Restart Docker", Action.RESTART_DOCKER,
     ("systemctl", "restart", "docker")),
    ("fluxd_silent", fluxd_garbled, "Restart fluxd", Action.RESTART_FLUXD,
     ("systemctl", "restart", "zelcash.service")),
    ("bench_failed", fail_benchmark, "Rerun the benchmark", Action.RESTART_BENCH,
     ("fluxbench-cli", "restartnodebenchmarks")),
    ("fluxos_down", fluxos_down, "Restart FluxOS", Action.RESTART_FLUXOS,
     ("pm2", "restart", "flux")),
    ("watchdog_wrong", watchdog_from_home, "Start the watchdog the official way",
     Action.RESTART_WATCHDOG, ("pm2", "start", f"/home/{NODE_USER}/watchdog/watchdog.js")),
]


@pytest.mark.parametrize(("rule", "break_it", "title", "action", "argv"), CASES,
                         ids=[c[0] for c in CASES])
async def test_each_fix_runs_the_named_operations_then_the_rule_is_fixed(
        fix_rig: FixRig, rule: str, break_it: Callable[[LocalSimNode], None], title: str,
        action: Action, argv: tuple[str, ...]) -> None:
    break_it(fix_rig.node)
    finding = (await fix_rig.findings())[rule]
    assert finding.action is action
    words, fresh = await fix_rig.fix_then_recheck(finding)
    assert words == f"{title}: done. Checking again…"
    assert fresh is None, fresh
    ran = [args[:len(argv)] for _user, args in fix_rig.host.sandbox.commands[-3:]]
    assert argv in ran


async def test_the_watchdog_is_started_from_its_own_folder_as_the_node_user(
        fix_rig: FixRig) -> None:
    watchdog_from_home(fix_rig.node)
    finding = (await fix_rig.findings())["watchdog_wrong"]
    await fix_rig.fix_then_recheck(finding)
    sandbox = fix_rig.host.sandbox
    start = next(args for user, args in sandbox.commands if args[:2] == ("pm2", "start")
                 and "watchdog" in args)
    assert sandbox.cwds[start] == f"/home/{NODE_USER}/watchdog"
    assert [name for name, _ in fix_rig.host.performed] == ["pm2_delete", "pm2_start",
                                                           "pm2_save"]
    assert all(user == NODE_USER for user, args in sandbox.commands if args[0] == "pm2"
               and args[1] in ("delete", "start", "save"))


async def test_a_failed_restart_is_reported_and_the_rule_is_still_there(
        fix_rig: FixRig) -> None:
    stop_unit(fix_rig.node, "mongod")
    fix_rig.host.sandbox.fail["systemctl"] = 1
    finding = (await fix_rig.findings())["mongod_down"]
    words, fresh = await fix_rig.fix_then_recheck(finding)
    assert words.startswith("Restart MongoDB: not done.") and "code 1" in words
    assert fresh is not None and fresh.rule == "mongod_down"


async def test_without_a_known_node_user_nothing_runs_as_it(fix_rig: FixRig) -> None:
    (fix_rig.data_dir / "node-install" / "state.json").unlink()
    stop_unit(fix_rig.node, "docker")
    finding = (await fix_rig.findings())["docker_down"]
    target = fix_rig.watched()
    await target.close()
    assert target.context.node_user is None
    # Our units need no node user; pm2 and fluxbench do.
    assert (await fix_rig.fixes(Action.RESTART_DOCKER, target.context)).endswith(
        "Checking again…")
    words = await fix_rig.fixes(Action.RESTART_FLUXOS, target.context)
    assert words.startswith("Not done: The node user is not known")
    assert ("pm2_restart", {"user": NODE_USER, "app": "flux"}) not in fix_rig.host.performed
    assert finding.action is Action.RESTART_DOCKER

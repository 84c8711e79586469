"""One poll of a node: every source failing at once still gives a snapshot with each silence
named; a remote node is watched through its FluxOS API alone; the runner's own failures."""

from __future__ import annotations

import pytest

from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.dashboard import Level, NodeState, build
from nodectl.monitor.doctor import diagnose
from nodectl.monitor.errors import BadReply, NotAllowed, SourceDown, SourceTimeout
from nodectl.monitor.fluxbench import FluxbenchCli
from nodectl.monitor.runner import ProcessRunner
from nodectl.monitor.services import Pm2Process
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.watchdog import official_pm2_start, pm2_problems
from tests.sim.nodeapi.host import ScriptedHost
from tests.sim.nodeapi.script import MALFORMED, UNAUTHORIZED


@pytest.mark.asyncio
async def test_everything_failing_gives_a_clear_snapshot(node) -> None:
    node.script.faults.update(fluxd=MALFORMED, fluxos=UNAUTHORIZED, fluxbench=MALFORMED)
    host = ScriptedHost(pm2=[])
    host.units.clear()
    probe = NodeProbe(NodeContext(watchdog_dir="/home/flux/watchdog"), fluxd=node.fluxd,
                      fluxos=node.fluxos, bench=node.bench, runner=host)
    snap = await probe.snapshot()
    assert isinstance(snap.errors["fluxd"], BadReply)
    assert isinstance(snap.errors["fluxos"], NotAllowed)
    assert snap.errors["fluxbench"].next_step
    board = build(snap, probe.context)
    assert board.sync.level is Level.UNKNOWN and board.state.state is NodeState.UNKNOWN
    assert {name for name, _ in board.silent} == {"fluxd", "fluxos", "fluxbench"}
    rules = {f.rule for f in diagnose(snap, probe.context)}
    assert {"fluxd_silent", "watchdog_missing", "mongod_down", "docker_down"} <= rules
    assert "fluxos_down" not in rules  # a 401 means it answers; it is not down


@pytest.mark.asyncio
async def test_remote_node_through_fluxos_only(node) -> None:
    node.script.syncing(behind=2)
    probe = NodeProbe(NodeContext(), fluxos=node.fluxos)
    snap = await probe.snapshot()
    assert snap.errors == {}
    assert snap.chain is not None and snap.chain.blocks == node.script.height
    assert snap.node is not None and snap.node.status == "CONFIRMED"
    assert snap.bench_status is not None and snap.fluxos_version == "8.17.0"
    assert snap.bench_version == "6.3.1"
    assert snap.list_entry is not None and snap.list_entry.rank == node.script.rank
    assert snap.metrics is None and snap.pm2 is None  # nothing local is read for a remote node
    assert build(snap, probe.context).sync.behind == 2


@pytest.mark.asyncio
async def test_process_runner_timeout_and_missing_program() -> None:
    runner = ProcessRunner()
    with pytest.raises(SourceTimeout):
        await runner.run(["sleep", "5"], timeout=0.2)
    with pytest.raises(SourceDown):
        await runner.run(["no-such-program-fluxdesk"], timeout=1)
    assert (await runner.run(["true"], timeout=5)).returncode == 0
    with pytest.raises(SourceDown):
        await FluxbenchCli(runner, "no-such-fluxbench-cli").status()


def test_official_watchdog_form() -> None:
    argv, cwd = official_pm2_start("/home/flux/watchdog")
    assert cwd == "/home/flux/watchdog"
    assert " ".join(argv) == (
        "pm2 start /home/flux/watchdog/watchdog.js --name watchdog --watch /home/flux/watchdog "
        "--ignore-watch .git node_modules watchdog_error.log config.js --watch-delay 20")
    good = Pm2Process("watchdog", "online", "/home/flux/watchdog/",
                      "/home/flux/watchdog/watchdog.js", True,
                      (".git", "node_modules", "watchdog_error.log", "config.js"), 0)
    assert pm2_problems(good, "/home/flux/watchdog") == []
    stopped = Pm2Process("watchdog", "stopped", "/home/flux/watchdog",
                         "/home/flux/other.js", True, (".git",), 0)
    problems = " | ".join(pm2_problems(stopped, "/home/flux/watchdog"))
    assert "stopped" in problems and "other.js" in problems and "config.js" in problems

"""The watchdog runs under pm2 as FluxOS and the official installer start it (issue 13)."""

from __future__ import annotations

import json

import pytest

from nodectl.install import operations
from nodectl.install.operations import Operation
from nodectl.install.steps.fluxos import pm2_cwds

from .test_runner import Harness

WD = "/home/fluxnode/watchdog"
# FluxOS ZelBack/src/services/watchdogService.js startWatchdog(): params and `cwd:
# watchdogPath`; config.js is ignored too by the multitoolbox's `--ignore-watch` list.
OFFICIAL = ("pm2", "start", f"{WD}/watchdog.js", "--name", "watchdog", "--watch", WD,
            "--ignore-watch", "node_modules", "--ignore-watch", ".git",
            "--ignore-watch", "watchdog_error.log", "--ignore-watch", "config.js",
            "--watch-delay", "20")


def test_the_pm2_command_and_folder_are_the_official_ones() -> None:
    cmd = operations.command(Operation("pm2_start", {"user": "fluxnode", "app": "watchdog"}))
    assert cmd is not None
    assert (cmd.argv, cmd.cwd, cmd.user) == (OFFICIAL, WD, "fluxnode")


def test_pm2_jlist_parsing_tolerates_warnings_and_junk() -> None:
    listing = json.dumps([{"name": "watchdog", "pm2_env": {"pm_cwd": WD}},
                          {"name": "flux", "pm2_env": {}}, "junk"])
    assert pm2_cwds(f">>>> In-memory PM2 is out-of-date\n{listing}\n") == \
        {"watchdog": WD, "flux": ""}
    assert pm2_cwds("[not json") == {} and pm2_cwds("") == {}


def jlist(h: Harness) -> dict[str, dict[str, object]]:
    procs = json.loads(h.host.state_json())["pm2"]["fluxnode"]
    return {name: p["pm2_env"] for name, p in procs.items()}


@pytest.mark.asyncio
async def test_installed_watchdog_runs_from_its_folder(harness: Harness) -> None:
    assert (await (await harness.runner()).run()).ok
    env = jlist(harness)["watchdog"]
    assert env["pm_cwd"] == WD
    assert env["ignore_watch"] == ["node_modules", ".git", "watchdog_error.log", "config.js"]
    assert harness.host.cwds[OFFICIAL] == WD


@pytest.mark.asyncio
async def test_repair_moves_a_watchdog_started_from_home(harness: Harness) -> None:
    assert (await (await harness.runner()).run()).ok
    state_file = harness.host.path("/var/lib/fluxdesk-sandbox/state.json")
    state = json.loads(state_file.read_text())
    state["pm2"]["fluxnode"]["watchdog"]["pm2_env"]["pm_cwd"] = "/home/fluxnode"
    state_file.write_text(json.dumps(state))  # as the earlier FluxDesk step started it

    result = await (await harness.runner()).repair()
    assert result.ok and "watchdog" in result.done, (result.failed_step, result.tail)
    assert jlist(harness)["watchdog"]["pm_cwd"] == WD
    assert ("fluxnode", ("pm2", "delete", "watchdog")) in harness.host.commands

"""The helper operations behind the monitor doctor's fix buttons (restart_unit, pm2_restart,
pm2_delete, pm2_start, pm2_save, rerun_benchmark), attacked through the REAL helper process:
other unit names, path tricks, argv and option injection, users that are not the node user.
Each must be refused by the protocol, the helper must keep serving, the machine unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from nodectl.install import operations
from nodectl.monitor.doctor import Action
from nodectl.monitor.fixes import fix_plan
from nodectl.monitor.snapshot import NodeContext

from .helper_rig import Rig

UNIT_ATTACKS = [
    "ssh", "sshd.service", "zelcash", "systemd-logind", "pm2-fluxnode", "fluxos",
    "zelcash.service; reboot", "zelcash.service --no-block", "--now", "-H evil.example",
    "docker mongod", "mongod\n", "../../home/fluxnode/evil.service",
    "/etc/systemd/system/zelcash.service", "/home/fluxnode/evil.service", "docker*", "", 1,
    None, ["docker"], {"unit": "docker"},
]
APP_ATTACKS = [
    "all", "flux watchdog", "--interpreter=/bin/sh", "-f", "../flux", "flux;id",
    "/home/fluxnode/zelflux/start.sh", "pm2-logrotate", "FLUX", "", ["flux"], None,
]
USER_ATTACKS = [
    ("root", "node user"), ("desk", "desktop user running FluxDesk"),
    ("www-data", "system account"), ("fluxnode/../root", "node user name"),
    ("-u0", "node user name"), ("fluxnode ", "node user name"), ("elsewhere", "/srv/elsewhere"),
]


def _fix_requests() -> list[tuple[str, dict[str, Any]]]:
    ctx = NodeContext(node_user="fluxnode", watchdog_dir="/home/fluxnode/watchdog")
    return [(step.op.name, dict(step.op.args)) for action in Action if action is not
            Action.START_NODE for step in fix_plan(action, ctx).steps]


def test_the_doctors_fixes_are_named_operations_with_our_units_and_apps_only() -> None:
    requests = _fix_requests()
    assert requests == [
        ("restart_unit", {"unit": "zelcash.service"}),
        ("rerun_benchmark", {"user": "fluxnode"}),
        ("pm2_restart", {"user": "fluxnode", "app": "flux"}),
        ("pm2_delete", {"user": "fluxnode", "app": "watchdog"}),
        ("pm2_start", {"user": "fluxnode", "app": "watchdog"}),
        ("pm2_save", {"user": "fluxnode", "force": False}),
        ("restart_unit", {"unit": "mongod"}),
        ("restart_unit", {"unit": "docker"}),
    ]
    for name, args in requests:  # what they run is built by the catalogue, never sent
        cmd = operations.command(operations.parse(name, args))
        assert cmd is not None and cmd.argv[0] in ("systemctl", "pm2", "fluxbench-cli")
        assert cmd.user in (None, "fluxnode")


@pytest.mark.asyncio
@pytest.mark.parametrize("unit", UNIT_ATTACKS)
async def test_restart_unit_takes_only_our_units(rig: Rig, unit: object) -> None:
    before = rig.machine.snapshot()
    assert "one of our units" in await rig.refused("restart_unit", {"unit": unit})
    assert rig.machine.snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize("op", ["pm2_restart", "pm2_delete", "pm2_start"])
@pytest.mark.parametrize("app", APP_ATTACKS)
async def test_pm2_operations_take_only_our_apps(rig: Rig, op: str, app: object) -> None:
    before = rig.machine.snapshot()
    assert "pm2 app" in await rig.refused(op, {"user": "fluxnode", "app": app})
    assert rig.machine.snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(("user", "reason"), USER_ATTACKS)
@pytest.mark.parametrize(("op", "extra"), [
    ("pm2_restart", {"app": "flux"}), ("pm2_start", {"app": "watchdog"}),
    ("pm2_delete", {"app": "watchdog"}), ("pm2_save", {"force": False}),
    ("rerun_benchmark", {}),
])
async def test_node_user_operations_refuse_other_accounts(
        rig: Rig, user: str, reason: str, op: str, extra: dict[str, Any]) -> None:
    before = rig.machine.snapshot()
    assert reason in await rig.refused(op, {"user": user, **extra})
    assert rig.machine.snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(("op", "args"), [
    ("restart_unit", {"unit": "docker", "argv": ["systemctl", "poweroff"]}),
    ("restart_unit", {"unit": "docker", "options": "--now"}),
    ("pm2_restart", {"user": "fluxnode", "app": "flux", "cwd": "/root"}),
    ("pm2_start", {"user": "fluxnode", "app": "watchdog", "script": "/tmp/evil.js"}),
    ("rerun_benchmark", {"user": "fluxnode", "command": "stop"}),
    ("pm2_save", {"user": "fluxnode", "force": False, "env": {"LD_PRELOAD": "/tmp/x.so"}}),
])
async def test_no_fix_operation_takes_an_argv_or_anything_extra(
        rig: Rig, op: str, args: dict[str, Any]) -> None:
    assert "takes no" in await rig.refused(op, args)
    assert (await rig.helper.ping())["euid"] == 0  # still serving


@pytest.mark.asyncio
async def test_pm2_save_force_must_be_a_real_flag(rig: Rig) -> None:
    for value in ("yes", 1, "--force", None):
        await rig.refused("pm2_save", {"user": "fluxnode", "force": value})

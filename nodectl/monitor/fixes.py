"""The doctor's fixes as the privileged helper's named operations, and running them on a Host.

A doctor ``Action`` maps to a fixed sequence of the installer's operations (restart one of our
systemd units, restart or re-start one of our pm2 apps as the node user, rerun the benchmark).
Every operation is checked by ``operations.parse`` here and again by the helper, so a fix can
only name our units and our apps for a dedicated node user: no argument vector, no unit name or
path from a caller. ``run_fix`` performs them through a ``Host`` (``LocalHost``: the helper
started through pkexec/sudo, which asks for the administrator's password; ``SandboxHost`` in
tests) and reports in words; the caller then re-checks the doctor's rule on a fresh poll.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodectl.install import operations
from nodectl.install.host import CommandResult, Host
from nodectl.install.operations import Operation, OperationRefused
from nodectl.install.privclient import HelperError
from nodectl.install.validate import InvalidInput
from nodectl.monitor.doctor import Action
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.services import DOCKER_UNIT, FLUXD_UNIT, FLUXOS_PM2, MONGOD_UNIT, WATCHDOG_PM2
from nodectl.monitor.snapshot import NodeContext

FIX_TIMEOUT_S = 300.0  # a restart that takes longer than this is reported as failed
_UNITS = {Action.RESTART_FLUXD: f"{FLUXD_UNIT}.service", Action.RESTART_MONGOD: MONGOD_UNIT,
          Action.RESTART_DOCKER: DOCKER_UNIT}
_TITLES = {Action.RESTART_FLUXD: "Restart fluxd", Action.RESTART_MONGOD: "Restart MongoDB",
           Action.RESTART_DOCKER: "Restart Docker", Action.RESTART_BENCH: "Rerun the benchmark",
           Action.RESTART_FLUXOS: "Restart FluxOS",
           Action.RESTART_WATCHDOG: "Start the watchdog the official way"}


class FixRefused(MonitorError):
    """FluxDesk cannot run this fix itself (no node user known, ArcaneOS, a Nodes-page action)."""

    kind = "fix_refused"


@dataclass(frozen=True)
class FixStep:
    op: Operation
    may_fail: bool = False  # "pm2 delete watchdog" when no watchdog runs is not a failure


@dataclass(frozen=True)
class FixPlan:
    action: Action
    title: str  # the button's words
    steps: tuple[FixStep, ...]


@dataclass(frozen=True)
class FixOutcome:
    title: str
    done: bool  # every step that must succeed did
    words: str  # what happened, for the person


def _op(name: str, **args: object) -> Operation:
    return operations.parse(name, dict(args))


def fix_plan(action: Action, ctx: NodeContext) -> FixPlan:
    """The helper operations for ``action`` on this machine's node; FixRefused when FluxDesk
    cannot run it itself (the GUI and the CLI then show the manual command)."""
    title = _TITLES.get(action)
    if title is None:
        raise FixRefused("This is done on the Nodes page, not on the node.",
                         "Open the Nodes page and start the node from there.")
    if action in _UNITS:
        return FixPlan(action, title, (FixStep(_op("restart_unit", unit=_UNITS[action])),))
    if ctx.arcane:
        raise FixRefused("On ArcaneOS FluxOS and the watchdog are systemd units of the OS.",
                         "Run the command shown as an administrator.")
    user = ctx.node_user
    if user is None:
        raise FixRefused("The node user is not known, so FluxDesk cannot act as it.",
                         "Run the command shown as the node user.")
    try:
        if action is Action.RESTART_BENCH:
            steps: tuple[FixStep, ...] = (FixStep(_op("rerun_benchmark", user=user)),)
        elif action is Action.RESTART_FLUXOS:
            steps = (FixStep(_op("pm2_restart", user=user, app=FLUXOS_PM2)),)
        else:  # the watchdog: delete whatever runs, start it the official way, remember it
            steps = (FixStep(_op("pm2_delete", user=user, app=WATCHDOG_PM2), may_fail=True),
                     FixStep(_op("pm2_start", user=user, app=WATCHDOG_PM2)),
                     FixStep(_op("pm2_save", user=user, force=False)))
    except (OperationRefused, InvalidInput) as exc:
        raise FixRefused(f"The node user {user!r} is not one FluxDesk may act as ({exc}).",
                         "Run the command shown as the node user.") from None
    return FixPlan(action, title, steps)


def fixable(action: Action, ctx: NodeContext) -> bool:
    """True when FluxDesk can run ``action`` itself on this node."""
    try:
        fix_plan(action, ctx)
    except FixRefused:
        return False
    return True


async def run_fix(host: Host, plan: FixPlan) -> FixOutcome:
    """Perform the plan's steps in order; stop at the first one that must succeed and fails."""
    for step in plan.steps:
        try:
            result = await host.perform(step.op, timeout=FIX_TIMEOUT_S)
        except (HelperError, OperationRefused) as exc:  # password refused, helper said no
            return FixOutcome(plan.title, False, f"{plan.title}: not done ({exc}).")
        if not result.ok and not step.may_fail:
            return FixOutcome(plan.title, False, f"{plan.title}: not done. {_failure(result)}")
    return FixOutcome(plan.title, True, f"{plan.title}: done. Checking again…")


def _failure(result: CommandResult) -> str:
    last = next((line for line in reversed(result.tail) if line.strip()), "")
    reason = f": {last.strip()[:200]}" if last else ""
    return f"'{' '.join(result.argv[:3])}' ended with code {result.returncode}{reason}"


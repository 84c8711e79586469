"""What a person runs by hand for each doctor action, until FluxDesk can run it itself.

Actions that need root go through the installer's privileged helper once it offers them as named
operations; until then the GUI and the CLI show these exact commands. ``needs_root`` says which
ones must run as an administrator and which as the node user (pm2 and fluxbench belong to it).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from nodectl.monitor.doctor import Action
from nodectl.monitor.services import DOCKER_UNIT, FLUXD_UNIT, FLUXOS_PM2, MONGOD_UNIT
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.watchdog import official_pm2_start


@dataclass(frozen=True)
class ManualStep:
    title: str  # the button's words
    command: str  # one shell line, ready to paste
    needs_root: bool  # True: through sudo (the privileged helper); False: as the node user


def _restart_unit(title: str, unit: str) -> ManualStep:
    return ManualStep(f"Restart {title}", f"sudo systemctl restart {unit}", True)


def manual_step(action: Action, ctx: NodeContext) -> ManualStep | None:
    """The command for ``action`` on the local node; None when it is done elsewhere (Nodes page)."""
    if action is Action.RESTART_FLUXD:
        return _restart_unit("fluxd", FLUXD_UNIT)
    if action is Action.RESTART_MONGOD:
        return _restart_unit("MongoDB", MONGOD_UNIT)
    if action is Action.RESTART_DOCKER:
        return _restart_unit("Docker", DOCKER_UNIT)
    if action is Action.RESTART_BENCH:
        return ManualStep("Restart the benchmark", "fluxbench-cli restartnodebenchmarks", False)
    if action is Action.RESTART_FLUXOS:
        if ctx.arcane:
            return _restart_unit("FluxOS", "fluxos")
        return ManualStep("Restart FluxOS", f"pm2 restart {FLUXOS_PM2}", False)
    if action is Action.RESTART_WATCHDOG:
        if ctx.arcane:
            return _restart_unit("the watchdog", "flux-watchdog")
        if ctx.watchdog_dir is None:
            return None
        argv, cwd = official_pm2_start(ctx.watchdog_dir)
        return ManualStep("Start the watchdog the official way",
                          f"pm2 delete watchdog; cd {shlex.quote(cwd)} && {shlex.join(argv)} "
                          "&& pm2 save", False)
    return None

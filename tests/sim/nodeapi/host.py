"""A scripted machine for the runner protocol: systemctl and pm2 answer from its state."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nodectl.monitor.runner import CommandResult

HOME = "/home/flux"
WATCHDOG_DIR = f"{HOME}/watchdog"


def official_watchdog(directory: str = WATCHDOG_DIR) -> dict[str, Any]:
    return {"name": "watchdog", "pm2_env": {
        "status": "online", "pm_cwd": directory,
        "pm_exec_path": f"{directory}/watchdog.js", "watch": [directory],
        "ignore_watch": [".git", "node_modules", "watchdog_error.log", "config.js"],
        "restart_time": 0}}


def flux_process() -> dict[str, Any]:
    return {"name": "flux", "pm2_env": {"status": "online", "pm_cwd": f"{HOME}/zelflux",
                                        "pm_exec_path": f"{HOME}/zelflux/start.sh"}}


@dataclass
class ScriptedHost:
    units: dict[str, tuple[str, str, str]] = field(default_factory=lambda: {
        "zelcash": ("loaded", "active", "running"),
        "mongod": ("loaded", "active", "running"),
        "docker": ("loaded", "active", "running"),
    })
    pm2: list[dict[str, Any]] = field(default_factory=lambda: [flux_process(),
                                                               official_watchdog()])
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def watchdog_as_fluxdesk_started_it(self) -> None:
        """The installer's first form: from $HOME, without --ignore-watch."""
        wd = official_watchdog()
        wd["pm2_env"].update(pm_cwd=HOME, ignore_watch=[])
        self.pm2 = [flux_process(), wd]

    async def run(self, argv: Sequence[str], *, timeout: float) -> CommandResult:
        self.calls.append(tuple(argv))
        if argv[0] == "systemctl" and argv[1] == "show":
            name = argv[-1].removesuffix(".service")
            load, active, sub = self.units.get(name, ("not-found", "inactive", "dead"))
            return CommandResult(0, f"LoadState={load}\nActiveState={active}\nSubState={sub}\n",
                                 "")
        if list(argv) == ["pm2", "jlist"]:
            return CommandResult(0, json.dumps(self.pm2), "")
        return CommandResult(127, "", f"{argv[0]}: not scripted")


TOOL_SOURCE = '''#!{python}
"""{name} stand-in: answers from the scripted machine state in {state!r}."""
import json, sys
state = json.load(open({state!r}))
argv = sys.argv[1:]
if {name!r} == "systemctl" and argv[:1] == ["show"]:
    unit = argv[-1].removesuffix(".service")
    load, active, sub = state["units"].get(unit, ["not-found", "inactive", "dead"])
    print(f"LoadState={{load}}\\nActiveState={{active}}\\nSubState={{sub}}")
elif {name!r} == "pm2" and argv == ["jlist"]:
    print(json.dumps(state["pm2"]))
else:
    sys.exit(f"{name}: not scripted: {{argv}}")
'''


def fake_host_tools(folder: Path, host: ScriptedHost) -> Path:
    """``systemctl`` and ``pm2`` programs in ``folder`` (put it first on PATH) that answer from
    ``host``'s state; call again after changing the state."""
    folder.mkdir(parents=True, exist_ok=True)
    state = folder / "host-state.json"
    state.write_text(json.dumps({"units": host.units, "pm2": host.pm2}))
    for name in ("systemctl", "pm2"):
        path = folder / name
        path.write_text(TOOL_SOURCE.format(python=sys.executable, name=name, state=str(state)))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return folder

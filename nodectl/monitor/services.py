"""systemd unit states (``systemctl show``) and pm2 processes (``pm2 jlist``), read tolerantly."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from nodectl.monitor.errors import BadReply
from nodectl.monitor.runner import CommandRunner

# Unit names of a legacy (multitoolbox) node; ArcaneOS names differ (fluxd, fluxos, flux-watchdog).
FLUXD_UNIT = "zelcash"
MONGOD_UNIT = "mongod"
DOCKER_UNIT = "docker"
FLUXOS_PM2 = "flux"
WATCHDOG_PM2 = "watchdog"


@dataclass(frozen=True)
class UnitState:
    name: str
    load: str  # loaded / not-found / masked …
    active: str  # active / inactive / failed / activating …
    sub: str  # running / dead / exited …

    @property
    def running(self) -> bool:
        return self.active == "active"

    @property
    def exists(self) -> bool:
        return self.load not in ("not-found", "")


@dataclass(frozen=True)
class Pm2Process:
    name: str
    status: str  # online / stopped / errored / launching …
    cwd: str | None
    exec_path: str | None
    watch: bool
    ignore_watch: tuple[str, ...]
    restarts: int | None

    @property
    def online(self) -> bool:
        return self.status == "online"


def parse_systemctl_show(name: str, text: str) -> UnitState:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return UnitState(name, values.get("LoadState", ""), values.get("ActiveState", ""),
                     values.get("SubState", ""))


async def unit_states(runner: CommandRunner, names: Sequence[str],
                      *, timeout: float = 10.0) -> dict[str, UnitState]:
    states: dict[str, UnitState] = {}
    for name in names:
        result = await runner.run(
            ["systemctl", "show", "-p", "LoadState,ActiveState,SubState", f"{name}.service"],
            timeout=timeout,
        )
        states[name] = parse_systemctl_show(name, result.stdout)
    return states


def parse_pm2_jlist(text: str) -> dict[str, Pm2Process]:
    """``pm2 jlist`` output (pm2 may print notices before the JSON array) → processes by name."""
    doc: object = None
    decoder = json.JSONDecoder()
    start = text.find("[")
    while start >= 0 and not isinstance(doc, list):
        try:
            doc = decoder.raw_decode(text, start)[0]
        except ValueError:
            start = text.find("[", start + 1)
    if not isinstance(doc, list):
        raise BadReply("pm2 printed a process list that cannot be read.",
                       "Run 'pm2 jlist' as the node user to see what it says.")
    processes: dict[str, Pm2Process] = {}
    for item in doc:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        env = item.get("pm2_env")
        env = env if isinstance(env, dict) else {}
        ignore = env.get("ignore_watch")
        if isinstance(ignore, str):
            ignore = [ignore]
        watch = env.get("watch")
        processes[item["name"]] = Pm2Process(
            name=item["name"],
            status=str(env.get("status", "")),
            cwd=env.get("pm_cwd") if isinstance(env.get("pm_cwd"), str) else None,
            exec_path=env.get("pm_exec_path") if isinstance(env.get("pm_exec_path"), str)
            else None,
            watch=bool(watch),
            ignore_watch=tuple(x for x in (ignore or []) if isinstance(x, str)),
            restarts=env.get("restart_time") if isinstance(env.get("restart_time"), int)
            else None,
        )
    return processes


async def pm2_processes(runner: CommandRunner, *, timeout: float = 15.0) -> dict[str, Pm2Process]:
    result = await runner.run(["pm2", "jlist"], timeout=timeout)
    return parse_pm2_jlist(result.stdout)

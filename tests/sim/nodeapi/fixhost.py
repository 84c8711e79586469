"""A Host for the doctor's fixes in tests: the installer's SandboxHost checks and emulates every
named operation (the account policy, our units only, pm2's working directory), and what
succeeded there is applied to the simulated node the monitor polls, so a re-check after a fix
sees the machine as the sandbox left it. The sandbox's ``/home/<user>`` is the sim node's home.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nodectl.install import operations
from nodectl.install.host import CommandResult
from nodectl.install.operations import Operation
from nodectl.install.sandbox import SandboxHost
from nodectl.install.state import InstallState
from tests.sim.nodeapi.localnode import LocalSimNode
from tests.sim.nodeapi.script import OK

NODE_USER = "fluxnode"
STATE_FILE = "/var/lib/fluxdesk-sandbox/state.json"
PACKAGES = ("git", "nodejs", "mongodb-org", "docker-ce", "flux", "fluxbench")


async def installed_sandbox(root: Path, user: str = NODE_USER) -> SandboxHost:
    """A sandbox machine as the installer leaves it: node user, packages, units, pm2, FluxOS
    and the watchdog cloned, FluxOS running under pm2."""
    host = SandboxHost(root)
    host.seed_machine()

    async def run(name: str, **args: object) -> None:
        result = await host.perform(operations.parse(name, dict(args)))
        assert result.ok, (name, result.tail)

    await run("create_node_user", user=user)
    state = host.tools.state
    state["packages"] = sorted({*state["packages"], *PACKAGES})
    state["units"]["zelcash"] = {"enabled": True, "active": True}
    host.path(STATE_FILE).parent.mkdir(parents=True, exist_ok=True)
    host.path(STATE_FILE).write_text(json.dumps(state, sort_keys=True))
    for path in ("/etc/systemd/system/zelcash.service", f"/home/{user}/.flux/flux.conf"):
        host.path(path).parent.mkdir(parents=True, exist_ok=True)
        host.path(path).write_text("# installed\n")
    host.path(f"/home/{user}/.flux/blocks").mkdir(parents=True, exist_ok=True)
    await run("install_pm2")
    await run("clone_repo", user=user, repo="fluxos")
    await run("clone_repo", user=user, repo="watchdog")
    await run("pm2_start", user=user, app="flux")
    return host


class SimFixHost:
    """``perform`` on the sandbox; on success, the same effect on the sim node."""

    name = "sim-fix"

    def __init__(self, sandbox: SandboxHost, node: LocalSimNode, user: str = NODE_USER) -> None:
        self.sandbox = sandbox
        self.node = node
        self.user = user
        self.performed: list[tuple[str, dict[str, Any]]] = []
        self.closed = False

    async def perform(self, op: Operation, *, timeout: float = 3600.0,
                      on_line: Callable[[str], None] | None = None,
                      on_progress: Callable[[int, int], None] | None = None) -> CommandResult:
        result = await self.sandbox.perform(op, timeout=timeout, on_line=on_line,
                                            on_progress=on_progress)
        self.performed.append((op.name, dict(op.args)))
        if result.ok:
            self._apply(op)
        return result

    async def close(self) -> None:
        self.closed = True

    def _apply(self, op: Operation) -> None:
        script, args = self.node.script, op.args
        if op.name == "restart_unit":
            unit = str(args["unit"]).removesuffix(".service")
            self.node.host.units[unit] = ("loaded", "active", "running")
            if unit == "zelcash":
                script.faults["fluxd"] = OK
        elif op.name == "pm2_restart" and args["app"] == "flux":
            script.fluxos_up = True
            script.faults["fluxos"] = OK
        elif op.name == "rerun_benchmark":
            script.benchmarking, script.bench_error = script.tier, ""
            self.node.seed_logs()
        elif op.name in ("pm2_start", "pm2_delete") and args["app"] == "watchdog":
            self._mirror_watchdog()
        self.node.sync_host()

    def _mirror_watchdog(self) -> None:
        """The sandbox's pm2 entry for the watchdog, as the sim node's ``pm2 jlist`` shows it."""
        procs = self.sandbox.tools.state["pm2"].get(self.user, {})
        others = [p for p in self.node.host.pm2 if p.get("name") != "watchdog"]
        entry = procs.get("watchdog")
        if entry is not None:
            sandbox_home, home = f"/home/{self.user}", str(self.node.home)
            env = {k: v.replace(sandbox_home, home) if isinstance(v, str) else v
                   for k, v in entry["pm2_env"].items()}
            others.append({"name": "watchdog", "pm2_env": env})
        self.node.host.pm2 = others


def remember_node_user(node: LocalSimNode, user: str = NODE_USER) -> None:
    """What the installer leaves in FluxDesk's data folder: who the node user is."""
    state = InstallState(node.data_dir / "node-install" / "state.json", meta={"user": user})
    state.path.parent.mkdir(parents=True, exist_ok=True)
    state.save()
    node.write_settings(flux_conf=str(node.home / ".flux" / "flux.conf"))

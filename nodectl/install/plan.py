"""The ordered plan that reproduces the official legacy install (docs/node-ops.md)."""

from __future__ import annotations

from typing import Any

from nodectl.install import render
from nodectl.install.facts import HostFacts
from nodectl.install.params import InstallParams
from nodectl.install.steps.base import InstallContext, Step
from nodectl.install.steps.flux import (
    ChainBootstrap,
    DaemonService,
    FluxConf,
    FluxPackages,
    FluxRepo,
    StartDaemon,
    ZkParams,
)
from nodectl.install.steps.fluxos import FluxOs, MongoDb, NodeJs, Pm2, Watchdog
from nodectl.install.steps.security import Firewall, LogRotate, Verify
from nodectl.install.steps.system import BasePackages, Docker, NodeUser, SudoRule, Swap

# Deviations from the official script that apply to the plan as a whole.
PLAN_NOTES = (
    "Nothing is wiped: the official installer purges earlier installs and disables ufw first; "
    "here every step checks what is already in place and only fills the gaps.",
    "No ~/install_conf.json and no whiptail prompts: every answer is collected up front.",
    "Privileged work runs through one helper started with pkexec/sudo; it accepts only named "
    "operations with checked parameters (never a command line, path or file content), and "
    "git, npm, pm2 and flux-cli run as the node user.",
)


def build_plan(params: InstallParams, facts: HostFacts) -> list[Step]:
    steps: list[Step] = [NodeUser()]
    if params.swap and render.swap_size_mib(facts.ram_mib) > 0:
        steps.append(Swap())
    # The sudo rule comes after the packages: its visudo check needs the sudo package.
    # flux.conf comes after the chain bootstrap, so nothing extracted can stand in for it.
    steps += [
        BasePackages(), SudoRule(), Docker(), FluxRepo(), FluxPackages(), ZkParams(),
        ChainBootstrap(), FluxConf(), DaemonService(), MongoDb(), NodeJs(), FluxOs(),
        StartDaemon(), Pm2(), LogRotate(), Firewall(), Watchdog(), Verify(),
    ]
    return steps


def describe_plan(steps: list[Step], ctx: InstallContext) -> dict[str, Any]:
    """JSON-ready plan: every step's commands and file contents (secrets as placeholders)."""
    return {
        "params": ctx.params.public_dict(),
        "facts": ctx.facts.as_dict(),
        "notes": list(PLAN_NOTES),
        "steps": [step.describe(ctx).as_dict() for step in steps],
    }

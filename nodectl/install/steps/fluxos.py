"""FluxOS side: MongoDB, Node.js, the FluxOS checkout, pm2 and the watchdog."""

from __future__ import annotations

import json

from nodectl.install.keys import MONGODB_KEY, NODESOURCE_KEY
from nodectl.install.operations import FLUXOS_REPO, LOGROTATE_SETTINGS, WATCHDOG_REPO
from nodectl.install.steps.base import (
    Action,
    Custom,
    InstallContext,
    Probe,
    Remove,
    Run,
    Step,
    StepRun,
    config,
    op,
)
from nodectl.install.steps.system import apt_install, apt_repo, enable_now

__all__ = ["FLUXOS_REPO", "WATCHDOG_REPO", "pm2_cwds", "pm2_has"]


def pm2_has(user: str, name: str) -> Probe:
    return Probe(op("pm2_list", user=user), contains=f'"name":"{name}"')


def pm2_cwds(text: str) -> dict[str, str]:
    """App name -> working directory from `pm2 jlist` (which may print warnings first)."""
    for line in reversed(text.splitlines()):
        if line.startswith("["):
            try:
                apps = json.loads(line)
            except ValueError:
                continue
            return {str(a.get("name")): str((a.get("pm2_env") or {}).get("pm_cwd", ""))
                    for a in apps if isinstance(a, dict)}
    return {}


class MongoDb(Step):
    step_id = "mongodb"
    title = "MongoDB 7.0"
    why = ("FluxOS stores its state in MongoDB. Repository as the official OS/AVX matrix says: "
           "7.0 for amd64 with AVX (Debian: its own dist; Ubuntu: jammy) and for arm64 "
           "(jammy); the signing key fingerprint is pinned.")
    weight = 2.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [
            *apt_repo(ctx, "mongodb", MONGODB_KEY),
            apt_install(("mongodb-org",)),
            enable_now("mongod"),
        ]


class NodeJs(Step):
    step_id = "nodejs"
    title = "Node.js 20"
    why = ("FluxOS needs Node.js 20 (the official installer runs `nvm install 20.9.0` from a "
           "curl-piped script in the user's shell profile). Here it comes from the signed "
           "NodeSource apt repository: verifiable, updated by apt, and on the PATH of systemd "
           "units such as the pm2 startup service.")
    weight = 1.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        return [
            *apt_repo(ctx, "nodesource", NODESOURCE_KEY),
            apt_install(("nodejs",)),
        ]


class FluxOs(Step):
    step_id = "fluxos"
    title = "FluxOS checkout and userconfig.js"
    why = ("`git clone https://github.com/RunOnFlux/flux.git ~/zelflux` and "
           "~/zelflux/config/userconfig.js with the keys the official installer writes "
           "(plus apiport/routerIP for a UPnP port set).")
    weight = 1.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        actions: list[Action] = [
            Run(op("clone_repo", user=p.user, repo="fluxos"),
                skip_if_exists=(f"{p.home}/zelflux/.git",),
                fix="check that github.com is reachable; if ~/zelflux is half-cloned, "
                "remove it, then Retry"),
            config(ctx, "userconfig_js"),
        ]
        if p.upnp:
            actions.append(config(ctx, "fluxbench_conf"))
        return actions


class Pm2(Step):
    step_id = "pm2"
    title = "pm2 and the FluxOS process"
    why = ("As the official installer: pm2 with a systemd startup unit for the node user, "
           "FluxOS started as pm2 process `flux` with the official restart limits, and "
           "pm2-logrotate (6 MB x 6, compressed).")
    weight = 1.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        u = ctx.params.user
        return [
            Run(op("install_pm2"), skip_if_exists=("/usr/bin/pm2",)),
            Run(op("pm2_startup", user=u),
                skip_if_exists=(f"/etc/systemd/system/pm2-{u}.service",)),
            Run(op("pm2_start", user=u, app="flux"), skip_if=pm2_has(u, "flux")),
            Run(op("pm2_install_logrotate", user=u), skip_if=pm2_has(u, "pm2-logrotate")),
            *[Run(op("pm2_set_logrotate", user=u, setting=key)) for key in LOGROTATE_SETTINGS],
            Run(op("pm2_save", user=u, force=False)),
        ]

    def undo(self, ctx: InstallContext) -> list[Action]:
        u = ctx.params.user
        return [Run(op("pm2_delete", user=u, app="flux")),
                Run(op("pm2_save", user=u, force=True))]


class Watchdog(Step):
    step_id = "watchdog"
    title = "Flux watchdog"
    why = ("The official watchdog in ~/watchdog under pm2, started as FluxOS and the "
           "multitoolbox start it: from its own folder (it reads config.js and package.json "
           "from its working directory), restarted when its code changes but not for "
           ".git, node_modules, watchdog_error.log or config.js. config.js gets tier_eps_min "
           "for the chosen tier. Updates: on this (non-ArcaneOS) system the watchdog updates "
           "FluxOS, fluxd and fluxbench itself whatever its update switches say, so there is "
           "no choice to offer here. The installer's extra git hook is not fetched: FluxOS "
           "reinstalls the watchdog itself when missing (flux PR #1652).")
    weight = 1.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        wd = f"{p.home}/watchdog"
        listed = op("pm2_list", user=p.user)

        async def cwd(run: StepRun) -> str | None:
            result = await run.ctx.host.perform(listed, timeout=60)
            return pm2_cwds(result.text).get("watchdog") if result.ok else None

        async def drop_misplaced(run: StepRun) -> None:
            # Started from $HOME (earlier FluxDesk versions): the watchdog would not find
            # its config.js; pm2 refuses a second `start` of the same name, so delete first.
            if await cwd(run) not in (None, wd):
                await run.ctx.host.perform(op("pm2_delete", user=p.user, app="watchdog"))

        async def not_misplaced(run: StepRun) -> bool:
            return await cwd(run) in (None, wd)

        return [
            Run(op("clone_repo", user=p.user, repo="watchdog"), skip_if_exists=(f"{wd}/.git",)),
            Run(op("npm_install_watchdog", user=p.user), skip_if_exists=(f"{wd}/node_modules",)),
            config(ctx, "watchdog_config"),
            Custom(f"stop a watchdog that pm2 runs from another folder than {wd}",
                   drop_misplaced, not_misplaced),
            Run(op("pm2_start", user=p.user, app="watchdog"),
                skip_if=Probe(listed, contains=f'"pm_cwd":"{wd}"')),
            Run(op("pm2_save", user=p.user, force=False)),
        ]

    def undo(self, ctx: InstallContext) -> list[Action]:
        u = ctx.params.user
        return [Run(op("pm2_delete", user=u, app="watchdog")),
                Remove(f"{ctx.params.home}/watchdog",
                       op("remove_node_dir", user=u, name="watchdog"))]

"""FluxOS side: MongoDB, Node.js, the FluxOS checkout, pm2 and the watchdog."""

from __future__ import annotations

from nodectl.install import render
from nodectl.install.keys import MONGODB_KEY, NODESOURCE_KEY
from nodectl.install.steps.base import Action, InstallContext, Probe, Remove, Run, Step, write
from nodectl.install.steps.system import apt_install, apt_repo, enable_now

FLUXOS_REPO = "https://github.com/RunOnFlux/flux.git"
WATCHDOG_REPO = "https://github.com/RunOnFlux/fluxnode-watchdog.git"


def pm2_has(user: str, name: str) -> Probe:
    return Probe(("pm2", "jlist"), user=user, contains=f'"name":"{name}"')


class MongoDb(Step):
    step_id = "mongodb"
    title = "MongoDB 7.0"
    why = ("FluxOS stores its state in MongoDB. Repository as the official OS/AVX matrix says: "
           "7.0 for amd64 with AVX (Debian: its own dist; Ubuntu: jammy) and for arm64 "
           "(jammy); the signing key fingerprint is pinned.")
    weight = 2.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        f = ctx.facts
        return [
            *apt_repo(MONGODB_KEY, "/etc/apt/sources.list.d/mongodb-org-7.0.list",
                      render.mongodb_apt_list(f.arch, f.distro, f.codename)),
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
            *apt_repo(NODESOURCE_KEY, "/etc/apt/sources.list.d/nodesource.list",
                      render.nodesource_apt_list(ctx.facts.arch)),
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
            Run(("git", "clone", FLUXOS_REPO, f"{p.home}/zelflux"), user=p.user,
                skip_if_exists=(f"{p.home}/zelflux/.git",),
                fix="check that github.com is reachable; if ~/zelflux is half-cloned, "
                "remove it, then Retry"),
            write(f"{p.home}/zelflux/config/userconfig.js", render.userconfig_js(p),
                  owner=p.user),
        ]
        if p.upnp:
            actions.append(write(f"{p.home}/.fluxbenchmark/fluxbench.conf",
                                 render.fluxbench_conf(p), owner=p.user))
        return actions


class Pm2(Step):
    step_id = "pm2"
    title = "pm2 and the FluxOS process"
    why = ("As the official installer: pm2 with a systemd startup unit for the node user, "
           "FluxOS started as pm2 process `flux` with the official restart limits, and "
           "pm2-logrotate (6 MB x 6, compressed).")
    weight = 1.5

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        u = p.user
        rotate = (("max_size", "6M"), ("retain", "6"), ("compress", "true"),
                  ("workerInterval", "3600"), ("rotateInterval", "0 12 * * 0"))
        return [
            Run(("npm", "install", "-g", "pm2@latest"), skip_if_exists=("/usr/bin/pm2",)),
            Run(("pm2", "startup", "systemd", "-u", u, "--hp", p.home),
                skip_if_exists=(f"/etc/systemd/system/pm2-{u}.service",)),
            Run(("pm2", "start", f"{p.home}/zelflux/start.sh", "--name", "flux",
                 "--max-memory-restart", "1500M", "--restart-delay", "30000",
                 "--max-restarts", "40", "--time"), user=u, skip_if=pm2_has(u, "flux")),
            Run(("pm2", "install", "pm2-logrotate"), user=u,
                skip_if=pm2_has(u, "pm2-logrotate")),
            *[Run(("pm2", "set", f"pm2-logrotate:{key}", value), user=u)
              for key, value in rotate],
            Run(("pm2", "save"), user=u),
        ]

    def undo(self, ctx: InstallContext) -> list[Action]:
        u = ctx.params.user
        return [Run(("pm2", "delete", "flux"), user=u), Run(("pm2", "save", "--force"), user=u)]


class Watchdog(Step):
    step_id = "watchdog"
    title = "Flux watchdog"
    why = ("The official watchdog in ~/watchdog under pm2, config.js with tier_eps_min for the "
           "chosen tier and auto-updates on. The installer's extra git hook is not fetched: "
           "FluxOS reinstalls the watchdog itself when missing (flux PR #1652).")
    weight = 1.0

    def actions(self, ctx: InstallContext) -> list[Action]:
        p = ctx.params
        wd = f"{p.home}/watchdog"
        return [
            Run(("git", "clone", WATCHDOG_REPO, wd), user=p.user,
                skip_if_exists=(f"{wd}/.git",)),
            Run(("npm", "install", "--prefix", wd, "--omit=dev"), user=p.user,
                skip_if_exists=(f"{wd}/node_modules",)),
            write(f"{wd}/config.js", render.watchdog_config_js(p), owner=p.user),
            Run(("pm2", "start", f"{wd}/watchdog.js", "--name", "watchdog", "--watch", wd,
                 "--watch-delay", "20"), user=p.user, skip_if=pm2_has(p.user, "watchdog")),
            Run(("pm2", "save"), user=p.user),
        ]

    def undo(self, ctx: InstallContext) -> list[Action]:
        return [Run(("pm2", "delete", "watchdog"), user=ctx.params.user),
                Remove(f"{ctx.params.home}/watchdog")]

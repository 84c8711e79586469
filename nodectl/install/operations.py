"""The catalogue of privileged operations: names, typed parameters, and what each one does.

This is the only vocabulary between the installer and root. A request names an operation and
gives its parameters; the parameters are checked here against fixed sets and validators, and
the command line or file is built here from them. No request ever carries an argument vector,
a path to write, or file content: a caller can choose *which* of our operations runs and for
*which* node user, never *what* it runs. The same catalogue serves the helper (root), a root
LocalHost, the sandbox and the dry-run, so what the plan shows is what runs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nodectl.install.configs import (
    CONFIGS,
    FSTAB_SWAP,
    REPOS,
    ConfigFile,
    Inputs,
    OperationRefused,
    config_file,
    config_path,
    inputs,
    install_wire,
)
from nodectl.install.validate import InvalidInput, validate_ipv4, validate_port, validate_user_name

# Re-exported: the helper, the sandbox and the steps reach configs through this catalogue.
__all__ = ["CONFIGS", "FSTAB_SWAP", "REPOS", "ConfigFile", "Inputs", "OperationRefused",
           "config_file", "config_path", "inputs", "install_wire"]

# Official package list minus python/python-zmq (gone from Debian 12 / Ubuntu 24.04) and
# g++-multilib (amd64 only); plus distro sysbench 1.0.20 (see steps.system).
BASE_PACKAGES = (
    "nano", "htop", "pwgen", "ufw", "figlet", "tmux", "jq", "zip", "gzip", "pv", "unzip", "git",
    "build-essential", "libtool", "pkg-config", "libc6-dev", "m4", "autoconf", "ncurses-dev",
    "wget", "curl", "bc", "bsdmainutils", "automake", "fail2ban", "dirmngr", "ca-certificates",
    "cron", "sysbench", "sudo", "psmisc",
)
REPO_PACKAGES = ("docker-ce", "docker-ce-cli", "containerd.io", "flux", "fluxbench",
                 "mongodb-org", "nodejs")
ALLOWED_PACKAGES = frozenset(BASE_PACKAGES + REPO_PACKAGES)
PURGEABLE_PACKAGES = frozenset({"flux", "fluxbench"})
NODE_GROUPS = frozenset({"sudo", "docker"})
# Units installed by our packages or written by us into /etc/systemd/system (root-owned).
UNITS = frozenset({"docker", "mongod", "fail2ban", "zelcash.service"})
APT_ENV = (("DEBIAN_FRONTEND", "noninteractive"), ("NEEDRESTART_MODE", "a"))

FLUXOS_REPO = "https://github.com/RunOnFlux/flux.git"
WATCHDOG_REPO = "https://github.com/RunOnFlux/fluxnode-watchdog.git"
CLONES = {"fluxos": (FLUXOS_REPO, "zelflux"), "watchdog": (WATCHDOG_REPO, "watchdog")}
NODE_DIRS = frozenset({".flux"})
REMOVABLE_NODE_DIRS = frozenset({"watchdog"})
LOGROTATE_SETTINGS = {"max_size": "6M", "retain": "6", "compress": "true",
                      "workerInterval": "3600", "rotateInterval": "0 12 * * 0"}
NODE_TOOLS = frozenset({"flux-cli", "fluxbench-cli"})
# Files the watchdog itself rewrites or that change without a new watchdog version: a
# restart on them would loop (FluxOS watchdogService and the multitoolbox ignore them too).
WATCHDOG_IGNORED = ("node_modules", ".git", "watchdog_error.log", "config.js")
MAX_SWAP_MIB = 64 * 1024


@dataclass(frozen=True)
class Command:
    """One program run by an operation. ``user`` None = root with cwd "/"; otherwise the node
    user with privileges dropped, a minimal environment and ``cwd`` inside their home."""

    argv: tuple[str, ...]
    user: str | None = None
    cwd: str = "/"
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, eq=False)
class Operation:
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {"op": self.name, "args": dict(self.args)}


# -- parameter checks -------------------------------------------------------------------------
Check = Callable[[object], Any]


def one_of(allowed: frozenset[str] | Mapping[str, object], what: str) -> Check:
    def check(value: object) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise OperationRefused(f"not {what}: {value!r}")
        return value
    return check


def names_from(allowed: frozenset[str], what: str) -> Check:
    def check(value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not value:
            raise OperationRefused(f"{what} must be a non-empty list")
        return tuple(one_of(allowed, what)(v) for v in value)
    return check


def node_user(value: object) -> str:
    try:
        return validate_user_name(value)
    except InvalidInput as exc:
        raise OperationRefused(f"not a node user name: {value!r}") from exc


def swap_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SWAP_MIB:
        raise OperationRefused(f"swap size must be 1..{MAX_SWAP_MIB} MiB")
    return value


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise OperationRefused("must be true or false")
    return value


def abs_path(value: object) -> str:
    if not isinstance(value, str) or not value.startswith("/") or "\x00" in value:
        raise OperationRefused(f"not an absolute path: {value!r}")
    return value


def keyring_bytes(value: object) -> bytes:
    if not isinstance(value, str) or len(value) > 1 << 20:
        raise OperationRefused("keyring must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise OperationRefused("keyring must be base64 text") from exc


# -- the operations ---------------------------------------------------------------------------
def _as_node(user: str, argv: tuple[str, ...], rel_cwd: str = "") -> Command:
    home = f"/home/{user}"
    return Command(argv, user, f"{home}/{rel_cwd}" if rel_cwd else home)


def _pm2_start(user: str, app: str) -> Command:
    home = f"/home/{user}"
    if app == "flux":
        return Command(("pm2", "start", f"{home}/zelflux/start.sh", "--name", "flux",
                        "--max-memory-restart", "1500M", "--restart-delay", "30000",
                        "--max-restarts", "40", "--time"), user, f"{home}/zelflux")
    wd = f"{home}/watchdog"
    ignored = tuple(a for name in WATCHDOG_IGNORED for a in ("--ignore-watch", name))
    # The official form (FluxOS watchdogService.startWatchdog, multitoolbox): the watchdog's
    # own folder as working directory, since it reads config.js and package.json from there.
    return Command(("pm2", "start", f"{wd}/watchdog.js", "--name", "watchdog", "--watch", wd,
                    *ignored, "--watch-delay", "20"), user, wd)


@dataclass(frozen=True)
class Spec:
    params: Mapping[str, Check]
    command: Callable[[Mapping[str, Any]], Command] | None = None  # None: a file operation


USER = {"user": node_user}
SPECS: dict[str, Spec] = {
    # read-only queries (user_id/user_groups may name any user; see privops.gate)
    "ping": Spec({}),
    "user_id": Spec(USER, lambda a: Command(("id", "-u", a["user"]))),
    "user_groups": Spec(USER, lambda a: Command(("id", "-nG", a["user"]))),
    "packages_installed": Spec(
        {"names": names_from(ALLOWED_PACKAGES, "an allowed package")},
        lambda a: Command(("dpkg-query", "-W", "-f=${Status}\\n", *a["names"]))),
    "unit_active": Spec({"unit": one_of(UNITS, "one of our units")},
                        lambda a: Command(("systemctl", "is-active", a["unit"]))),
    "unit_enabled": Spec({"unit": one_of(UNITS, "one of our units")},
                         lambda a: Command(("systemctl", "is-enabled", a["unit"]))),
    "ufw_status": Spec({}, lambda a: Command(("ufw", "status"))),
    "swap_status": Spec({}, lambda a: Command(("swapon", "--show=NAME", "--noheadings"))),
    "pm2_list": Spec(USER, lambda a: _as_node(a["user"], ("pm2", "jlist"))),
    "node_cli": Spec(
        {**USER, "tool": one_of(NODE_TOOLS, "a node tool"),
         "command": one_of(frozenset({"getinfo"}), "a read-only node command")},
        lambda a: _as_node(a["user"], (a["tool"], a["command"]))),
    "read_file": Spec({"path": abs_path}),
    "exists": Spec({"path": abs_path}),
    # system
    "create_node_user": Spec(USER, lambda a: Command(
        ("useradd", "--create-home", "--shell", "/bin/bash", "--user-group", a["user"]))),
    "add_to_group": Spec({**USER, "group": one_of(NODE_GROUPS, "a node group")},
                         lambda a: Command(("usermod", "--append", "--groups", a["group"],
                                            a["user"]))),
    "swapfile_create": Spec({"size_mib": swap_size}, lambda a: Command(
        ("fallocate", "-l", f"{a['size_mib']}M", "/swapfile"))),
    "swapfile_protect": Spec({}, lambda a: Command(("chmod", "600", "/swapfile"))),
    "swapfile_format": Spec({}, lambda a: Command(("mkswap", "/swapfile"))),
    "swapfile_enable": Spec({}, lambda a: Command(("swapon", "/swapfile"))),
    "append_fstab_swap": Spec({}),
    "apt_update": Spec({}, lambda a: Command(("apt-get", "update"), env=APT_ENV)),
    "install_packages": Spec(
        {"names": names_from(ALLOWED_PACKAGES, "an allowed package")},
        lambda a: Command(("apt-get", "install", "-y", "--no-install-recommends", *a["names"]),
                          env=APT_ENV)),
    "purge_packages": Spec(
        {"names": names_from(PURGEABLE_PACKAGES, "a package the installer may remove")},
        lambda a: Command(("apt-get", "purge", "-y", *a["names"]), env=APT_ENV)),
    "enable_unit": Spec({"unit": one_of(UNITS, "one of our units")},
                        lambda a: Command(("systemctl", "enable", "--now", a["unit"]))),
    "disable_unit": Spec({"unit": one_of(UNITS, "one of our units")},
                         lambda a: Command(("systemctl", "disable", "--now", a["unit"]))),
    "systemd_reload": Spec({}, lambda a: Command(("systemctl", "daemon-reload"))),
    "restart_unit": Spec({"unit": one_of(UNITS, "one of our units")},
                         lambda a: Command(("systemctl", "restart", a["unit"]))),
    "install_keyring": Spec({"repo": one_of(REPOS, "a pinned repository"),
                             "distro": one_of(frozenset({"ubuntu", "debian"}), "a distro"),
                             "keyring": keyring_bytes}),
    "remove_keyring": Spec({"repo": one_of(REPOS, "a pinned repository"),
                            "distro": one_of(frozenset({"ubuntu", "debian"}), "a distro")}),
    "write_config": Spec({"kind": one_of(CONFIGS, "a config file of ours"), "install": inputs}),
    "remove_config": Spec({"kind": one_of(CONFIGS, "a config file of ours"), **USER}),
    "ufw_rule": Spec({"rule": one_of(frozenset({"ssh_allow", "ssh_limit", "logging",
                                                "deny_incoming", "allow_outgoing",
                                                "flux_ports", "upnp_ssdp_out",
                                                "upnp_router_ssdp", "upnp_router_tcp_out",
                                                "upnp_router_udp"}), "a firewall rule"),
                      "ssh_port": lambda v: validate_port(v, "SSH port"),
                      "router_ip": lambda v: validate_ipv4(v, "router IP") if v else ""},
                     lambda a: Command(("ufw", *ufw_rule(a)))),
    "ufw_enable": Spec({}, lambda a: Command(("ufw", "--force", "enable"))),
    # node user: files
    "make_node_dir": Spec({**USER, "name": one_of(NODE_DIRS, "a node folder")}),
    "remove_node_dir": Spec({**USER, "name": one_of(REMOVABLE_NODE_DIRS, "a node folder")}),
    "extract_bootstrap": Spec({**USER, "archive": abs_path}),
    # node user: programs (always with the node user's privileges)
    "fetch_zk_params": Spec(USER, lambda a: _as_node(a["user"], ("flux-fetch-params.sh",))),
    "clone_repo": Spec({**USER, "repo": one_of(CLONES, "a repository of ours")},
                       lambda a: _as_node(a["user"], ("git", "clone", CLONES[a["repo"]][0],
                                          f"/home/{a['user']}/{CLONES[a['repo']][1]}"))),
    "npm_install_watchdog": Spec(USER, lambda a: _as_node(
        a["user"], ("npm", "install", "--prefix", f"/home/{a['user']}/watchdog", "--omit=dev"),
        "watchdog")),
    "pm2_start": Spec({**USER, "app": one_of(frozenset({"flux", "watchdog"}), "a pm2 app")},
                      lambda a: _pm2_start(a["user"], a["app"])),
    "pm2_install_logrotate": Spec(USER, lambda a: _as_node(
        a["user"], ("pm2", "install", "pm2-logrotate"))),
    "pm2_set_logrotate": Spec(
        {**USER, "setting": one_of(LOGROTATE_SETTINGS, "a pm2-logrotate setting")},
        lambda a: _as_node(a["user"], ("pm2", "set", f"pm2-logrotate:{a['setting']}",
                                       LOGROTATE_SETTINGS[a["setting"]]))),
    "pm2_save": Spec({**USER, "force": flag}, lambda a: _as_node(
        a["user"], ("pm2", "save", *(("--force",) if a["force"] else ())))),
    "pm2_restart": Spec({**USER, "app": one_of(frozenset({"flux", "watchdog"}), "a pm2 app")},
                        lambda a: _as_node(a["user"], ("pm2", "restart", a["app"]))),
    "rerun_benchmark": Spec(USER, lambda a: _as_node(
        a["user"], ("fluxbench-cli", "restartnodebenchmarks"))),
    "pm2_delete": Spec({**USER, "app": one_of(frozenset({"flux", "watchdog"}), "a pm2 app")},
                       lambda a: _as_node(a["user"], ("pm2", "delete", a["app"]))),
    # root, fixed forms: pm2 from the registry, and its boot unit for the node user
    "install_pm2": Spec({}, lambda a: Command(("npm", "install", "-g", "pm2@latest"))),
    "pm2_startup": Spec(USER, lambda a: Command(
        ("pm2", "startup", "systemd", "-u", a["user"], "--hp", f"/home/{a['user']}"))),
}


def ufw_rule(a: Mapping[str, Any]) -> tuple[str, ...]:
    ssh, router = f"{a['ssh_port']}/tcp", a["router_ip"]
    rules: dict[str, tuple[str, ...]] = {
        "ssh_allow": ("allow", ssh), "ssh_limit": ("limit", ssh), "logging": ("logging", "on"),
        "deny_incoming": ("default", "deny", "incoming"),
        "allow_outgoing": ("default", "allow", "outgoing"),
        "flux_ports": ("allow", "16100:16199/tcp"),
        "upnp_ssdp_out": ("allow", "out", "from", "any", "to", "239.255.255.250", "port",
                          "1900", "proto", "udp"),
        "upnp_router_ssdp": ("allow", "from", router, "port", "1900", "proto", "udp"),
        "upnp_router_tcp_out": ("allow", "out", "from", "any", "to", router, "proto", "tcp"),
        "upnp_router_udp": ("allow", "from", router, "proto", "udp"),
    }
    if a["rule"].startswith("upnp_router") and not router:
        raise OperationRefused("this firewall rule needs the router IP")
    return rules[a["rule"]]


def parse(name: object, args: object) -> Operation:
    """A request as a checked Operation; anything else is refused."""
    spec = SPECS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise OperationRefused(f"unknown operation: {name!r}")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise OperationRefused("args must be an object")
    unexpected = set(args) - set(spec.params)
    if unexpected:
        raise OperationRefused(f"{name} takes no {', '.join(sorted(unexpected))}")
    missing = set(spec.params) - set(args)
    if missing:
        raise OperationRefused(f"{name} needs {', '.join(sorted(missing))}")
    checked: dict[str, Any] = {}
    for key, check in spec.params.items():
        try:
            checked[key] = check(args[key])
        except InvalidInput as exc:
            raise OperationRefused(str(exc)) from exc
    return Operation(str(name), checked)


def command(op: Operation) -> Command | None:
    spec = SPECS[op.name]
    return spec.command(op.args) if spec.command is not None else None


def command_of(op: Operation) -> Callable[[Mapping[str, Any]], Command] | None:
    spec = SPECS.get(op.name)
    return None if spec is None else spec.command


def text(op: Operation) -> str:
    """A file operation in words, for the plan (never the install parameters)."""
    shown_args = ", ".join(f"{k}={v}" for k, v in op.args.items() if k != "install")
    return f"{op.name}({shown_args})"


def shown(op: Operation) -> dict[str, Any]:
    """How the plan shows an operation (never its secret-bearing install parameters)."""
    cmd = SPECS[op.name].command
    entry: dict[str, Any] = {"op": op.name}
    if cmd is not None:
        try:
            built = cmd(op.args)
        except (KeyError, TypeError, OperationRefused):
            return entry
        entry.update(argv=list(built.argv), **{"as": built.user or "root"})
        if built.env:
            entry["env"] = dict(built.env)
    return entry

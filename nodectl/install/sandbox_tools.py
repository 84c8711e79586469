"""Command emulation for :class:`SandboxHost` (system state lives in a JSON file in the root,
so a new SandboxHost on the same root sees the same "machine")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nodectl.install.sandbox import SandboxHost

Result = tuple[int, list[str]]

# Package -> (apt source file it needs, files it installs).
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "flux": ("flux.list", ("/usr/local/bin/fluxd", "/usr/local/bin/flux-cli",
                           "/usr/local/bin/flux-tx", "/usr/local/bin/flux-fetch-params.sh")),
    "fluxbench": ("flux.list", ("/usr/local/bin/fluxbenchd", "/usr/local/bin/fluxbench-cli")),
    "docker-ce": ("docker.list", ("/usr/bin/dockerd",)),
    "docker-ce-cli": ("docker.list", ("/usr/bin/docker",)),
    "containerd.io": ("docker.list", ("/usr/bin/containerd",)),
    "mongodb-org": ("mongodb-org-7.0.list", ("/usr/bin/mongod",)),
    "nodejs": ("nodesource.list", ("/usr/bin/node", "/usr/bin/npm")),
    "git": ("", ("/usr/bin/git",)),
    "ufw": ("", ("/usr/sbin/ufw",)),
    "fail2ban": ("", ("/usr/bin/fail2ban-server",)),
}
PACKAGE_UNITS = {"docker": "docker-ce", "mongod": "mongodb-org", "fail2ban": "fail2ban"}
READONLY = {("id",), ("dpkg-query",), ("systemctl", "is-active"), ("systemctl", "is-enabled"),
            ("ufw", "status"), ("pm2", "jlist"), ("swapon", "--show=NAME"),
            ("flux-cli", "getinfo"), ("fluxbench-cli", "getinfo")}


class Emulator:
    def __init__(self, host: SandboxHost) -> None:
        self.host = host
        self._cwd = "/"
        self._file = "/var/lib/fluxdesk-sandbox/state.json"

    @property
    def state(self) -> dict[str, Any]:
        target = self.host.path(self._file)
        if target.is_file():
            data: dict[str, Any] = json.loads(target.read_text())
            return data
        return {"users": {}, "packages": [], "units": {}, "ufw": {"active": False, "rules": []},
                "swap": [], "pm2": {}, "apt_updates": 0}

    def _save(self, state: dict[str, Any]) -> None:
        target = self.host.path(self._file)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(state, sort_keys=True))

    def is_readonly(self, argv: tuple[str, ...]) -> bool:
        return any(argv[:len(prefix)] == prefix for prefix in READONLY)

    def _touch(self, path: str, text: str = "") -> None:
        target = self.host.path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_text(text)

    def run(self, argv: tuple[str, ...], user: str | None, cwd: str = "/") -> Result:
        handler: Callable[[dict[str, Any], tuple[str, ...], str | None], Result] | None = {
            "useradd": self._useradd, "usermod": self._usermod, "id": self._id,
            "apt-get": self._apt, "dpkg-query": self._dpkg_query, "systemctl": self._systemctl,
            "ufw": self._ufw, "fallocate": self._fallocate, "chmod": self._ok,
            "mkswap": self._mkswap, "swapon": self._swapon, "git": self._git, "npm": self._npm,
            "pm2": self._pm2, "flux-fetch-params.sh": self._fetch_params,
            "flux-cli": self._cli, "fluxbench-cli": self._cli,
        }.get(argv[0])
        self._cwd = cwd
        if handler is None:
            return 127, [f"{argv[0]}: not emulated by the sandbox"]
        state = self.state
        result = handler(state, argv, user)
        self._save(state)
        return result

    def _ok(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        return 0, []

    def _useradd(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        name = argv[-1]
        if name in state["users"]:
            return 9, [f"useradd: user '{name}' already exists"]
        state["users"][name] = [name]
        self.host.path(f"/home/{name}").mkdir(parents=True, exist_ok=True)
        passwd = self.host.path("/etc/passwd")
        passwd.write_text(passwd.read_text() + f"{name}:x:1001:1001::/home/{name}:/bin/bash\n")
        return 0, []

    def _usermod(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        name, group = argv[-1], argv[argv.index("--groups") + 1]
        if name not in state["users"]:
            return 6, [f"usermod: user '{name}' does not exist"]
        if group == "docker" and "docker-ce" not in state["packages"]:
            return 6, ["usermod: group 'docker' does not exist"]
        if group not in state["users"][name]:
            state["users"][name].append(group)
        return 0, []

    def _id(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        groups = state["users"].get(argv[-1])
        if groups is None:
            return 1, [f"id: '{argv[-1]}': no such user"]
        return 0, [" ".join(groups) if "-nG" in argv else "1001"]

    def _apt(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        verb = argv[1]
        if verb == "update":
            state["apt_updates"] += 1
            return 0, ["Reading package lists... Done"]
        names = [a for a in argv[2:] if not a.startswith("-")]
        if verb == "purge":
            state["packages"] = [p for p in state["packages"] if p not in names]
            return 0, []
        for name in names:
            source = PACKAGES.get(name, ("", ()))[0]
            if source and not self.host.path(f"/etc/apt/sources.list.d/{source}").exists():
                return 100, [f"E: Unable to locate package {name}"]
        for name in names:
            for path in PACKAGES.get(name, ("", ()))[1]:
                self._touch(path, "#!/bin/sh\n")
            if name not in state["packages"]:
                state["packages"].append(name)
        return 0, [f"Setting up {n} ..." for n in names]

    def _dpkg_query(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None,
                    ) -> Result:
        names = [a for a in argv[2:] if not a.startswith("-")]
        missing = [n for n in names if n not in state["packages"]]
        if missing:
            return 1, [f"dpkg-query: no packages found matching {m}" for m in missing]
        return 0, ["install ok installed"] * len(names)

    def _systemctl(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None,
                   ) -> Result:
        verb, units = argv[1], [a for a in argv[2:] if not a.startswith("-")]
        if verb == "daemon-reload":
            return 0, []
        unit = units[0].removesuffix(".service")
        info = state["units"].get(unit, {"enabled": False, "active": False})
        if verb == "is-active":
            return (0, ["active"]) if info["active"] else (3, ["inactive"])
        if verb == "is-enabled":
            return (0, ["enabled"]) if info["enabled"] else (1, ["disabled"])
        known = self.host.path(f"/etc/systemd/system/{unit}.service").exists() or \
            PACKAGE_UNITS.get(unit) in state["packages"]
        if verb in ("enable", "start", "restart") and not known:
            return 5, [f"Failed to {verb} {unit}.service: Unit {unit}.service not found."]
        if verb == "enable":
            info["enabled"] = True
            info["active"] = info["active"] or "--now" in argv
        elif verb in ("start", "restart"):
            info["active"] = True
        elif verb == "disable":
            info["enabled"] = False
            info["active"] = info["active"] and "--now" not in argv
        state["units"][unit] = info
        return 0, []

    def _ufw(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if "ufw" not in state["packages"]:
            return 127, ["ufw: command not found"]
        if argv[1] == "status":
            return 0, ["Status: active" if state["ufw"]["active"] else "Status: inactive"]
        if argv[1:] == ("--force", "enable"):
            state["ufw"]["active"] = True
            return 0, ["Firewall is active and enabled on system startup"]
        rule = " ".join(argv[1:])
        if rule not in state["ufw"]["rules"]:
            state["ufw"]["rules"].append(rule)
        return 0, ["Rules updated"]

    def _fallocate(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None,
                   ) -> Result:
        self._touch(argv[-1], f"swap {argv[2]}\n")
        return 0, []

    def _mkswap(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if argv[-1] in state["swap"]:
            return 1, [f"mkswap: {argv[-1]}: Device or resource busy"]
        return 0, ["Setting up swapspace version 1"]

    def _swapon(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if argv[1].startswith("--show"):
            return 0, list(state["swap"])
        if argv[-1] in state["swap"]:
            return 255, [f"swapon: {argv[-1]}: swapon failed: Device or resource busy"]
        state["swap"].append(argv[-1])
        return 0, []

    def _git(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if "git" not in state["packages"]:
            return 127, ["git: command not found"]
        url, dest = argv[2], argv[3]
        if self.host.path(dest).exists() and any(self.host.path(dest).iterdir()):
            return 128, [f"fatal: destination path '{dest}' already exists and is not empty"]
        self._touch(f"{dest}/.git/HEAD", "ref: refs/heads/master\n")
        if url.endswith("/flux.git"):
            self._touch(f"{dest}/start.sh", "#!/bin/bash\ncd zelflux && npm start\n")
            self.host.path(f"{dest}/config").mkdir(parents=True, exist_ok=True)
        else:
            self._touch(f"{dest}/watchdog.js", "// watchdog\n")
        return 0, [f"Cloning into '{dest}'..."]

    def _npm(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if "nodejs" not in state["packages"]:
            return 127, ["npm: command not found"]
        if "-g" in argv:
            self._touch("/usr/bin/pm2", "#!/bin/sh\n")
        else:
            self.host.path(f"{argv[argv.index('--prefix') + 1]}/node_modules").mkdir(
                parents=True, exist_ok=True)
        return 0, ["added 1 package"]

    def _pm2(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        if not self.host.path("/usr/bin/pm2").exists():
            return 127, ["pm2: command not found"]
        procs = state["pm2"].setdefault(user or "root", {})
        verb = argv[1]
        if verb == "jlist":
            return 0, [json.dumps([{"name": n, **p} for n, p in procs.items()],
                                  separators=(",", ":"))]
        if verb == "startup":
            self._touch(f"/etc/systemd/system/pm2-{argv[argv.index('-u') + 1]}.service")
        elif verb == "start":
            script, name = argv[2], argv[argv.index("--name") + 1]
            if not self.host.path(script).exists():
                return 1, [f"[PM2][ERROR] Script not found: {script}"]
            if name in procs:
                return 1, ["[PM2][ERROR] Script already launched, add -f option to force "
                           "re-execution"]
            ignored = [argv[i + 1] for i, a in enumerate(argv) if a == "--ignore-watch"]
            # As `pm2 jlist` reports it: pm_cwd is where `pm2 start` ran, the app's cwd.
            procs[name] = {"pm2_env": {"pm_exec_path": script, "status": "online",
                                       "pm_cwd": self._cwd, "ignore_watch": ignored}}
        elif verb == "install":
            procs[argv[2]] = {"pm2_env": {"pm_exec_path": "module", "status": "online"}}
        elif verb == "delete":
            if procs.pop(argv[2], None) is None:
                return 1, [f"[PM2][ERROR] Process or Namespace {argv[2]} not found"]
        elif verb == "save":
            self.host.path(f"/home/{user}/.pm2").mkdir(parents=True, exist_ok=True)
            self.host.path(f"/home/{user}/.pm2/dump.pm2").write_text(json.dumps(procs))
        return 0, []

    def _fetch_params(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None,
                      ) -> Result:
        if "flux" not in state["packages"]:
            return 127, ["flux-fetch-params.sh: command not found"]
        for name in ("sapling-spend.params", "sapling-output.params", "sprout-groth16.params"):
            self._touch(f"/home/{user}/.zcash-params/{name}", "params\n")
        return 0, ["Fetched zk params"]

    def _cli(self, state: dict[str, Any], argv: tuple[str, ...], user: str | None) -> Result:
        running = state["units"].get("zelcash", {}).get("active", False)
        home = f"/home/{user}"
        ready = self.host.path(f"{home}/.flux/flux.conf").exists() and \
            self.host.path(f"{home}/.flux/blocks").exists()
        if not (running and ready):
            return 1, ["error: couldn't connect to server"]
        return 0, [json.dumps({"version": 9000600, "blocks": 1})]

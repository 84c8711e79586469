"""Privileged helper: ``python -m nodectl.install.privhelper`` started once via pkexec/sudo.

It reads one JSON request per line on stdin and answers with JSON lines on stdout. It accepts
only a fixed set of operations: run an allow-listed program (never a shell or interpreter)
with an argument vector, or write/read/remove/extract a path inside a fixed set of locations.
Anything else is refused with an error answer; the helper never evaluates a string.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nodectl.install.privops import (
    SudoersRejected,
    extract_into,
    remove_path,
    write_file_atomic,
)

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Programs the install, repair and uninstall steps need, and nothing else (no sh/bash/python).
ALLOWED_PROGRAMS = frozenset({
    "apt-get", "dpkg", "dpkg-query", "systemctl", "ufw", "useradd", "usermod", "userdel",
    "id", "gpg", "install", "mkdir", "chown", "chmod", "fallocate", "mkswap", "swapon",
    "swapoff", "git", "npm", "pm2", "fluxd", "flux-cli", "fluxbench-cli", "flux-fetch-params.sh",
    "docker", "visudo", "fuser", "ip",
})
# Options that would let an allowed program run arbitrary code or read arbitrary config.
FORBIDDEN_OPTIONS = {
    "apt-get": ("-o", "--option", "-c", "--config-file"),
    "dpkg": ("--admindir", "--root", "--instdir"),
    "git": ("-c", "--config", "--upload-pack", "-u", "--exec", "--template"),
    "gpg": ("--exec-path", "--load-extension"),
    "npm": ("--script-shell",),
}
# Programs that can run arbitrary code through some sub-command are limited to the ones used.
SUBCOMMANDS = {
    "git": frozenset({"clone"}),
    "npm": frozenset({"install"}),
    "pm2": frozenset({"jlist", "startup", "start", "install", "set", "save", "delete"}),
    "systemctl": frozenset({"enable", "disable", "start", "stop", "restart", "daemon-reload",
                            "is-active", "is-enabled"}),
}
# Sub-commands that start a user-supplied script: only ever as the node user, never as root.
USER_ONLY = {("pm2", "start")}
ALLOWED_ENV = frozenset({"DEBIAN_FRONTEND", "NEEDRESTART_MODE"})
FIXED_PREFIXES = (
    "/etc/systemd/system/", "/etc/apt/sources.list.d/", "/usr/share/keyrings/",
    "/etc/logrotate.d/", "/etc/sudoers.d/",
)
FIXED_FILES = ("/etc/fstab", "/swapfile")
MAX_TAIL = 40


class Refused(Exception):
    """The request is outside the allow-list."""


def _node_user(name: object) -> pwd.struct_passwd:
    if not isinstance(name, str):
        raise Refused("user must be a name")
    try:
        entry = pwd.getpwnam(name)
    except KeyError as exc:
        raise Refused(f"no such user: {name}") from exc
    if entry.pw_uid < 1000:
        raise Refused("only regular (uid >= 1000) users are allowed")
    return entry


def check_path(path: object) -> str:
    """Absolute, normalised, inside a fixed system location or a regular user's home."""
    if not isinstance(path, str) or "\x00" in path or not path.startswith("/"):
        raise Refused("path must be absolute")
    if os.path.normpath(path) != path:
        raise Refused("path must be normalised (no '..', '//' or trailing '/')")
    if path in FIXED_FILES or any(path.startswith(p) for p in FIXED_PREFIXES):
        return path
    parts = path.split("/")
    if len(parts) >= 4 and parts[1] == "home":
        entry = _node_user(parts[2])
        if entry.pw_dir == f"/home/{parts[2]}":
            return path
    raise Refused(f"path not allowed: {path}")


def check_argv(argv: object) -> list[str]:
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise Refused("argv must be a non-empty list of strings")
    if any("\x00" in a for a in argv):
        raise Refused("argv must not contain NUL bytes")
    program = argv[0]
    if "/" in program or program not in ALLOWED_PROGRAMS:
        raise Refused(f"program not allowed: {program}")
    forbidden = FORBIDDEN_OPTIONS.get(program, ())
    for arg in argv[1:]:
        if any(arg == opt or arg.startswith(opt + "=") for opt in forbidden):
            raise Refused(f"option not allowed for {program}: {arg}")
    allowed_sub = SUBCOMMANDS.get(program)
    if allowed_sub is not None:
        sub = next((a for a in argv[1:] if not a.startswith("-")), "")
        if sub not in allowed_sub:
            raise Refused(f"{program} {sub or '(none)'} is not allowed")
    resolved = shutil.which(program, path=SAFE_PATH)
    # Not installed yet is an ordinary answer (probes ask before the package step ran).
    return [resolved or program, *argv[1:]]


def check_env(env: object) -> dict[str, str]:
    if env is None:
        return {}
    if not isinstance(env, dict):
        raise Refused("env must be an object")
    clean: dict[str, str] = {}
    for key, value in env.items():
        if key not in ALLOWED_ENV or not isinstance(value, str) or "\x00" in value:
            raise Refused(f"environment variable not allowed: {key}")
        clean[key] = value
    return clean


Emit = Callable[[dict[str, Any]], None]


def op_run(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    raw = req.get("argv")
    head = tuple(raw[:2]) if isinstance(raw, list) else ()
    if req.get("user") is None and head in USER_ONLY:
        raise Refused(f"{head[0]} {head[1]} runs only as the node user")
    argv = check_argv(raw)
    if not argv[0].startswith("/"):
        return {"returncode": 127, "tail": [f"{argv[0]}: command not found"]}
    env = {"PATH": SAFE_PATH, "LANG": "C.UTF-8", **check_env(req.get("env"))}
    user = req.get("user")
    if user is not None:
        entry = _node_user(user)
        env["HOME"] = entry.pw_dir
        argv = ["runuser", "-u", entry.pw_name, "--", *argv]
    else:
        env["HOME"] = "/root"
    timeout = float(req.get("timeout", 3600))
    tail: list[str] = []
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, cwd=env["HOME"]) as proc:
        # A hung command (apt lock, dead mirror) must not hang the helper forever.
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for raw_line in proc.stdout:
                line = raw_line.decode("utf-8", "replace").rstrip("\n")
                tail = [*tail[-(MAX_TAIL - 1):], line]
                emit({"event": "line", "line": line})
            rc = proc.wait()
        finally:
            timed_out = not timer.is_alive()
            timer.cancel()
    if timed_out and rc < 0:
        tail.append(f"killed after {timeout:.0f} s")
        rc = 124
    return {"returncode": rc, "tail": tail}


def op_write(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    path = check_path(req.get("path"))
    content = base64.b64decode(str(req.get("data", "")), validate=True)
    mode = int(req.get("mode", 0o644)) & 0o777
    owner = req.get("owner")
    if owner is not None:
        owner = _node_user(owner).pw_name
    if path.startswith("/etc/sudoers.d/"):
        mode = 0o440
    try:
        write_file_atomic(path, content, mode, owner)
    except SudoersRejected as exc:
        raise Refused(str(exc)) from exc
    return {}


def op_read(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    path = Path(check_path(req.get("path")))
    if not path.is_file():
        return {"data": None}
    return {"data": base64.b64encode(path.read_bytes()).decode()}


def op_exists(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    return {"exists": os.path.lexists(check_path(req.get("path")))}


def op_remove(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    path = check_path(req.get("path"))
    if path.count("/") < 3:
        raise Refused("refusing to remove a top-level folder")
    remove_path(path)
    return {}


def op_extract(req: dict[str, Any], emit: Emit) -> dict[str, Any]:
    owner = _node_user(req.get("owner"))
    dest = check_path(req.get("dest"))
    if not dest.startswith(owner.pw_dir + "/"):
        raise Refused("extraction only into the node user's home")
    archive = req.get("archive")
    if not isinstance(archive, str) or not os.path.isabs(archive):
        raise Refused("archive must be an absolute path")

    def progress(done: int, total: int) -> None:
        emit({"event": "progress", "done": done, "total": total})

    extract_into(Path(archive), dest, owner.pw_name, progress)
    return {}


OPS: dict[str, Callable[[dict[str, Any], Emit], dict[str, Any]]] = {
    "ping": lambda req, emit: {"euid": os.geteuid()},
    "run": op_run, "write_file": op_write, "read_file": op_read, "exists": op_exists,
    "remove": op_remove, "extract": op_extract,
}


def handle(line: str, out: Callable[[str], None]) -> None:
    """Process one request line; every outcome is a JSON answer, never an exception."""
    req_id: object = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise Refused("request must be a JSON object")
        req_id = req.get("id")
        operation = OPS.get(str(req.get("op")))
        if operation is None:
            raise Refused(f"unknown operation: {req.get('op')!r}")

        def emit(event: dict[str, Any]) -> None:
            out(json.dumps({"id": req_id, **event}))

        result = operation(req, emit)
        out(json.dumps({"id": req_id, "ok": True, "result": result}))
    except Refused as exc:
        out(json.dumps({"id": req_id, "ok": False, "error": f"refused: {exc}"}))
    except (OSError, ValueError, KeyError, subprocess.SubprocessError) as exc:
        out(json.dumps({"id": req_id, "ok": False, "error": f"{type(exc).__name__}: {exc}"}))
    except Exception as exc:
        out(json.dumps({"id": req_id, "ok": False, "error": f"{type(exc).__name__}: {exc}"}))


def main() -> int:
    def out(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    out(json.dumps({"id": None, "ready": True, "euid": os.geteuid()}))
    for line in sys.stdin:
        if line.strip():
            handle(line, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

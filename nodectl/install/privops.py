"""Carries out a checked :class:`Operation` with root rights (in the helper, or in the app
itself when it already runs as root).

Root commands run with a fixed PATH, ``HOME=/root`` and cwd ``/``. Node-user commands (git,
npm, pm2, flux-cli) run with the node user's uid, gid and groups (dropped in the child before
exec), a new session (no access to the administrator's terminal), cwd inside their home and a
minimal environment (PATH, HOME, USER, LANG): nothing of the app's environment, such as
``FLUXDESK_IDENTITY_KEY``, reaches them. Files go through :class:`safefs.Root`.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nodectl.install import operations as ops
from nodectl.install.accounts import Account, Policy, lookup
from nodectl.install.archive import extract_archive
from nodectl.install.keys import KeyError_, verified_keyring
from nodectl.install.operations import Command, Operation, OperationRefused
from nodectl.install.safefs import UnsafePath, open_regular_nofollow

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The usual login PATH: FluxOS runs under the pm2 daemon these commands start, and calls
# tools in /usr/sbin (the pm2 boot unit later gets the same PATH from `pm2 startup`).
NODE_PATH = SAFE_PATH
MAX_TAIL = 40
# Where read_file/exists may look besides the node user's home (what the steps check).
READABLE_PREFIXES = ("/etc/systemd/system/", "/etc/apt/sources.list.d/", "/usr/share/keyrings/",
                     "/etc/logrotate.d/", "/etc/sudoers.d/", "/usr/local/bin/", "/usr/bin/")
READABLE_FILES = ("/etc/fstab", "/swapfile")

QUERIES_ABOUT_ANY_USER = frozenset({"user_id", "user_groups"})

Emit = Callable[[dict[str, Any]], None]


class SudoersRejected(Exception):
    """visudo refused a sudoers drop-in; nothing was written."""


def check_sudoers(content: bytes) -> None:
    """A broken sudoers drop-in can lock everyone out of sudo: let visudo check it first."""
    visudo = shutil.which("visudo", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if visudo is None:
        raise SudoersRejected("visudo is missing (install the sudo package)")
    with tempfile.NamedTemporaryFile("wb", suffix=".sudoers") as tmp:
        tmp.write(content)
        tmp.flush()
        done = subprocess.run([visudo, "-cf", tmp.name], capture_output=True, check=False,
                              env={"PATH": SAFE_PATH, "LANG": "C.UTF-8"}, cwd="/")
    if done.returncode != 0:
        raise SudoersRejected("sudoers rule rejected by visudo")


def node_env(account: Account) -> dict[str, str]:
    return {"PATH": NODE_PATH, "HOME": account.home, "USER": account.name,
            "LANG": "C.UTF-8"}


def run_command(cmd: Command, account: Account | None, cwd: str, timeout: float,
                emit: Emit) -> dict[str, Any]:
    """Run one catalogue command; ``account`` set = as that user (privileges dropped)."""
    program = shutil.which(cmd.argv[0], path=SAFE_PATH)
    if program is None:  # not installed yet: an ordinary answer for probes
        return {"returncode": 127, "tail": [f"{cmd.argv[0]}: command not found"]}
    if account is None:
        env = {"PATH": SAFE_PATH, "HOME": "/root", "LANG": "C.UTF-8", **dict(cmd.env)}
        drop: dict[str, Any] = {}
    else:
        env = node_env(account)
        drop = {"user": account.uid, "group": account.gid,
                "extra_groups": list(account.groups)}
    tail: list[str] = []
    with subprocess.Popen([program, *cmd.argv[1:]], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                          start_new_session=True, **drop) as proc:
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


def gate(op: Operation, policy: Policy) -> dict[str, Any] | None:
    """The node-account rule every operation obeys (an answer if nothing is left to do)."""
    user = op.args.get("user")
    if not isinstance(user, str) or op.name in QUERIES_ABOUT_ANY_USER:
        return None
    if op.name != "create_node_user":
        policy.node_account(user)  # sudo/docker groups, pm2 boot unit, files, programs
        return None
    existing = lookup(policy.root, user)
    if existing is None:
        return None
    policy.check(existing)  # an existing account must be a dedicated one
    return {"returncode": 0, "tail": [f"user {user} exists"]}


class Executor:
    """Performs operations under one trusted root with one account policy."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.root = policy.root

    def perform(self, op: Operation, emit: Emit, timeout: float = 3600.0) -> dict[str, Any]:
        try:
            return self._perform(op, emit, timeout)
        except UnsafePath as exc:
            raise OperationRefused(str(exc)) from exc

    def _perform(self, op: Operation, emit: Emit, timeout: float) -> dict[str, Any]:
        a = op.args
        if op.name == "ping":
            return {"euid": os.geteuid()}
        settled = gate(op, self.policy)
        if settled is not None:
            return settled
        cmd = ops.command(op)
        if cmd is not None:
            return self._run(cmd, timeout, emit)
        handler = getattr(self, "_" + op.name)
        result: dict[str, Any] = handler(a, emit)
        return result

    def _run(self, cmd: Command, timeout: float, emit: Emit) -> dict[str, Any]:
        if cmd.user is None:
            return run_command(cmd, None, "/", timeout, emit)
        account = self.policy.node_account(cmd.user)
        cwd = cmd.cwd if self.root.exists(cmd.cwd) else account.home
        with self.root.directory(cwd):  # refuses a link anywhere on the way
            pass
        return run_command(cmd, account, self.root.real(cwd), timeout, emit)

    def _owner(self, cf: ops.ConfigFile, user: str) -> tuple[int, int]:
        if not cf.node_owned:
            return 0, 0
        account = self.policy.node_account(user)
        return account.uid, account.gid

    def _write_config(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        inputs: ops.Inputs = a["install"]
        cf = ops.config_file(a["kind"], inputs)
        content = cf.content.encode()
        if a["kind"] == "sudoers":
            self.policy.node_account(inputs.params.user)
            try:
                check_sudoers(content)
            except SudoersRejected as exc:
                raise OperationRefused(str(exc)) from exc
        uid, gid = self._owner(cf, inputs.params.user)
        self.root.write(cf.path, content, cf.mode, uid, gid)
        return {}

    def _remove_config(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        self.root.remove(ops.config_path(a["kind"], a["user"]))
        return {}

    def _install_keyring(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        key = ops.REPOS[a["repo"]](a["distro"])
        try:
            data = verified_keyring(key, a["keyring"])
        except KeyError_ as exc:
            raise OperationRefused(str(exc)) from exc
        self.root.write(key.keyring, data, 0o644, 0, 0)
        return {}

    def _remove_keyring(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        self.root.remove(ops.REPOS[a["repo"]](a["distro"]).keyring)
        return {}

    def _append_fstab_swap(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        text = (self.root.read("/etc/fstab") or b"").decode("utf-8", "replace")
        if ops.FSTAB_SWAP not in text.splitlines():
            if text and not text.endswith("\n"):
                text += "\n"
            self.root.write("/etc/fstab", (text + ops.FSTAB_SWAP + "\n").encode(), 0o644, 0, 0)
        return {}

    def _make_node_dir(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        account = self.policy.node_account(a["user"])
        self.root.make_dir(f"{account.home}/{a['name']}", 0o700, account.uid, account.gid)
        return {}

    def _remove_node_dir(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        account = self.policy.node_account(a["user"])
        self.root.remove(f"{account.home}/{a['name']}")
        return {}

    def _allowed_to_look(self, path: str) -> tuple[int, ...]:
        """Who may own a file there: root in system folders, the node user in their home."""
        if path in READABLE_FILES or path.startswith(READABLE_PREFIXES):
            return (0,)
        parts = path.split("/")
        if len(parts) >= 4 and parts[1] == "home":
            return (self.policy.node_account(parts[2]).uid,)
        raise OperationRefused(f"path not allowed: {path}")

    def _read_file(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        data = self.root.read(a["path"], self._allowed_to_look(a["path"]))
        return {"data": None if data is None else base64.b64encode(data).decode()}

    def _exists(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        self._allowed_to_look(a["path"])
        return {"exists": self.root.exists(a["path"])}

    def _extract_bootstrap(self, a: dict[str, Any], emit: Emit) -> dict[str, Any]:
        account = self.policy.node_account(a["user"])
        dest = f"{account.home}/.flux"
        fd = open_regular_nofollow(a["archive"])
        try:
            info = os.fstat(fd)
            # Only a download of the user who asked: never a root-only archive on this disk.
            if info.st_uid != self.policy.downloads_uid:
                raise OperationRefused("the archive must belong to the user running FluxDesk")
            with self.root.directory(dest) as dest_fd:
                if os.fstat(dest_fd).st_uid != account.uid:
                    raise OperationRefused(f"{dest} must belong to {account.name}")

            def progress(done: int, total: int) -> None:
                emit({"event": "progress", "done": done, "total": total})

            extract_archive(Path(f"/proc/self/fd/{fd}"), Path(self.root.real(dest)), progress)
        finally:
            os.close(fd)
        self.root.chown_tree(dest, account.uid, account.gid)
        return {}

"""SandboxHost: a Host inside a temporary root, for tests and demonstrations.

It takes the same named operations as the privileged helper, checked by the same catalogue
and the same node-account rule; every command an operation builds is recorded. apt,
systemctl, ufw, useradd, git, npm, pm2 and the Flux tools are emulated by writing the files
they would write and keeping their state, with the same preconditions the real tools have (a
package needs its apt source, a unit needs its file, flux-cli answers only when
zelcash.service runs with a flux.conf and a chain), so a plan in the wrong order fails here
as it would on a real machine.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from nodectl.install import operations
from nodectl.install.accounts import Policy
from nodectl.install.archive import extract_archive
from nodectl.install.host import CommandResult, LineSink, ProgressSink
from nodectl.install.keys import RepoKey
from nodectl.install.operations import Operation
from nodectl.install.privops import gate
from nodectl.install.safefs import Root
from nodectl.install.sandbox_tools import Emulator


class SandboxInterrupted(BaseException):
    """Simulates the app being killed mid-step (BaseException: nothing may swallow it)."""


UBUNTU_2204 = (
    'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
    "VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n"
)


def cpuinfo(threads: int, cores: int, avx: bool = True) -> str:
    flags = "fpu sse sse2 ssse3 sse4_1 sse4_2" + (" avx avx2" if avx else "")
    return "".join(
        f"processor\t: {i}\nphysical id\t: 0\ncpu cores\t: {cores}\nflags\t\t: {flags}\n\n"
        for i in range(threads))


class SandboxHost:
    name = "sandbox"

    def __init__(self, root: Path, *, free_bytes: int = 500 * 10**9,
                 listening: set[int] | None = None, euid: int = 1000) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.free_bytes = free_bytes
        self.listening = set(listening or ())
        self._euid = euid
        self.commands: list[tuple[str, tuple[str, ...]]] = []
        self.cwds: dict[tuple[str, ...], str] = {}  # argv -> working directory it ran in
        self.owners: dict[str, str] = {}
        self.interrupt_at: int | None = None
        self.operations = 0
        self.fail: dict[str, int] = {}  # program name -> exit code to force
        self.tools = Emulator(self)

    # -- machine description --------------------------------------------------------------
    def seed_machine(self, *, os_release: str = UBUNTU_2204, threads: int = 8, cores: int = 4,
                     ram_mib: int = 16384, avx: bool = True, machine: str = "x86_64",
                     pid1: str = "systemd") -> None:
        files = {
            "/etc/os-release": os_release, "/proc/cpuinfo": cpuinfo(threads, cores, avx),
            "/proc/meminfo": f"MemTotal:       {ram_mib * 1024} kB\n",
            "/proc/1/comm": pid1 + "\n", "/proc/sys/kernel/arch": machine + "\n",
            "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\n", "/etc/fstab": "",
            "/usr/bin/sudo": "#!/bin/sh\n",
        }
        for path, text in files.items():
            self.path(path).parent.mkdir(parents=True, exist_ok=True)
            self.path(path).write_text(text)

    def path(self, path: str) -> Path:
        if not path.startswith("/") or ".." in path.split("/"):
            raise ValueError(f"sandbox paths must be absolute and normalised: {path!r}")
        return self.root / path.lstrip("/")

    def _tick(self) -> None:
        self.operations += 1
        if self.interrupt_at is not None and self.operations >= self.interrupt_at:
            self.interrupt_at = None
            raise SandboxInterrupted(f"interrupted at operation {self.operations}")

    # -- Host protocol --------------------------------------------------------------------
    async def perform(self, op: Operation, *, timeout: float = 3600.0,
                      on_line: LineSink | None = None,
                      on_progress: ProgressSink | None = None) -> CommandResult:
        self._tick()
        checked = operations.parse(op.name, json.loads(json.dumps(dict(op.args))))
        root = Root(str(self.root))
        try:
            settled = gate(checked, Policy(root, self._euid, os.geteuid()))
        finally:
            root.close()
        if settled is not None:
            return CommandResult((op.name,), 0, tuple(settled["tail"]))
        cmd = operations.command(checked)
        if cmd is None:
            self._file_operation(checked, on_progress)
            return CommandResult((op.name,), 0, ())
        args = cmd.argv
        self.commands.append((cmd.user or "root", args))
        self.cwds[args] = cmd.cwd
        name = args[0]
        if name in self.fail:
            rc, lines = self.fail[name], [f"{name}: forced failure (sandbox)"]
        else:
            rc, lines = self.tools.run(args, cmd.user, cmd.cwd)
        for line in lines:
            if on_line is not None:
                on_line(line)
        return CommandResult(args, rc, tuple(lines[-40:]))

    def _file_operation(self, op: Operation, on_progress: ProgressSink | None) -> None:
        a: dict[str, Any] = dict(op.args)
        if op.name == "write_config":
            cf = operations.config_file(a["kind"], a["install"])
            owner = a["install"].params.user if cf.node_owned else None
            self._write(cf.path, cf.content.encode(), cf.mode, owner)
        elif op.name == "remove_config":
            self.remove(operations.config_path(a["kind"], a["user"]))
        elif op.name == "install_keyring":
            self._write(operations.REPOS[a["repo"]](a["distro"]).keyring, a["keyring"], 0o644,
                        None)
        elif op.name == "remove_keyring":
            self.remove(operations.REPOS[a["repo"]](a["distro"]).keyring)
        elif op.name == "append_fstab_swap":
            text = self.path("/etc/fstab").read_text()
            if operations.FSTAB_SWAP not in text.splitlines():
                self.path("/etc/fstab").write_text(text + operations.FSTAB_SWAP + "\n")
        elif op.name == "make_node_dir":
            path = f"/home/{a['user']}/{a['name']}"
            self.path(path).mkdir(mode=0o700, parents=True, exist_ok=True)
            self.owners[path] = a["user"]
        elif op.name == "remove_node_dir":
            self.remove(f"/home/{a['user']}/{a['name']}")
        elif op.name == "extract_bootstrap":
            dest = f"/home/{a['user']}/.flux"
            extract_archive(Path(a["archive"]), self.path(dest), on_progress)
            self.owners[dest] = a["user"]
        else:
            raise ValueError(f"the sandbox does not emulate {op.name}")

    def _write(self, path: str, content: bytes, mode: int, owner: str | None) -> None:
        target = self.path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        target.chmod(mode)
        self.owners[path] = owner or "root"

    async def read_text(self, path: str) -> str | None:
        target = self.path(path)
        return target.read_text("utf-8", "replace") if target.is_file() else None

    def remove(self, path: str) -> None:
        """Delete a file or tree (tests use it to break an install)."""
        target = self.path(path)
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    async def exists(self, path: str) -> bool:
        return self.path(path).exists()

    async def disk_free(self, path: str) -> int:
        return self.free_bytes

    async def listening_ports(self) -> set[int]:
        return set(self.listening)

    async def euid(self) -> int:
        return self._euid

    def scratch_dir(self) -> Path:
        scratch = self.root.parent / (self.root.name + "-scratch")
        scratch.mkdir(parents=True, exist_ok=True)
        return scratch

    # -- inspection helpers for tests -----------------------------------------------------
    def snapshot(self) -> dict[str, str]:
        """Every regular file under the root (text, or a size marker), for comparisons."""
        out: dict[str, str] = {}
        for file in sorted(self.root.rglob("*")):
            if file.is_file():
                rel = "/" + str(file.relative_to(self.root))
                data = file.read_bytes()
                try:
                    out[rel] = data.decode()
                except UnicodeDecodeError:
                    out[rel] = f"<{len(data)} bytes>"
        return out

    def state_json(self) -> str:
        return json.dumps(self.tools.state, sort_keys=True)


async def sandbox_key_source(key: RepoKey) -> bytes:
    """The sandbox has no network: keyrings are stand-in bytes named after the key."""
    return f"sandbox keyring for {key.name} {key.fingerprint}\n".encode()

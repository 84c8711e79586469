"""Where install steps run: the Host protocol and the real local machine.

A step never spawns processes or touches files itself; it asks a Host. ``LocalHost`` runs
unprivileged commands with ``asyncio.create_subprocess_exec`` and sends everything that needs
root (or another user) to one helper process (:mod:`nodectl.install.privhelper`) started once
with pkexec or sudo. Tests use :class:`nodectl.install.sandbox.SandboxHost`.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psutil

from nodectl.install.privclient import PrivilegedHelper
from nodectl.install.privops import extract_into, remove_path, write_file_atomic

LineSink = Callable[[str], None]
ProgressSink = Callable[[int, int], None]
TAIL_LINES = 40


class HostError(Exception):
    """A host operation could not be carried out (message is safe to show)."""


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    tail: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return "\n".join(self.tail)


class Host(Protocol):
    """Operations a step may ask for. ``user=None`` means root; paths are absolute."""

    name: str

    async def run(self, argv: Sequence[str], *, user: str | None = None,
                  env: Mapping[str, str] | None = None, timeout: float = 3600.0,
                  on_line: LineSink | None = None) -> CommandResult: ...

    async def read_text(self, path: str) -> str | None: ...

    async def write_file(self, path: str, content: bytes, *, mode: int = 0o644,
                         owner: str | None = None) -> None: ...

    async def remove(self, path: str) -> None: ...

    async def exists(self, path: str) -> bool: ...

    async def disk_free(self, path: str) -> int: ...

    async def listening_ports(self) -> set[int]: ...

    async def euid(self) -> int: ...

    def scratch_dir(self) -> Path:
        """A local directory the app itself may write (downloads land here first)."""
        ...

    async def extract(self, archive: Path, dest: str, owner: str,
                      on_progress: ProgressSink | None = None) -> None: ...


async def run_local(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                    timeout: float = 3600.0, on_line: LineSink | None = None) -> CommandResult:
    """Run an argument vector (never a shell string) and keep the last lines of its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=full_env)
    except FileNotFoundError as exc:
        return CommandResult(tuple(argv), 127, (f"{argv[0]}: command not found ({exc.strerror})",))
    tail: list[str] = []
    assert proc.stdout is not None

    async def pump() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            tail.append(line)
            del tail[:-TAIL_LINES]
            if on_line is not None:
                on_line(line)

    try:
        await asyncio.wait_for(pump(), timeout)
        rc = await proc.wait()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        tail.append(f"timed out after {timeout:.0f} s")
        rc = 124
    return CommandResult(tuple(argv), rc, tuple(tail))


class LocalHost:
    """This machine. Root and other-user work goes through one privileged helper process."""

    name = "local"

    def __init__(self, scratch: Path, helper: PrivilegedHelper | None = None, *,
                 privileged_reads: bool = True) -> None:
        """``privileged_reads=False`` for preflight and dry runs: never ask for a password
        just to look at a file; unreadable files then count as absent."""
        self._scratch = scratch
        self._helper = helper or PrivilegedHelper()
        self._privileged_reads = privileged_reads
        self._me = pwd.getpwuid(os.geteuid()).pw_name

    @staticmethod
    def _is_root() -> bool:
        return os.geteuid() == 0

    async def run(self, argv: Sequence[str], *, user: str | None = None,
                  env: Mapping[str, str] | None = None, timeout: float = 3600.0,
                  on_line: LineSink | None = None) -> CommandResult:
        if user == self._me or (user is None and self._is_root()):
            return await run_local(argv, env=env, timeout=timeout, on_line=on_line)
        if self._is_root():
            assert user is not None
            return await run_local(["runuser", "-u", user, "--", *argv], env=env,
                                   timeout=timeout, on_line=on_line)
        rc, tail = await self._helper.run(list(argv), user=user, env=dict(env or {}),
                                          timeout=timeout, on_line=on_line)
        return CommandResult(tuple(argv), rc, tuple(tail))

    async def read_text(self, path: str) -> str | None:
        try:
            return await asyncio.to_thread(Path(path).read_text, "utf-8", "replace")
        except FileNotFoundError:
            return None
        except PermissionError:
            if not self._privileged_reads:
                return None
            data = await self._helper.read_file(path)
            return None if data is None else data.decode("utf-8", "replace")

    async def write_file(self, path: str, content: bytes, *, mode: int = 0o644,
                         owner: str | None = None) -> None:
        if self._is_root():
            await asyncio.to_thread(write_file_atomic, path, content, mode, owner)
        else:
            await self._helper.write_file(path, content, mode=mode, owner=owner)

    async def remove(self, path: str) -> None:
        if self._is_root():
            await asyncio.to_thread(remove_path, path)
        else:
            await self._helper.remove(path)

    async def exists(self, path: str) -> bool:
        if os.path.lexists(path):
            return True
        ancestor = Path(path).parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        hidden = not os.access(ancestor, os.X_OK | os.R_OK)
        if self._is_root() or not hidden or not self._privileged_reads:
            return False
        # A file in another user's home is invisible without privileges.
        return await self._helper.exists(path)

    async def disk_free(self, path: str) -> int:
        probe = Path(path)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        return shutil.disk_usage(probe).free

    async def listening_ports(self) -> set[int]:
        conns = await asyncio.to_thread(psutil.net_connections, "inet")
        return {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN and c.laddr}

    async def euid(self) -> int:
        return os.geteuid()

    def scratch_dir(self) -> Path:
        self._scratch.mkdir(parents=True, exist_ok=True)
        return self._scratch

    async def extract(self, archive: Path, dest: str, owner: str,
                      on_progress: ProgressSink | None = None) -> None:
        if self._is_root():
            await asyncio.to_thread(extract_into, archive, dest, owner, on_progress)
        else:
            await self._helper.extract(archive, dest, owner, on_progress)

    async def close(self) -> None:
        await self._helper.close()

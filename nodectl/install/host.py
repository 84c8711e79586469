"""Where install steps run: the Host protocol and the real local machine.

A step never spawns processes or touches files itself; it asks a Host to perform one of the
named operations of :mod:`nodectl.install.operations`. ``LocalHost`` sends them to one helper
process (:mod:`nodectl.install.privhelper`) started once with pkexec or sudo, or performs them
itself with the same code when the app already runs as root. Reads that need no rights stay
in the app. Tests use :class:`nodectl.install.sandbox.SandboxHost`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psutil

from nodectl.install import operations
from nodectl.install.accounts import Policy, caller_uid
from nodectl.install.operations import Operation
from nodectl.install.privclient import PrivilegedHelper
from nodectl.install.privops import Executor
from nodectl.install.safefs import Root

LineSink = Callable[[str], None]
ProgressSink = Callable[[int, int], None]


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
    """What a step may ask for: named operations, and reads. Paths are absolute."""

    name: str

    async def perform(self, op: Operation, *, timeout: float = 3600.0,
                      on_line: LineSink | None = None,
                      on_progress: ProgressSink | None = None) -> CommandResult: ...

    async def read_text(self, path: str) -> str | None: ...

    async def exists(self, path: str) -> bool: ...

    async def disk_free(self, path: str) -> int: ...

    async def listening_ports(self) -> set[int]: ...

    async def euid(self) -> int: ...

    def scratch_dir(self) -> Path:
        """A local directory the app itself may write (downloads land here first)."""
        ...


def result_of(op: Operation, answer: dict[str, object]) -> CommandResult:
    argv = tuple(str(a) for a in operations.shown(op).get("argv", [op.name]))
    tail, rc = answer.get("tail", []), answer.get("returncode", 0)
    return CommandResult(argv, rc if isinstance(rc, int) else 1,
                         tuple(str(x) for x in tail) if isinstance(tail, list) else ())


class LocalHost:
    """This machine. Privileged work goes through one privileged helper process."""

    name = "local"

    def __init__(self, scratch: Path, helper: PrivilegedHelper | None = None, *,
                 privileged_reads: bool = True) -> None:
        """``privileged_reads=False`` for preflight and dry runs: never ask for a password
        just to look at a file; unreadable files then count as absent."""
        self._scratch = scratch
        self._helper = helper or PrivilegedHelper()
        self._privileged_reads = privileged_reads
        self._root_executor: Executor | None = None

    @staticmethod
    def _is_root() -> bool:
        return os.geteuid() == 0

    def _executor(self) -> Executor:
        if self._root_executor is None:
            # The app itself is root (`sudo fluxdesk node install`): the helper's checks and
            # code; the downloads are ours, the desktop user is whoever used sudo.
            self._root_executor = Executor(Policy(Root("/"), caller_uid(), os.geteuid()))
        return self._root_executor

    async def perform(self, op: Operation, *, timeout: float = 3600.0,
                      on_line: LineSink | None = None,
                      on_progress: ProgressSink | None = None) -> CommandResult:
        args = json.loads(json.dumps(dict(op.args)))  # exactly what the helper would get
        if not self._is_root():
            answer = await self._helper.call(op.name, args, timeout=timeout, on_line=on_line,
                                             on_progress=on_progress)
            return result_of(op, answer)
        checked = operations.parse(op.name, args)
        loop = asyncio.get_running_loop()

        def emit(event: dict[str, object]) -> None:
            done, total = event.get("done"), event.get("total")
            if event.get("event") == "line" and on_line is not None:
                loop.call_soon_threadsafe(on_line, str(event.get("line", "")))
            elif isinstance(done, int) and isinstance(total, int) and on_progress is not None:
                loop.call_soon_threadsafe(on_progress, done, total)

        answer = await asyncio.to_thread(self._executor().perform, checked, emit, timeout)
        await asyncio.sleep(0)  # deliver the last thread-posted lines first
        return result_of(op, answer)

    async def read_text(self, path: str) -> str | None:
        try:
            return await asyncio.to_thread(Path(path).read_text, "utf-8", "replace")
        except FileNotFoundError:
            return None
        except PermissionError:
            if not self._privileged_reads:
                return None
            data = (await self._helper.call("read_file", {"path": path})).get("data")
            return None if not isinstance(data, str) else \
                base64.b64decode(data).decode("utf-8", "replace")

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
        return bool((await self._helper.call("exists", {"path": path})).get("exists"))

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

    async def close(self) -> None:
        await self._helper.close()

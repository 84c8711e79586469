"""Running a local program (systemctl, pm2, fluxbench-cli) behind a small protocol.

Tests hand the monitor a runner that returns scripted output; the real one uses
``asyncio.create_subprocess_exec`` (never a shell) with a time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from nodectl.monitor.errors import SourceDown, SourceTimeout


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


class CommandRunner(Protocol):
    async def run(self, argv: Sequence[str], *, timeout: float) -> CommandResult: ...


class ProcessRunner:
    """The real runner: the program must be on PATH (or an absolute path)."""

    async def run(self, argv: Sequence[str], *, timeout: float) -> CommandResult:
        program = argv[0]
        path = shutil.which(program)
        if path is None:
            raise SourceDown(f"The program {program} is not installed here.",
                             "Install the node with FluxDesk's installer, or check PATH.")
        try:
            proc = await asyncio.create_subprocess_exec(
                path, *argv[1:], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise SourceDown(f"{program} could not be started ({exc.strerror or exc}).",
                             "Check its permissions.") from None
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise SourceTimeout(f"{program} {' '.join(argv[1:2])} did not finish within "
                                f"{timeout:g} s.", "The service behind it may be stuck; "
                                "restart it and check again.") from None
        return CommandResult(proc.returncode or 0, out.decode(errors="replace"),
                             err.decode(errors="replace"))

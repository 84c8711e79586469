"""Client side of the privileged helper: one process, started on first use, JSON lines."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nodectl

LineSink = Callable[[str], None]
ProgressSink = Callable[[int, int], None]


class HelperError(Exception):
    """The helper could not be started or refused/failed an operation (safe to show)."""


def default_launcher() -> list[str]:
    """pkexec on a desktop session, sudo in a terminal; the user authenticates once."""
    if (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and shutil.which("pkexec"):
        return ["pkexec"]
    if sys.stdin.isatty() and shutil.which("sudo"):
        return ["sudo"]
    raise HelperError(
        "administrator rights are needed: install polkit (pkexec) for the desktop, "
        "or run `fluxdesk node install --yes` in a terminal where sudo can ask for a password")


FROZEN_HELPER_FLAG = "--privileged-helper"


def helper_command() -> list[str]:
    """The command that starts the helper, from source or from the frozen bundle."""
    if getattr(sys, "frozen", False):
        # A PyInstaller bundle has no `python -m`; its executable runs the helper on this flag.
        return [sys.executable, FROZEN_HELPER_FLAG]
    package_root = str(Path(nodectl.__file__).resolve().parent.parent)
    # pkexec drops the environment, so the import path is passed through env(1).
    return ["/usr/bin/env", f"PYTHONPATH={package_root}", sys.executable, "-m",
            "nodectl.install.privhelper"]


class PrivilegedHelper:
    def __init__(self, launcher: Sequence[str] | None = None) -> None:
        self._launcher = list(launcher) if launcher is not None else None
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._next_id = 0

    async def _start(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        launcher = self._launcher if self._launcher is not None else default_launcher()
        argv = [*launcher, *helper_command()]
        self._proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=1 << 24)
        hello = await self._read()
        if not hello.get("ready"):
            raise HelperError("administrator helper did not start (authentication cancelled?)")
        return self._proc

    async def _read(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        raw = await self._proc.stdout.readline()
        if not raw:
            raise HelperError("administrator helper stopped (authentication refused or closed)")
        answer = json.loads(raw)
        if not isinstance(answer, dict):
            raise HelperError("administrator helper sent an unexpected answer")
        return answer

    async def call(self, op: str, *, on_line: LineSink | None = None,
                   on_progress: ProgressSink | None = None, **fields: Any) -> dict[str, Any]:
        async with self._lock:
            proc = await self._start()
            assert proc.stdin is not None
            self._next_id += 1
            req_id = self._next_id
            proc.stdin.write((json.dumps({"id": req_id, "op": op, **fields}) + "\n").encode())
            await proc.stdin.drain()
            while True:
                answer = await self._read()
                if answer.get("id") != req_id:
                    continue
                if answer.get("event") == "line" and on_line is not None:
                    on_line(str(answer.get("line", "")))
                elif answer.get("event") == "progress" and on_progress is not None:
                    on_progress(int(answer["done"]), int(answer["total"]))
                elif "ok" in answer:
                    if not answer["ok"]:
                        raise HelperError(str(answer.get("error", "operation failed")))
                    result = answer.get("result")
                    return result if isinstance(result, dict) else {}

    async def run(self, argv: list[str], *, user: str | None, env: dict[str, str],
                  timeout: float, on_line: LineSink | None) -> tuple[int, list[str]]:
        result = await self.call("run", argv=argv, user=user, env=env, timeout=timeout,
                                 on_line=on_line)
        return int(result["returncode"]), [str(x) for x in result.get("tail", [])]

    async def read_file(self, path: str) -> bytes | None:
        data = (await self.call("read_file", path=path)).get("data")
        return None if data is None else base64.b64decode(data)

    async def write_file(self, path: str, content: bytes, *, mode: int,
                         owner: str | None) -> None:
        await self.call("write_file", path=path, data=base64.b64encode(content).decode(),
                        mode=mode, owner=owner)

    async def remove(self, path: str) -> None:
        await self.call("remove", path=path)

    async def exists(self, path: str) -> bool:
        return bool((await self.call("exists", path=path)).get("exists"))

    async def extract(self, archive: Path, dest: str, owner: str,
                      on_progress: ProgressSink | None) -> None:
        await self.call("extract", archive=str(archive), dest=dest, owner=owner,
                        on_progress=on_progress)

    async def ping(self) -> dict[str, Any]:
        return await self.call("ping")

    async def close(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            await self._proc.wait()
        self._proc = None

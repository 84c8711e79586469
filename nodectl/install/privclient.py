"""Client side of the privileged helper: one process, started on first use, JSON lines."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nodectl
from nodectl.install.helpertrust import BOOTSTRAP, FIX

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
# What the launcher (pkexec/sudo) may need to ask for the password; nothing of the app's own
# environment (keys, PYTHONPATH, LD_PRELOAD) reaches the helper.
LAUNCHER_ENV = ("PATH", "LANG", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
                "DBUS_SESSION_BUS_ADDRESS", "TERM")


def helper_command(extra: Sequence[str] = ()) -> list[str]:
    """The command that starts the helper, from the frozen bundle or from source.

    From source: the base interpreter (not a venv's, whose site-packages a user can change)
    with -I -S -B, and a bootstrap that refuses a package tree a non-root user could change
    before importing any of it.
    """
    if getattr(sys, "frozen", False):
        # A PyInstaller bundle has no `python -m`; its executable runs the helper on this flag.
        return [sys.executable, FROZEN_HELPER_FLAG, *extra]
    package_root = str(Path(nodectl.__file__).resolve().parent.parent)
    interpreter = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return [interpreter, "-I", "-S", "-B", "-c", BOOTSTRAP, package_root, FIX, *extra]


def launcher_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in LAUNCHER_ENV}


class PrivilegedHelper:
    def __init__(self, launcher: Sequence[str] | None = None,
                 helper_args: Sequence[str] = ()) -> None:
        """``helper_args``: ``["--root", DIR]`` in tests only."""
        self._launcher = list(launcher) if launcher is not None else None
        self._helper_args = list(helper_args)
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._next_id = 0

    async def _start(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        launcher = self._launcher if self._launcher is not None else default_launcher()
        argv = [*launcher, *helper_command(self._helper_args)]
        self._proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=1 << 24, cwd="/", env=launcher_env())
        hello = await self._read()
        if not hello.get("ready"):
            raise HelperError(str(hello.get("error") or "administrator helper did not start "
                                  "(authentication cancelled?)"))
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

    async def call(self, op: str, args: dict[str, Any] | None = None, *,
                   timeout: float = 3600.0, on_line: LineSink | None = None,
                   on_progress: ProgressSink | None = None) -> dict[str, Any]:
        """Ask for one named operation; the helper checks ``args`` itself."""
        async with self._lock:
            proc = await self._start()
            assert proc.stdin is not None
            self._next_id += 1
            req_id = self._next_id
            request = {"id": req_id, "op": op, "args": args or {}, "timeout": timeout}
            proc.stdin.write((json.dumps(request) + "\n").encode())
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

    async def send_raw(self, line: str) -> dict[str, Any]:
        """Tests only: send any line and return the final answer (attacks on the protocol)."""
        async with self._lock:
            proc = await self._start()
            assert proc.stdin is not None
            proc.stdin.write((line + "\n").encode())
            await proc.stdin.drain()
            while True:
                answer = await self._read()
                if "ok" in answer:
                    return answer

    async def ping(self) -> dict[str, Any]:
        return await self.call("ping")

    async def close(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            await self._proc.wait()
        self._proc = None

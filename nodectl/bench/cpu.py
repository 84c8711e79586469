"""CPU events per second with sysbench, the way the installer's replica and fluxbench do it.

sysbench runs as an async subprocess (argument list, no shell). Its "events per second:" line is
the figure; if sysbench is missing or prints no figure we raise, never guess a number.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from nodectl.bench.errors import SYSBENCH_INSTALL_COMMAND, SysbenchFailed, SysbenchMissing

MAX_PRIME = 60000  # the replica's and fluxbench's --cpu-max-prime
BUSY_WARNING_PERCENT = 25.0

_EPS_RE = re.compile(r"events per second:\s*([0-9]+(?:\.[0-9]+)?)")
_EVENTS_RE = re.compile(r"total number of events:\s*([0-9]+)")
_TIME_RE = re.compile(r"total time:\s*([0-9]+(?:\.[0-9]+)?)s")
_VERSION_RE = re.compile(r"sysbench\s+([0-9][0-9.]*)")


@dataclass(frozen=True)
class SysbenchResult:
    events_per_second: float
    total_events: int | None
    total_seconds: float | None
    threads: int
    command: tuple[str, ...]


def sysbench_command(executable: str, threads: int, seconds: int) -> list[str]:
    return [
        executable,
        "cpu",
        f"--cpu-max-prime={MAX_PRIME}",
        f"--threads={threads}",
        f"--time={seconds}",
        "run",
    ]


def parse_sysbench_output(text: str, threads: int, command: tuple[str, ...] = ()) -> SysbenchResult:
    match = _EPS_RE.search(text)
    if match is None:
        tail = " ".join(text.strip().splitlines()[-3:])[:300]
        raise SysbenchFailed(
            "sysbench printed no 'events per second' figure"
            + (f" (last output: {tail})" if tail else "")
            + ". Check that sysbench 1.0 or newer is installed."
        )
    events = _EVENTS_RE.search(text)
    total = _TIME_RE.search(text)
    return SysbenchResult(
        events_per_second=float(match.group(1)),
        total_events=int(events.group(1)) if events else None,
        total_seconds=float(total.group(1)) if total else None,
        threads=threads,
        command=command,
    )


def find_sysbench(executable: str = "sysbench") -> str:
    found = shutil.which(executable)
    if found is None:
        raise SysbenchMissing(executable)
    return found


async def sysbench_version(executable: str = "sysbench") -> str:
    path = find_sysbench(executable)
    proc = await asyncio.create_subprocess_exec(
        path, "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    match = _VERSION_RE.search(out.decode(errors="replace"))
    return match.group(1) if match else "unknown"


async def run_sysbench(
    threads: int,
    seconds: int,
    *,
    executable: str = "sysbench",
    on_progress: Callable[[float], None] | None = None,
    tick: float = 0.25,
) -> SysbenchResult:
    """Run ``sysbench cpu`` and return its events per second; the process dies with a cancel."""
    if threads < 1 or seconds < 1:
        raise ValueError("sysbench needs at least one thread and one second")
    command = sysbench_command(find_sysbench(executable), threads, seconds)
    # LC_ALL=C as in the replica: the parser expects the untranslated, dot-decimal output.
    env = {**os.environ, "LC_ALL": "C"}
    try:
        proc = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as exc:
        raise SysbenchMissing(executable) from exc
    started = time.monotonic()
    waiter = asyncio.ensure_future(proc.communicate())
    try:
        while True:
            done, _ = await asyncio.wait({waiter}, timeout=tick)
            if done:
                break
            if on_progress is not None:
                on_progress(min((time.monotonic() - started) / seconds, 0.99))
        out, err = waiter.result()
    except BaseException:
        waiter.cancel()
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        raise
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        message = (err.decode(errors="replace").strip() or text.strip())[-300:]
        raise SysbenchFailed(f"sysbench exited with code {proc.returncode}: {message}")
    if on_progress is not None:
        on_progress(1.0)
    return parse_sysbench_output(text, threads, tuple(command))


async def cpu_busy_percent(interval: float = 0.5) -> float:
    """System-wide CPU use over ``interval`` seconds, sampled off the event-loop thread."""
    loop = asyncio.get_running_loop()
    return float(await loop.run_in_executor(None, lambda: psutil.cpu_percent(interval=interval)))


def install_sysbench_command() -> list[str]:
    """How the GUI installs sysbench: apt through pkexec, which asks for the admin password."""
    return ["pkexec", "apt-get", "install", "-y", "sysbench"]


async def install_sysbench() -> None:
    """Install sysbench with pkexec + apt-get; raises SysbenchFailed with apt's reason."""
    command = install_sysbench_command()
    if shutil.which(command[0]) is None:
        raise SysbenchFailed(
            "pkexec is not available to install sysbench. "
            f"Run in a terminal: {SYSBENCH_INSTALL_COMMAND}"
        )
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        # pkexec exits 126 when the person dismisses the password prompt.
        reason = (
            "the password prompt was dismissed"
            if proc.returncode == 126
            else (out.decode(errors="replace").strip()[-300:] or f"exit code {proc.returncode}")
        )
        raise SysbenchFailed(
            f"Installing sysbench failed ({reason}). Run in a terminal: {SYSBENCH_INSTALL_COMMAND}"
        )

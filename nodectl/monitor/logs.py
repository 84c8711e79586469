"""Log tails (fluxd debug.log, fluxbench, FluxOS, watchdog) with follow and search.

Memory stays bounded: at most ``max_lines`` lines are kept, and reading the end of a large file
starts from its last ``max_bytes``. A rotated or truncated file is reopened from its start.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

from nodectl.monitor.errors import SourceDown

# Where each component logs on a legacy node, relative to the node user's home (node-ops §4.3).
LOG_FILES: dict[str, str] = {
    "fluxd": ".flux/debug.log",
    "fluxbench": ".fluxbenchmark/debug.log",
    "fluxos": "zelflux/debug.log",
    "watchdog": "watchdog/watchdog_error.log",
}
BENCH_FAILED_MARK = "Failed"


@dataclass(frozen=True)
class LogLine:
    number: int  # position since the tail was opened, for a stable view model key
    text: str


class LogTail:
    def __init__(self, path: Path, *, max_lines: int = 2000, max_bytes: int = 1 << 20) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.lines: deque[LogLine] = deque(maxlen=max_lines)
        self._offset = 0
        self._inode: int | None = None
        self._partial = ""
        self._count = 0

    def read_new(self) -> list[LogLine]:
        """Lines written since the last call (the last ``max_bytes`` on the first call)."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise SourceDown(f"The log {self.path} does not exist.",
                             "The component may not be installed or has not started yet.") \
                from None
        except OSError as exc:  # e.g. the node user's home is closed to this user
            raise _unreadable(self.path, exc) from None
        if self._inode != stat.st_ino or stat.st_size < self._offset:
            self._inode = stat.st_ino
            self._partial = ""
            self._offset = max(0, stat.st_size - self.max_bytes) if self._count == 0 else 0
        if stat.st_size == self._offset:
            return []
        start = self._offset
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read(min(stat.st_size - self._offset, self.max_bytes))
                self._offset = handle.tell()
        except OSError as exc:
            raise _unreadable(self.path, exc) from None
        text = self._partial + chunk.decode("utf-8", errors="replace")
        if self._count == 0 and start > 0:  # began inside a line: drop its tail
            text = text.partition("\n")[2]
        *complete, self._partial = text.split("\n")
        fresh = []
        for raw in complete:
            self._count += 1
            line = LogLine(self._count, raw.rstrip("\r"))
            self.lines.append(line)
            fresh.append(line)
        return fresh

    async def follow(self, interval: float = 1.0) -> AsyncIterator[LogLine]:
        """New lines as they are written, until the consumer stops iterating."""
        while True:
            for line in await asyncio.to_thread(self.read_new):
                yield line
            await asyncio.sleep(interval)

    def search(self, pattern: str, *, regex: bool = False, limit: int = 200) -> list[LogLine]:
        """The newest ``limit`` kept lines matching ``pattern`` (case-insensitive)."""
        matcher = re.compile(pattern if regex else re.escape(pattern), re.IGNORECASE)
        found = [line for line in self.lines if matcher.search(line.text)]
        return found[-limit:]


def _unreadable(path: Path, exc: OSError) -> SourceDown:
    return SourceDown(f"The log {path} cannot be read ({exc.strerror or type(exc).__name__}).",
                      "It belongs to the node user: run FluxDesk as that user to read it.")


def node_logs(home: Path, *, max_lines: int = 2000) -> dict[str, LogTail]:
    """A bounded tail of each component's log on a legacy node, by component name."""
    return {name: LogTail(home / relative, max_lines=max_lines)
            for name, relative in LOG_FILES.items()}


def last_bench_failure(lines: Iterable[str]) -> str | None:
    """The reason of fluxbench's newest "---Failed…" log line, without its dashes and time."""
    reason = None
    for line in lines:
        at = line.find(f"---{BENCH_FAILED_MARK}")
        if at >= 0:
            reason = line[at:].lstrip("-").strip()
    return reason

"""Bootstrap archive checks and extraction (tar or tar.gz), with byte progress.

Used by the downloader (validation) and by whoever extracts (the app, or the privileged
helper when the node user differs from the desktop user).
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import IO

ProgressSink = Callable[[int, int], None]


class ArchiveError(Exception):
    """The archive is damaged or not a chain bootstrap (message is safe to show)."""


class _CountingReader(io.RawIOBase):
    """Wraps the archive file so extraction progress is measured in archive bytes read."""

    def __init__(self, raw: IO[bytes], total: int, on_progress: ProgressSink | None) -> None:
        self._raw = raw
        self._total = total
        self._done = 0
        self._last = 0
        self._on_progress = on_progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._done += n
        # Throttle to ~1 MiB steps so a callback per 10 kB read does not dominate.
        if self._on_progress and (self._done - self._last >= 1 << 20 or n == 0):
            self._last = self._done
            self._on_progress(self._done, self._total)
        return n


def _open(path: Path, on_progress: ProgressSink | None = None) -> tarfile.TarFile:
    total = path.stat().st_size
    reader = io.BufferedReader(_CountingReader(path.open("rb"), total, on_progress), 1 << 20)
    try:
        # "r|*" streams and detects gzip; stream mode reads each member once, in order.
        return tarfile.open(fileobj=reader, mode="r|*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        reader.close()
        raise ArchiveError(f"{path.name} is not a tar or tar.gz archive ({exc})") from exc


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def validate_archive(path: Path, expected: Iterable[str],
                     on_progress: ProgressSink | None = None) -> list[str]:
    """Read the whole archive (gzip CRC and tar headers included) before anything is written.

    Returns the top-level names. Raises ArchiveError if it is truncated/corrupt, holds unsafe
    paths or links, or lacks one of the ``expected`` top-level folders.
    """
    tops: set[str] = set()
    try:
        with _open(path, on_progress) as tar:
            for member in tar:
                if not _safe_name(member.name) or member.isdev():
                    raise ArchiveError(f"{path.name} contains an unsafe entry: {member.name!r}")
                if (member.issym() or member.islnk()) and not _safe_name(member.linkname):
                    raise ArchiveError(f"{path.name} contains a link leaving the chain folder")
                top = PurePosixPath(member.name).parts
                if top and top[0] != ".":
                    tops.add(top[0])
                elif len(top) > 1:
                    tops.add(top[1])
                if member.isfile():
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        while extracted.read(1 << 20):
                            pass
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(
            f"{path.name} is damaged or incomplete ({exc}); delete it and download again") from exc
    missing = [name for name in expected if name not in tops]
    if missing:
        raise ArchiveError(
            f"{path.name} is not a Flux chain bootstrap: missing {', '.join(missing)}")
    return sorted(tops)


def extract_archive(path: Path, dest: Path, on_progress: ProgressSink | None = None) -> None:
    """Extract with the 'data' filter (no absolute paths, devices, or escaping links)."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with _open(path, on_progress) as tar:
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"extracting {path.name} failed: {exc}") from exc


def chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)

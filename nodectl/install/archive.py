"""Bootstrap archive checks and extraction (tar or tar.gz), with byte progress.

Used by the downloader (validation) and by whoever extracts (the app, or the privileged
helper when the node user differs from the desktop user).
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zlib
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

    def close(self) -> None:
        self._raw.close()
        super().close()

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


class _Opened:
    """A streaming TarFile plus the gzip layer under it (whose CRC is checked at its end)."""

    def __init__(self, path: Path, on_progress: ProgressSink | None) -> None:
        total = path.stat().st_size
        handle = path.open("rb")
        self._raw = io.BufferedReader(_CountingReader(handle, total, on_progress), 1 << 20)
        # tarfile's own gzip stream never checks the CRC, so gzip.GzipFile does the decoding.
        self._gz = gzip.GzipFile(fileobj=self._raw) if self._raw.peek(2)[:2] == b"\x1f\x8b" \
            else None
        try:
            # Owned by this object and closed in close(), so no context manager here.
            self.tar = tarfile.open(fileobj=self._gz or self._raw, mode="r|")  # noqa: SIM115
        except (tarfile.TarError, OSError, EOFError) as exc:
            self.close()
            raise ArchiveError(f"{path.name} is not a tar or tar.gz archive ({exc})") from exc

    def finish(self) -> None:
        """Read to the very end so a damaged gzip trailer (CRC, length) raises."""
        source = self._gz or self._raw
        while source.read(1 << 20):
            pass

    def close(self) -> None:
        if self._gz is not None:
            self._gz.close()
        self._raw.close()


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
    opened = _Opened(path, on_progress)
    try:
        for member in opened.tar:
            if not _safe_name(member.name) or member.isdev():
                raise ArchiveError(f"{path.name} contains an unsafe entry: {member.name!r}")
            if (member.issym() or member.islnk()) and not _safe_name(member.linkname):
                raise ArchiveError(f"{path.name} contains a link leaving the chain folder")
            parts = [part for part in PurePosixPath(member.name).parts if part != "."]
            if parts:
                tops.add(parts[0])
            if member.isfile():
                extracted = opened.tar.extractfile(member)
                if extracted is not None:
                    while extracted.read(1 << 20):
                        pass
        opened.finish()
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise ArchiveError(
            f"{path.name} is damaged or incomplete ({exc}); delete it and download again") from exc
    finally:
        opened.close()
    missing = [name for name in expected if name not in tops]
    if missing:
        raise ArchiveError(
            f"{path.name} is not a Flux chain bootstrap: missing {', '.join(missing)}")
    return sorted(tops)


def extract_archive(path: Path, dest: Path, on_progress: ProgressSink | None = None) -> None:
    """Extract with the 'data' filter (no absolute paths, devices, or escaping links)."""
    dest.mkdir(parents=True, exist_ok=True)
    opened = _Opened(path, on_progress)
    try:
        opened.tar.extractall(dest, filter="data")
        opened.finish()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise ArchiveError(f"extracting {path.name} failed: {exc}") from exc
    finally:
        opened.close()


def chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)

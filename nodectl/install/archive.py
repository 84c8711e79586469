"""Bootstrap archive reading and its member policy (tar or tar.gz), with byte progress.

A chain bootstrap is ``tar -czf`` of fluxd's ``blocks``, ``chainstate`` and ``determ_zelnodes``
folders and nothing else (docs/bootstrap.md). Everything else in an archive is refused, not
skipped: a file beside the folders (``flux.conf``, ``fluxnode.conf``, ``bootstrap.dat``) could
change what fluxd does, and its presence means the archive is not the published one.
Checking (:func:`inspect_archive`) and extraction (:func:`extract_archive`) share
:func:`check_member`, because the privileged side must not trust the unprivileged check.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import shutil
import tarfile
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from nodectl.install import stagedfs
from nodectl.install.params import BOOTSTRAP_MEMBERS as CHAIN_FOLDERS

ProgressSink = Callable[[int, int], None]
FreeSpace = Callable[[Path], int]
MiB = 1 << 20

# Beside the chain folders in ~/.flux: the staging folder (removed after every run) and the
# marker written last, which the bootstrap step's done-check looks for.
STAGING = ".fluxdesk-bootstrap-staging"
MARKER = ".fluxdesk-bootstrap-complete"
# Disk space extraction never uses, so fluxd, logs and the OS still have room afterwards.
EXTRACT_RESERVE = 512 * MiB
SPACE_CHECK_EVERY = 64 * MiB

# More entries than any real chain has (~100 k files): an archive of millions of empty files
# would exhaust the inodes long before the bytes.
MAX_MEMBERS = 2_000_000
# fluxd names its files blk00000.dat, 000123.ldb, MANIFEST-000002, LOG.old, CURRENT, LOCK.
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE)


class ArchiveError(Exception):
    """The archive is damaged or not a chain bootstrap (message is safe to show)."""


class ExtractSpaceError(ArchiveError):
    """Extraction would leave less free disk space than the reserve (nothing was kept)."""


@dataclass(frozen=True)
class Manifest:
    """What a checked archive holds: its top-level folders and the sizes its headers declare."""

    tops: tuple[str, ...]
    files: int
    declared_bytes: int


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


class Opened:
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


READ_ERRORS = (tarfile.TarError, OSError, EOFError, ValueError, zlib.error)


def _parts(name: str) -> list[str] | None:
    """Path components of a member name, or None if it is absolute or climbs with '..'."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        return None
    return [part for part in pure.parts if part != "."]


def _safe_name(name: str) -> bool:
    return _parts(name) is not None


class Outside(ArchiveError):
    """A harmless-looking entry outside the chain folders (still refused)."""


def check_member(member: tarfile.TarInfo, allowed: Collection[str], archive: str,
                 ) -> tuple[str, ...] | None:
    """Relative path of an entry to extract, None for the archive's own root ('./').

    Raises :class:`ArchiveError` for anything a chain bootstrap never holds: absolute or
    '..' paths, links, devices, FIFOs, sparse files, setuid/setgid files, odd names; and
    :class:`Outside` for an entry beside the chain folders (flux.conf, any top-level file).
    """
    parts = _parts(member.name)
    if parts is None or member.isdev() or member.isfifo():
        raise ArchiveError(f"{archive} contains an unsafe entry: {member.name!r}")
    if member.issym() or member.islnk():
        if not _safe_name(member.linkname):
            raise ArchiveError(f"{archive} contains a link leaving the chain folder")
        raise ArchiveError(f"{archive} contains a link ({member.name!r}); a chain bootstrap "
                           "holds only folders and plain files")
    if not parts:
        if member.isdir():
            return None
        raise ArchiveError(f"{archive} contains an unsafe entry: {member.name!r}")
    if parts[0] not in allowed:
        raise Outside(
            f"{archive} holds {member.name!r} beside the chain folders "
            f"({', '.join(sorted(allowed))}); the published bootstrap holds nothing else, so "
            "this archive was altered and is refused")
    if not all(_SAFE_PART.fullmatch(part) for part in parts):
        raise ArchiveError(f"{archive} contains an entry with an unexpected name: "
                           f"{member.name!r}")
    if member.isdir():
        return tuple(parts)
    if member.type not in _FILE_TYPES or member.sparse is not None:
        raise ArchiveError(f"{archive} contains a special entry ({member.name!r}); a chain "
                           "bootstrap holds only folders and plain files")
    if parts[-1].endswith(".conf"):
        raise ArchiveError(f"{archive} contains a configuration file: {member.name!r}")
    if member.mode & 0o6000:
        raise ArchiveError(f"{archive} contains a setuid/setgid file: {member.name!r}")
    return tuple(parts)


def inspect_archive(path: Path, allowed: Collection[str],
                    on_progress: ProgressSink | None = None) -> Manifest:
    """Read the whole archive (gzip CRC, tar headers, member policy) without writing anything.

    Raises ArchiveError if it is truncated/corrupt, breaks the member policy, or lacks one of
    the ``allowed`` top-level folders.
    """
    tops: set[str] = set()
    files = declared = count = 0
    outside: Outside | None = None
    opened = Opened(path, on_progress)
    try:
        for member in opened.tar:
            count += 1
            if count > MAX_MEMBERS:
                raise ArchiveError(f"{path.name} holds more than {MAX_MEMBERS} entries")
            try:
                parts = check_member(member, allowed, path.name)
            except Outside as exc:
                outside = outside or exc  # reported after "missing folders", which says more
                continue
            if parts:
                tops.add(parts[0])
            if member.isfile():
                files += 1
                declared += member.size
                extracted = opened.tar.extractfile(member)
                if extracted is not None:
                    while extracted.read(1 << 20):
                        pass
        opened.finish()
    except READ_ERRORS as exc:
        raise ArchiveError(
            f"{path.name} is damaged or incomplete ({exc}); delete it and download again") from exc
    finally:
        opened.close()
    missing = [name for name in allowed if name not in tops]
    if missing:
        raise ArchiveError(
            f"{path.name} is not a Flux chain bootstrap: missing {', '.join(missing)}")
    if outside is not None:
        raise outside
    return Manifest(tuple(sorted(tops)), files, declared)


def validate_archive(path: Path, expected: Iterable[str],
                     on_progress: ProgressSink | None = None) -> list[str]:
    """Read the whole archive before anything is written; returns the top-level names.

    ``expected`` is both what must be there and all that may be there.
    """
    return list(inspect_archive(path, tuple(expected), on_progress).tops)


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


class SpaceGuard:
    """Refuses to let extraction eat into the last ``reserve`` bytes of the disk."""

    def __init__(self, folder: Path, free_space: FreeSpace, reserve: int) -> None:
        self.folder, self.free_space, self.reserve = folder, free_space, reserve

    def need(self, more: int) -> None:
        free = self.free_space(self.folder)
        if free - more < self.reserve:
            raise ExtractSpaceError(
                f"not enough disk space in {self.folder} to extract the bootstrap: "
                f"{free / 1e9:.2f} GB free, {more / 1e9:.2f} GB more to write and "
                f"{self.reserve / 1e9:.2f} GB kept free; nothing extracted was kept. Free some "
                "space, then Retry")


def _write_file(tar: tarfile.TarFile, member: tarfile.TarInfo, parts: tuple[str, ...],
                staging_fd: int, guard: SpaceGuard, check_every: int) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveError(f"cannot read {member.name!r} from the archive")
    guard.need(member.size)
    parent = stagedfs.make_dirs(staging_fd, parts[:-1])
    try:
        fd = os.open(parts[-1], stagedfs.NEW_FILE_FLAGS, 0o644, dir_fd=parent)
    except FileExistsError as exc:
        raise ArchiveError(f"the archive holds {member.name!r} twice") from exc
    finally:
        os.close(parent)
    try:
        remaining, since_check = member.size, 0
        while block := source.read(1 << 20):
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
            remaining -= len(block)
            since_check += len(block)
            if since_check >= check_every:  # another program may be filling the disk too
                guard.need(remaining)
                since_check = 0
        os.fsync(fd)
    finally:
        os.close(fd)


def _extract_to_staging(path: Path, staging_fd: int, allowed: Collection[str],
                        guard: SpaceGuard, check_every: int,
                        on_progress: ProgressSink | None) -> Manifest:
    tops: set[str] = set()
    files = declared = count = 0
    opened = Opened(path, on_progress)
    try:
        for member in opened.tar:
            count += 1
            if count > MAX_MEMBERS:
                raise ArchiveError(f"{path.name} holds more than {MAX_MEMBERS} entries")
            parts = check_member(member, allowed, path.name)
            if parts is None:
                continue
            tops.add(parts[0])
            if member.isdir():
                os.close(stagedfs.make_dirs(staging_fd, parts))
                continue
            _write_file(opened.tar, member, parts, staging_fd, guard, check_every)
            files += 1
            declared += member.size
        opened.finish()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ExtractSpaceError(f"the disk filled up while extracting {path.name}; "
                                    "nothing extracted was kept. Free some space, then Retry"
                                    ) from exc
        raise ArchiveError(f"extracting {path.name} failed: {exc}") from exc
    except (tarfile.TarError, EOFError, ValueError, zlib.error) as exc:
        raise ArchiveError(f"extracting {path.name} failed: {exc}") from exc
    finally:
        opened.close()
    missing = [name for name in allowed if name not in tops]
    if missing:
        raise ArchiveError(
            f"{path.name} is not a Flux chain bootstrap: missing {', '.join(missing)}")
    return Manifest(tuple(sorted(tops)), files, declared)


def extract_archive(path: Path, dest: Path, on_progress: ProgressSink | None = None, *,
                    allowed: Collection[str] = CHAIN_FOLDERS,
                    free_space: FreeSpace = disk_free, reserve: int = EXTRACT_RESERVE,
                    check_every: int = SPACE_CHECK_EVERY) -> Manifest:
    """Extract the chain folders of ``path`` into ``dest`` without touching anything else.

    Everything is written into ``dest/.fluxdesk-bootstrap-staging`` first (entries checked by
    :func:`check_member`, files created new with mode 0644, free space checked as it goes);
    only when the whole archive is in does each chain folder replace its old copy, and the
    completion marker is written last. On any failure the staging folder is removed and no
    marker exists, so a rerun never takes a half-extracted chain for a complete one.
    """
    dest.mkdir(parents=True, exist_ok=True)
    guard = SpaceGuard(dest, free_space, reserve)
    try:
        dest_fd = stagedfs.open_dir(str(dest))
    except OSError as exc:
        raise ArchiveError(f"{dest} is not a plain folder (a symlink?); nothing was extracted "
                           "into it") from exc
    try:
        return _stage_and_swap(path, dest_fd, allowed, guard, check_every, on_progress)
    finally:
        os.close(dest_fd)


def _stage_and_swap(path: Path, dest_fd: int, allowed: Collection[str], guard: SpaceGuard,
                    check_every: int, on_progress: ProgressSink | None) -> Manifest:
    stagedfs.remove_tree(dest_fd, STAGING)  # left by a run that was killed
    os.mkdir(STAGING, 0o700, dir_fd=dest_fd)
    try:
        with stagedfs.opened_dir(STAGING, dest_fd) as staging_fd:
            manifest = _extract_to_staging(path, staging_fd, allowed, guard, check_every,
                                           on_progress)
            # From here on the chain folders change: no marker until all are in place.
            stagedfs.remove_tree(dest_fd, MARKER)
            for top in manifest.tops:
                stagedfs.remove_tree(dest_fd, top)
                os.rename(top, top, src_dir_fd=staging_fd, dst_dir_fd=dest_fd)
        os.fsync(dest_fd)
    finally:
        stagedfs.remove_tree(dest_fd, STAGING)
    record = {"folders": list(manifest.tops), "files": manifest.files,
              "bytes": manifest.declared_bytes, "archive": path.name}
    stagedfs.write_new(dest_fd, MARKER, (json.dumps(record) + "\n").encode())
    os.fsync(dest_fd)
    return manifest

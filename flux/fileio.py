"""The one atomic file writer: a reader sees the old content or the new one, never half of it.

Order: write a temp file in the same folder (created 0600, so never looser than the target's
mode), fsync it, set its mode (and owner), run the caller's last step (the wallet refreshes its
.bak copy there), `os.replace` it over the target, fsync the folder so the rename itself survives
a power cut. A kill at any moment leaves the target whole; a stray temp file is never read and
matches `temp_glob`, so its owner can sweep it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

TMP_SUFFIX = ".tmp"


def temp_name(path: Path, role: str = "new") -> Path:
    """A fresh temp path next to `path` (hidden, random, ending in TMP_SUFFIX)."""
    return path.with_name(f".{path.name}.{role}-{secrets.token_hex(6)}{TMP_SUFFIX}")


def temp_glob(path: Path) -> str:
    """The glob (relative to the folder) that matches every temp file made for `path`."""
    return f".{path.name}.*{TMP_SUFFIX}"


def fsync_dir(directory: Path) -> None:
    """Make a rename inside `directory` survive a power cut (a no-op where folders cannot be
    opened, i.e. Windows, whose renames are already durable)."""
    if os.name != "posix":
        return
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_new_file(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) with mode 0600, write all of `data` and fsync it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(
    path: Path,
    data: bytes,
    mode: int = 0o600,
    owner_ids: tuple[int, int] | None = None,
    *,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Replace `path` with `data` atomically, with `mode` (and `owner_ids`) from the start."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        write_new_file(tmp, data)
        os.chmod(tmp, mode)
        if owner_ids is not None:
            os.chown(tmp, *owner_ids)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)

"""Crash-safe file replacement that keeps the previous copy as `<name>.bak`.

Order of operations on save (each step leaves a complete file at `path`):

1. write the new bytes to a temp file (mode 0600) in the same directory and fsync it
   (flux.fileio, the one atomic writer, does steps 1 and 3);
2. hard-link the current file to a temp name and rename that over `<name>.bak` (the old content
   survives even if step 3 is interrupted; a copy is made where hard links are unsupported);
3. `os.replace` the temp file over `path` and fsync the directory so the rename itself is durable.

A kill at any moment therefore leaves `path` holding either the old or the new bytes, never a mix.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from flux.fileio import atomic_write_bytes, temp_glob, temp_name

log = logging.getLogger(__name__)


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def remove_stale_temps(path: Path) -> None:
    """Delete temp files left by a save that was killed half-way (they are never read)."""
    for stale in path.parent.glob(temp_glob(path)):
        with contextlib.suppress(OSError):
            stale.unlink()


def atomic_write(path: Path, data: bytes, *, keep_backup: bool = True) -> None:
    """Replace `path` with `data` atomically; the replaced content moves to `<name>.bak`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    keep = keep_backup and path.exists()
    atomic_write_bytes(path, data, before_replace=(lambda: _refresh_backup(path)) if keep else None)
    log.debug("wrote %s (%d bytes)", path.name, len(data))


def _refresh_backup(path: Path) -> None:
    bak_tmp = temp_name(path, "bak")
    try:
        try:
            os.link(path, bak_tmp)
        except OSError:
            # File systems without hard links (FAT, some network shares): copy instead.
            shutil.copyfile(path, bak_tmp)
            os.chmod(bak_tmp, 0o600)
            with open(bak_tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(bak_tmp, backup_path(path))
    except BaseException:
        with contextlib.suppress(OSError):
            bak_tmp.unlink()
        raise


def write_backup(path: Path, data: bytes) -> None:
    """Overwrite the .bak copy itself (after a password change the old copy must not linger)."""
    atomic_write_bytes(backup_path(path), data)


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None

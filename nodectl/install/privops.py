"""File operations that need root: atomic writes with owner/mode, removal, extraction.

Called by the privileged helper (after its allow-list checks) or directly when the app
already runs as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from flux.fileio import atomic_write_bytes
from nodectl.install.archive import ProgressSink, chown_tree, extract_archive


def _ids(owner: str | None) -> tuple[int, int]:
    if owner is None:
        return 0, 0
    entry = pwd.getpwnam(owner)
    return entry.pw_uid, entry.pw_gid


class SudoersRejected(Exception):
    """visudo refused a sudoers drop-in; nothing was written."""


def check_sudoers(content: bytes) -> None:
    """A broken sudoers drop-in can lock everyone out of sudo: let visudo check it first."""
    visudo = shutil.which("visudo", path="/usr/sbin:/usr/bin:/sbin:/bin")
    if visudo is None:
        raise SudoersRejected("visudo is missing (install the sudo package)")
    with tempfile.NamedTemporaryFile("wb", suffix=".sudoers") as tmp:
        tmp.write(content)
        tmp.flush()
        done = subprocess.run([visudo, "-cf", tmp.name], capture_output=True, check=False)
    if done.returncode != 0:
        raise SudoersRejected("sudoers rule rejected by visudo")


def write_file_atomic(path: str, content: bytes, mode: int, owner: str | None) -> None:
    """Temp file in the same folder, fsync, chmod/chown, rename, fsync the folder.

    Files under /etc/sudoers.d are checked with visudo first, whoever calls this.
    """
    if path.startswith("/etc/sudoers.d/"):
        check_sudoers(content)
    target = Path(path)
    uid, gid = _ids(owner)
    if not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            os.chown(target.parent, uid, gid)
    atomic_write_bytes(target, content, mode, (uid, gid) if os.geteuid() == 0 else None)


def remove_path(path: str) -> None:
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)


def extract_into(archive: Path, dest: str, owner: str,
                 on_progress: ProgressSink | None = None) -> None:
    target = Path(dest)
    extract_archive(archive, target, on_progress)
    if os.geteuid() == 0:
        uid, gid = _ids(owner)
        chown_tree(target, uid, gid)

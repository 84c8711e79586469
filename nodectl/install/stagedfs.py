"""Folder operations relative to an open directory that never follow a symlink.

Extraction may run as root inside the node user's home: a name there may be swapped for a
symlink at any time, so every step opens, creates, renames and removes relative to a
directory descriptor with ``O_NOFOLLOW`` instead of following a path string.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator, Sequence

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def open_dir(name: str, dir_fd: int | None = None) -> int:
    """Descriptor of a directory; OSError (ELOOP/ENOTDIR) if ``name`` is a symlink or file."""
    return os.open(name, DIR_FLAGS, dir_fd=dir_fd)


@contextlib.contextmanager
def opened_dir(name: str, dir_fd: int | None = None) -> Iterator[int]:
    fd = open_dir(name, dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def make_dirs(root_fd: int, parts: Sequence[str], mode: int = 0o755) -> int:
    """Descriptor of ``root/parts...``, creating missing folders; the caller closes it."""
    fd = os.dup(root_fd)
    try:
        for part in parts:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, mode, dir_fd=fd)
            child = open_dir(part, fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def remove_tree(dir_fd: int, name: str) -> None:
    """Remove ``name`` inside ``dir_fd`` (folder or file); a missing name is fine."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(name, dir_fd=dir_fd)
        return
    with opened_dir(name, dir_fd) as fd:
        for entry in os.listdir(fd):
            remove_tree(fd, entry)
    os.rmdir(name, dir_fd=dir_fd)


def exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def write_new(dir_fd: int, name: str, data: bytes, mode: int = 0o644) -> None:
    """Create ``name`` (it must not exist), write, fsync."""
    fd = os.open(name, NEW_FILE_FLAGS, mode, dir_fd=dir_fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)

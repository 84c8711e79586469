"""File operations for root that never follow a symbolic link.

Every path is walked one component at a time from a trusted root directory with
``openat(..., O_NOFOLLOW)``, so a link planted anywhere in the path (``~/.flux -> /etc``,
``~/watchdog/config.js -> /etc/cron.d/x``) is refused instead of followed, and the final
operation works on the directory the walk opened, not on a name that could be swapped later.
Owners and modes are set on open file descriptors (``fchown``/``fchmod``), and a tree is
chowned with ``lchown`` semantics only.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress

MAX_READ = 1 << 20  # config files only: a larger file is not one of ours


class UnsafePath(Exception):
    """A path was refused: it is not absolute/normalised or it contains a symbolic link."""


def split(path: str) -> list[str]:
    if not isinstance(path, str) or "\x00" in path or not path.startswith("/"):
        raise UnsafePath(f"not an absolute path: {path!r}")
    if os.path.normpath(path) != path or path == "/":
        raise UnsafePath(f"path must be normalised (no '..', '//' or trailing '/'): {path}")
    return path.split("/")[1:]


class Root:
    """A trusted directory (``/`` on a real machine) that every path is resolved under."""

    def __init__(self, path: str = "/") -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        os.close(self.fd)

    def real(self, path: str) -> str:
        """Where ``path`` is on this machine (for messages and child processes)."""
        return path if self.path == "/" else self.path.rstrip("/") + path

    def _open_dir(self, parts: list[str], create: tuple[int, int, int] | None = None) -> int:
        """Open the directory ``/parts...`` without following a link; ``create`` = (mode,
        uid, gid) makes missing directories."""
        fd = os.dup(self.fd)
        try:
            for name in parts:
                try:
                    nxt = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW |
                                  os.O_CLOEXEC, dir_fd=fd)
                except FileNotFoundError:
                    if create is None:
                        raise
                    mode, uid, gid = create
                    os.mkdir(name, mode, dir_fd=fd)
                    nxt = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW |
                                  os.O_CLOEXEC, dir_fd=fd)
                    os.fchown(nxt, uid, gid)
                    os.fchmod(nxt, mode)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise UnsafePath(f"refusing to follow a symbolic link at {name!r} "
                                         "(or it is not a folder)") from exc
                    raise
                os.close(fd)
                fd = nxt
            return fd
        except BaseException:
            os.close(fd)
            raise

    @contextmanager
    def parent(self, path: str, create: tuple[int, int, int] | None = None,
               ) -> Iterator[tuple[int, str]]:
        parts = split(path)
        fd = self._open_dir(parts[:-1], create)
        try:
            yield fd, parts[-1]
        finally:
            os.close(fd)

    @contextmanager
    def directory(self, path: str) -> Iterator[int]:
        fd = self._open_dir(split(path))
        try:
            yield fd
        finally:
            os.close(fd)

    def lstat(self, path: str) -> os.stat_result | None:
        """The entry itself (a link is reported as a link); None if absent."""
        try:
            with self.parent(path) as (fd, name):
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def exists(self, path: str) -> bool:
        try:
            return self.lstat(path) is not None
        except UnsafePath:
            return False

    def read(self, path: str, owners: tuple[int, ...] = ()) -> bytes | None:
        """A regular file's bytes; None if absent; a link or anything else is refused, and
        with ``owners`` a file owned by someone else (a hard link to /etc/shadow)."""
        try:
            with self.parent(path) as (dfd, name):
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                             dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafePath(f"refusing to read through a symbolic link: {path}") from exc
            raise
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UnsafePath(f"not a regular file: {path}")
            if owners and info.st_uid not in owners:
                raise UnsafePath(f"refusing to read a file owned by uid {info.st_uid}: {path}")
            data = file.read(MAX_READ + 1)
        if len(data) > MAX_READ:
            raise UnsafePath(f"file too large to be a config file: {path}")
        return data

    def write(self, path: str, content: bytes, mode: int, uid: int, gid: int) -> None:
        """Temp file beside the target, fsync, fchmod/fchown, rename over the target (a link
        at the target is replaced, never followed), fsync the folder. Missing folders are
        made with the file's owner and mode 0755."""
        with self.parent(path, create=(0o755, uid, gid)) as (dfd, name):
            tmp = f".{name}.{secrets.token_hex(6)}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW |
                         os.O_CLOEXEC, 0o600, dir_fd=dfd)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(content)
                    file.flush()
                    os.fsync(file.fileno())
                    os.fchown(file.fileno(), uid, gid)
                    os.fchmod(file.fileno(), mode)
                os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException:
                with suppress(OSError):
                    os.unlink(tmp, dir_fd=dfd)
                raise
            os.fsync(dfd)

    def make_dir(self, path: str, mode: int, uid: int, gid: int) -> None:
        """Create (or fix) one folder with owner and mode; a link in its place is refused."""
        with self.parent(path) as (dfd, name):
            with suppress(FileExistsError):
                os.mkdir(name, mode, dir_fd=dfd)
            try:
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                             dir_fd=dfd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath(f"refusing a symbolic link or file at {path}") from exc
                raise
            try:
                os.fchown(fd, uid, gid)
                os.fchmod(fd, mode)
            finally:
                os.close(fd)

    def remove(self, path: str) -> None:
        """Unlink a file or link, or delete a folder tree without following links in it."""
        with self.parent(path) as (dfd, name):
            try:
                info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                return
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(name, dir_fd=dfd)
            else:
                os.unlink(name, dir_fd=dfd)

    def chown_tree(self, path: str, uid: int, gid: int) -> None:
        """Give a folder tree to uid:gid; links are re-owned themselves, never followed."""
        with self.directory(path) as top:
            os.fchown(top, uid, gid)
            for _dirpath, dirs, files, dfd in os.fwalk(dir_fd=top, follow_symlinks=False):
                for name in (*dirs, *files):
                    os.chown(name, uid, gid, dir_fd=dfd, follow_symlinks=False)


def open_regular_nofollow(path: str) -> int:
    """Open a file the caller handed us (a downloaded archive): no link as its last part."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(f"refusing a symbolic link: {path}") from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePath(f"not a regular file: {path}")
    return fd

"""The one atomic writer: final mode from the start, no temp file left, old content on failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from flux.fileio import atomic_write_bytes, atomic_write_text, temp_glob


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_replace_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "settings.json"
    atomic_write_text(target, "one")
    assert target.read_text() == "one" and _mode(target) == 0o600
    atomic_write_bytes(target, b"two", mode=0o644)
    assert target.read_bytes() == b"two" and _mode(target) == 0o644
    assert list(target.parent.glob(temp_glob(target))) == []


def test_failure_before_the_rename_keeps_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    atomic_write_text(target, "old")
    seen: list[bytes] = []

    def fail() -> None:
        # The new bytes are complete and synced in the temp file, the target is untouched.
        (tmp_file,) = tmp_path.glob(temp_glob(target))
        seen.append(tmp_file.read_bytes())
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new", before_replace=fail)
    assert seen == [b"new"]
    assert target.read_text() == "old"
    assert list(tmp_path.glob(temp_glob(target))) == []


def test_owner_is_set_before_the_rename(tmp_path: Path) -> None:
    target = tmp_path / "owned"
    atomic_write_bytes(target, b"x", owner_ids=(os.getuid(), os.getgid()))
    assert (target.stat().st_uid, target.stat().st_gid) == (os.getuid(), os.getgid())

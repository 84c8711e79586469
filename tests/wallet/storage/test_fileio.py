import os
import stat
from pathlib import Path

import pytest

from wallet.storage import fileio


def test_new_file_is_private_and_complete(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "w.dat"
    fileio.atomic_write(target, b"one")
    assert target.read_bytes() == b"one"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not fileio.backup_path(target).exists()


def test_previous_copy_kept_as_bak(tmp_path: Path) -> None:
    target = tmp_path / "w.dat"
    fileio.atomic_write(target, b"one")
    fileio.atomic_write(target, b"two")
    fileio.atomic_write(target, b"three")
    assert target.read_bytes() == b"three"
    assert fileio.backup_path(target).read_bytes() == b"two"
    assert stat.S_IMODE(fileio.backup_path(target).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.dat", "w.dat.bak"]


def test_keep_backup_false_leaves_bak_alone(tmp_path: Path) -> None:
    target = tmp_path / "w.dat"
    fileio.atomic_write(target, b"one")
    fileio.atomic_write(target, b"two")
    fileio.atomic_write(target, b"three", keep_backup=False)
    assert fileio.backup_path(target).read_bytes() == b"one"


def test_backup_by_copy_when_hard_links_fail(tmp_path: Path, monkeypatch) -> None:
    def no_links(*_args: object) -> None:
        raise OSError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "w.dat"
    fileio.atomic_write(target, b"one")
    fileio.atomic_write(target, b"two")
    assert fileio.backup_path(target).read_bytes() == b"one"
    assert target.read_bytes() == b"two"


def test_stale_temp_files_are_removed_and_failed_write_cleans_up(
    tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "w.dat"
    (tmp_path / ".w.dat.new-deadbeef0000.tmp").write_bytes(b"half")
    fileio.atomic_write(target, b"one")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.dat"]

    def failing_replace(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        fileio.atomic_write(target, b"two")
    monkeypatch.undo()
    assert target.read_bytes() == b"one"
    assert not list(tmp_path.glob("*.tmp"))


def test_write_backup_and_read_bytes(tmp_path: Path) -> None:
    target = tmp_path / "w.dat"
    assert fileio.read_bytes(target) is None
    fileio.write_backup(target, b"bak")
    assert fileio.backup_path(target).read_bytes() == b"bak"

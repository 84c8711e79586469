"""What the installer needs to know about a host, read through the Host interface."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil

from nodectl.install.host import Host

# uname machine -> Debian architecture name used in apt source lines.
DPKG_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i686": "i386"}

# Paths that betray an earlier fluxd / FluxOS / zelcash install (docs/node-ops.md).
EXISTING_MARKERS = (
    "/usr/local/bin/fluxd", "/etc/systemd/system/zelcash.service",
    "/etc/apt/sources.list.d/flux.list",
)
HOME_MARKERS = (".flux", ".zelcash", "zelflux", ".fluxbenchmark", "watchdog")


@dataclass(frozen=True)
class HostFacts:
    distro: str = ""  # os-release ID: debian / ubuntu / ...
    version_id: str = ""
    codename: str = ""
    pretty_name: str = ""
    machine: str = ""
    avx: bool = False
    threads: int = 0
    cores: int = 0
    ram_mib: int = 0
    pid1: str = ""
    euid: int = -1
    disk_free: dict[str, int] = field(default_factory=dict)
    listening: tuple[int, ...] = ()
    existing: tuple[str, ...] = ()
    home_free_path: str = "/home"
    local_ipv4: tuple[str, ...] = ()
    escalation: tuple[str, ...] = ()  # which of pkexec / sudo the host has

    @property
    def arch(self) -> str:
        return DPKG_ARCH.get(self.machine, self.machine)

    @property
    def version(self) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"[0-9]+", self.version_id)[:2])

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["arch"] = self.arch
        return data


def parse_os_release(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def parse_cpuinfo(text: str) -> tuple[int, int, bool]:
    """(logical threads, physical cores, has AVX) the way the official replica counts them."""
    threads = len(re.findall(r"^processor\s*:", text, re.M))
    cores_per_socket = [int(x) for x in re.findall(r"^cpu cores\s*:\s*([0-9]+)", text, re.M)]
    sockets = set(re.findall(r"^physical id\s*:\s*([0-9]+)", text, re.M))
    cores = (cores_per_socket[0] * max(1, len(sockets))) if cores_per_socket else threads
    flags = re.search(r"^flags\s*:(.*)$", text, re.M)
    avx = bool(flags and re.search(r"\bavx\b", flags.group(1)))
    return threads, cores, avx


def parse_meminfo(text: str) -> int:
    found = re.search(r"^MemTotal:\s*([0-9]+)\s*kB", text, re.M)
    return int(found.group(1)) // 1024 if found else 0


async def gather(host: Host, user: str) -> HostFacts:
    os_release = parse_os_release(await host.read_text("/etc/os-release") or "")
    threads, cores, avx = parse_cpuinfo(await host.read_text("/proc/cpuinfo") or "")
    ram = parse_meminfo(await host.read_text("/proc/meminfo") or "")
    pid1 = (await host.read_text("/proc/1/comm") or "").strip()
    machine = (await host.read_text("/proc/sys/kernel/arch") or "").strip()
    local_ipv4: tuple[str, ...] = ()
    if host.name == "local":
        # Older kernels lack /proc/sys/kernel/arch; the local machine can simply be asked.
        machine = machine or os.uname().machine
        local_ipv4 = tuple(
            a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family.name == "AF_INET")
    home = f"/home/{user}"
    existing = [p for p in EXISTING_MARKERS if await host.exists(p)]
    existing += [f"{home}/{m}" for m in HOME_MARKERS if await host.exists(f"{home}/{m}")]
    free = {path: await host.disk_free(path) for path in ("/", home)}
    escalation = tuple([name for name in ("pkexec", "sudo")
                        if await host.exists(f"/usr/bin/{name}")])
    return HostFacts(
        distro=os_release.get("ID", ""), version_id=os_release.get("VERSION_ID", ""),
        codename=os_release.get("VERSION_CODENAME", ""),
        pretty_name=os_release.get("PRETTY_NAME", ""), machine=machine, avx=avx,
        threads=threads, cores=cores, ram_mib=ram, pid1=pid1, euid=await host.euid(),
        disk_free=free, listening=tuple(sorted(await host.listening_ports())),
        existing=tuple(existing), home_free_path=home, local_ipv4=local_ipv4,
        escalation=escalation,
    )

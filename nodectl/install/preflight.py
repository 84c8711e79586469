"""Preflight: can a FluxNode be installed here, and if not, exactly why and what to do."""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from flux.ports import MAINNET_PORTS, fluxos_ports
from flux.tiers import tier_by_name
from nodectl.install.facts import HostFacts

# Bootstrap size is unconfirmed (docs/node-ops.md; ~36 GB streamed per PR flux#1435): archive and
# extracted chain exist side by side until extraction ends, plus room for packages and Docker.
BOOTSTRAP_GB = 40
INSTALL_EXTRA_GB = 10
GB = 1000**3
SUPPORTED = "Ubuntu 22.04 / 24.04 or Debian 12"


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a status name, not a password
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    check_id: str
    title: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class PublicIp:
    address: str | None
    error: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status is not Status.FAIL for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status is Status.FAIL]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def _os(f: HostFacts) -> Check:
    ver = f.version
    name = f.pretty_name or f"{f.distro} {f.version_id}".strip() or "unknown OS"
    supported = (f.distro == "ubuntu" and ver[:2] in ((22, 4), (24, 4))) or \
        (f.distro == "debian" and ver[:1] == (12,))
    if supported:
        return Check("os", "Operating system", Status.PASS, f"{name} is supported")
    if f.distro in ("debian", "ubuntu"):
        return Check("os", "Operating system", Status.WARN,
                     f"{name} is accepted by the official installer but not tested here",
                     f"use {SUPPORTED} for a supported install")
    return Check("os", "Operating system", Status.FAIL,
                 f"{name} is not Debian or Ubuntu; FluxNode packages exist only for those",
                 f"reinstall the machine with {SUPPORTED}")


def _cpu(f: HostFacts) -> Check:
    title = "CPU architecture"
    if f.arch == "amd64":
        if f.avx:
            return Check("cpu", title, Status.PASS, "amd64 with AVX")
        return Check("cpu", title, Status.FAIL,
                     "amd64 without AVX: MongoDB 7 (needed by FluxOS) will not run",
                     "use a CPU with AVX; on a VM set the CPU type to 'host'")
    if f.arch == "arm64":
        ver = f.version
        ok = (f.distro == "debian" and ver >= (12,)) or (f.distro == "ubuntu" and ver >= (23, 10))
        if ok:
            return Check("cpu", title, Status.WARN,
                         "arm64: allowed, but the Stratus tier needs amd64",
                         "choose Cumulus or Nimbus on this machine")
        return Check("cpu", title, Status.FAIL, "arm64 needs Debian 12+ or Ubuntu 23.10+",
                     f"upgrade to {SUPPORTED}")
    return Check("cpu", title, Status.FAIL, f"{f.machine or 'unknown'} is not supported",
                 "FluxNode runs on amd64 (with AVX) or arm64")


def _systemd(f: HostFacts) -> Check:
    if f.pid1 == "systemd":
        return Check("systemd", "systemd", Status.PASS, "systemd is the init system")
    return Check(
        "systemd", "systemd", Status.FAIL,
        f"PID 1 is '{f.pid1 or 'unknown'}', not systemd (a container?): zelcash.service, "
        "mongod, docker and the pm2 startup unit all need systemd",
        "install on a virtual machine or bare metal, or a container that boots systemd")


def _admin(f: HostFacts, user: str) -> Check:
    title = "Administrator rights"
    if f.euid == 0:
        return Check("admin", title, Status.PASS,
                     f"running as root; node steps will run as '{user}', never as root")
    if f.escalation:
        return Check("admin", title, Status.PASS,
                     f"{' / '.join(f.escalation)} available: you will be asked for your "
                     "password once")
    return Check("admin", title, Status.FAIL, "neither pkexec nor sudo is installed",
                 "install the 'policykit-1' or 'sudo' package as root")


def _resources(f: HostFacts, tier: str) -> list[Check]:
    # Tier minimums (flux.tiers): RAM in GiB as the replica rounds it, threads, physical cores.
    need = tier_by_name(tier)
    ram_gib = round(f.ram_mib / 1024)
    out = []
    for key, have, want, unit in (
        ("ram_gib", ram_gib, need.min_ram_gib, "GiB RAM"),
        ("threads", f.threads, need.min_threads, "threads"),
        ("cores", f.cores, need.min_cores, "physical cores"),
    ):
        status = Status.PASS if have >= want else Status.FAIL
        fix = "" if have >= want else f"choose a smaller tier or add {unit}"
        out.append(Check(key, f"{tier.title()}: {unit}", status,
                         f"{have} {unit} (needs {want})", fix))
    return out


def _disk(f: HostFacts, tier: str) -> Check:
    need = (2 * BOOTSTRAP_GB + INSTALL_EXTRA_GB) * GB
    free = f.disk_free.get(f.home_free_path, f.disk_free.get("/", 0))
    detail = f"{free / GB:.0f} GB free for the chain and bootstrap (needs {need / GB:.0f} GB)"
    if free >= need:
        return Check("disk", "Disk space", Status.PASS,
                     detail + f"; the {tier} benchmark also wants "
                     f"{tier_by_name(tier).min_ssd_gib} GB of fast SSD in total")
    return Check("disk", "Disk space", Status.FAIL, detail,
                 "free space on the disk holding /home or add an SSD")


def required_ports(api_port: int) -> list[int]:
    # fluxd RPC/P2P plus FluxOS UI, API, HTTPS and Syncthing (API-1 .. API+2).
    return sorted({MAINNET_PORTS.rpc, MAINNET_PORTS.p2p, *fluxos_ports(api_port)})


def _ports(f: HostFacts, api_port: int) -> Check:
    busy = [p for p in required_ports(api_port) if p in f.listening]
    ports = ", ".join(str(p) for p in required_ports(api_port))
    if not busy:
        return Check("ports", "Ports", Status.PASS, f"{ports} are free")
    return Check("ports", "Ports", Status.FAIL,
                 f"already in use: {', '.join(str(p) for p in busy)}",
                 "stop what listens there (`ss -ltnp`) or pick another UPnP port set")


def _public_ip(f: HostFacts, ip: PublicIp) -> Check:
    if ip.address is None:
        return Check("public_ip", "Public IPv4", Status.FAIL,
                     f"could not learn this machine's public IPv4 ({ip.error or 'no answer'})",
                     "check the internet connection, or enter the public IP by hand")
    addr = ipaddress.ip_address(ip.address)
    locals_ = [ipaddress.ip_address(a) for a in f.local_ipv4]
    cgnat = ipaddress.ip_network("100.64.0.0/10")
    if addr in cgnat or any(a in cgnat for a in locals_):
        return Check("public_ip", "Public IPv4", Status.WARN,
                     f"{ip.address}: carrier-grade NAT detected; peers cannot reach the node",
                     "ask your ISP for a public IPv4 address")
    if not addr.is_global:
        return Check("public_ip", "Public IPv4", Status.FAIL,
                     f"{ip.address} is not a public address", "enter the public IPv4 address")
    behind_nat = bool(locals_) and addr not in locals_
    detail = f"{ip.address}" + (" (behind NAT: use UPnP or forward the ports)"
                                if behind_nat else "")
    return Check("public_ip", "Public IPv4", Status.PASS, detail)


def _existing(f: HostFacts) -> Check:
    if not f.existing:
        return Check("existing", "Earlier install", Status.PASS, "no fluxd/FluxOS install found")
    return Check("existing", "Earlier install", Status.WARN,
                 "found " + ", ".join(f.existing) + "; nothing will be wiped",
                 "go ahead: every step keeps what is already in place and only fills the gaps "
                 "(the same as Repair)")


def evaluate(facts: HostFacts, *, tier: str, user: str, api_port: int,
             public_ip: PublicIp) -> Report:
    report = Report([_os(facts), _cpu(facts), _systemd(facts), _admin(facts, user)])
    report.checks += _resources(facts, tier)
    report.checks += [_disk(facts, tier), _ports(facts, api_port), _public_ip(facts, public_ip),
                      _existing(facts)]
    return report

"""Preflight verdicts with a fix for each failure."""

from __future__ import annotations

import dataclasses

import pytest

from nodectl.install import facts as facts_mod
from nodectl.install.facts import HostFacts
from nodectl.install.preflight import PublicIp, Status, evaluate
from nodectl.install.sandbox import SandboxHost

GOOD = HostFacts(distro="ubuntu", version_id="22.04", codename="jammy",
                 pretty_name="Ubuntu 22.04.4 LTS", machine="x86_64", avx=True, threads=8,
                 cores=4, ram_mib=16000, pid1="systemd", euid=0,
                 disk_free={"/": 500 * 10**9, "/home/fluxnode": 500 * 10**9},
                 home_free_path="/home/fluxnode", local_ipv4=("81.2.69.160",))
IP = PublicIp("81.2.69.160")


def statuses(f: HostFacts, tier: str = "cumulus", api_port: int = 16127,
             ip: PublicIp = IP) -> dict[str, Status]:
    report = evaluate(f, tier=tier, user="fluxnode", api_port=api_port, public_ip=ip)
    for check in report.checks:
        assert check.status is Status.PASS or check.fix, f"{check.check_id} needs a fix"
    return {c.check_id: c.status for c in report.checks}


def test_good_machine_passes() -> None:
    assert set(statuses(GOOD).values()) == {Status.PASS}


def test_container_like_this_one_fails_honestly() -> None:
    f = dataclasses.replace(GOOD, distro="debian", version_id="12", pid1="process_api",
                            threads=2, cores=2, ram_mib=24000)
    got = statuses(f)
    assert got["systemd"] is Status.FAIL and got["threads"] is Status.FAIL
    assert got["os"] is Status.PASS and got["ram_gib"] is Status.PASS


@pytest.mark.parametrize(("change", "check_id", "status"), [
    ({"avx": False}, "cpu", Status.FAIL),
    ({"machine": "aarch64", "distro": "debian", "version_id": "12"}, "cpu", Status.WARN),
    ({"machine": "aarch64", "version_id": "22.04"}, "cpu", Status.FAIL),
    ({"distro": "fedora", "version_id": "40"}, "os", Status.FAIL),
    ({"distro": "debian", "version_id": "11"}, "os", Status.WARN),
    ({"ram_mib": 4000}, "ram_gib", Status.FAIL),
    ({"disk_free": {"/home/fluxnode": 20 * 10**9}}, "disk", Status.FAIL),
    ({"listening": (16127, 22)}, "ports", Status.FAIL),
    ({"existing": ("/usr/local/bin/fluxd",)}, "existing", Status.WARN),
    ({"local_ipv4": ("100.64.3.4",)}, "public_ip", Status.WARN),
])
def test_single_problem(change: dict[str, object], check_id: str, status: Status) -> None:
    assert statuses(dataclasses.replace(GOOD, **change))[check_id] is status  # type: ignore[arg-type]


def test_tier_and_ports_and_ip() -> None:
    assert statuses(GOOD, tier="nimbus")["ram_gib"] is Status.FAIL
    assert statuses(dataclasses.replace(GOOD, listening=(16127,)), api_port=16137)["ports"] \
        is Status.PASS
    assert statuses(GOOD, ip=PublicIp(None, "timeout"))["public_ip"] is Status.FAIL
    assert statuses(GOOD, ip=PublicIp("192.168.1.5"))["public_ip"] is Status.FAIL


@pytest.mark.asyncio
async def test_gather_reads_the_host(tmp_path) -> None:  # type: ignore[no-untyped-def]
    host = SandboxHost(tmp_path / "root", listening={16125})
    host.seed_machine(threads=4, cores=2, ram_mib=8192, avx=False, machine="aarch64")
    got = await facts_mod.gather(host, "fluxnode")
    assert (got.distro, got.version, got.codename) == ("ubuntu", (22, 4), "jammy")
    assert (got.threads, got.cores, got.avx, got.arch) == (4, 2, False, "arm64")
    assert got.ram_mib == 8192 and got.pid1 == "systemd" and got.listening == (16125,)

"""Local machine figures with psutil: CPU, RAM, disks, network counters, temperatures.

``read_metrics`` is quick but does a few syscalls per disk: call it from a worker thread
(``asyncio.to_thread``) so the GUI loop never waits on a slow mount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class DiskUsage:
    path: str
    total: int
    used: int
    free: int

    @property
    def percent_used(self) -> float:
        return 100.0 * self.used / self.total if self.total else 0.0


@dataclass(frozen=True)
class Metrics:
    cpu_percent: float
    ram_total: int
    ram_available: int
    disks: tuple[DiskUsage, ...]
    net_sent: int
    net_received: int
    temperatures_c: tuple[tuple[str, float], ...]  # (sensor label, °C); empty when unavailable

    @property
    def ram_percent_used(self) -> float:
        return 100.0 * (self.ram_total - self.ram_available) / self.ram_total if self.ram_total \
            else 0.0


def read_metrics(paths: Sequence[str] = ("/",)) -> Metrics:
    memory = psutil.virtual_memory()
    disks: list[DiskUsage] = []
    for path in paths:
        try:
            usage = psutil.disk_usage(path)
        except OSError:
            continue  # a data folder that does not exist (yet) has no usage to show
        disks.append(DiskUsage(path, usage.total, usage.used, usage.free))
    net = psutil.net_io_counters()
    return Metrics(
        # interval=None: the share since the previous call, without sleeping here.
        cpu_percent=psutil.cpu_percent(interval=None),
        ram_total=memory.total,
        ram_available=memory.available,
        disks=tuple(disks),
        net_sent=net.bytes_sent if net else 0,
        net_received=net.bytes_recv if net else 0,
        temperatures_c=_temperatures(),
    )


def _temperatures() -> tuple[tuple[str, float], ...]:
    reader = getattr(psutil, "sensors_temperatures", None)  # absent on some platforms
    if reader is None:
        return ()
    try:
        sensors = reader()
    except (OSError, RuntimeError):
        return ()
    found: list[tuple[str, float]] = []
    for chip, entries in sensors.items():
        for entry in entries:
            found.append((f"{chip} {entry.label}".strip(), float(entry.current)))
    return tuple(found)

"""Plain data the benchmark produces: probes, measurements, verdict, report.

Everything here round-trips through JSON (``to_dict``/``from_dict``) because runs are kept in
history files and printed by ``fluxdesk bench --json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from nodectl.bench.errors import HistoryError

REPORT_FORMAT = "fluxdesk.bench/1"
ESTIMATE_NOTE = (
    "Estimate: these figures follow the official installer's benchmark replica. The binding "
    "verdict is fluxbench on the installed node."
)


@dataclass(frozen=True)
class DiskProbe:
    name: str  # kernel name, e.g. "nvme0n1"
    size_bytes: int
    rotational: bool | None  # None when the kernel does not say
    model: str = ""

    @property
    def ssd_class(self) -> bool | None:
        return None if self.rotational is None else not self.rotational

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size_bytes": self.size_bytes,
            "rotational": self.rotational,
            "ssd_class": self.ssd_class,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> DiskProbe:
        return cls(
            name=str(doc["name"]),
            size_bytes=int(doc["size_bytes"]),
            rotational=None if doc.get("rotational") is None else bool(doc["rotational"]),
            model=str(doc.get("model", "")),
        )


@dataclass(frozen=True)
class PathDisk:
    """The filesystem and (when found) whole disk that hold a directory."""

    path: str
    mountpoint: str
    device: str  # e.g. "/dev/vda1", or the filesystem source for overlay/tmpfs
    disk: str | None  # whole-disk kernel name, None when it is not a block device (overlay, tmpfs)
    fs_total_bytes: int
    fs_free_bytes: int
    disk_size_bytes: int | None

    @property
    def capacity_bytes(self) -> int:
        # The replica counts the whole disk; without one (containers) it falls back to `df /`.
        return self.disk_size_bytes if self.disk_size_bytes is not None else self.fs_total_bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "mountpoint": self.mountpoint,
            "device": self.device,
            "disk": self.disk,
            "fs_total_bytes": self.fs_total_bytes,
            "fs_free_bytes": self.fs_free_bytes,
            "disk_size_bytes": self.disk_size_bytes,
            "capacity_bytes": self.capacity_bytes,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> PathDisk:
        size = doc.get("disk_size_bytes")
        return cls(
            path=str(doc["path"]),
            mountpoint=str(doc["mountpoint"]),
            device=str(doc["device"]),
            disk=None if doc.get("disk") is None else str(doc["disk"]),
            fs_total_bytes=int(doc["fs_total_bytes"]),
            fs_free_bytes=int(doc["fs_free_bytes"]),
            disk_size_bytes=None if size is None else int(size),
        )


@dataclass(frozen=True)
class SystemProbe:
    threads: int
    cores: int
    ram_bytes: int
    machine: str  # platform.machine(), e.g. "x86_64"
    arch: str  # Debian name, e.g. "amd64"
    cpu_model: str
    avx: bool
    os_name: str
    os_id: str
    os_version: str
    disks: tuple[DiskProbe, ...]
    data_disks: tuple[PathDisk, ...]

    @property
    def ram_gib(self) -> int:
        # The replica rounds `free -b` ÷ 1024³ with printf %.0f (half to even, like round()).
        return round(self.ram_bytes / 1024**3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "cores": self.cores,
            "ram_bytes": self.ram_bytes,
            "ram_gib": self.ram_gib,
            "machine": self.machine,
            "arch": self.arch,
            "cpu_model": self.cpu_model,
            "avx": self.avx,
            "os_name": self.os_name,
            "os_id": self.os_id,
            "os_version": self.os_version,
            "disks": [d.to_dict() for d in self.disks],
            "data_disks": [d.to_dict() for d in self.data_disks],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> SystemProbe:
        return cls(
            threads=int(doc["threads"]),
            cores=int(doc["cores"]),
            ram_bytes=int(doc["ram_bytes"]),
            machine=str(doc["machine"]),
            arch=str(doc["arch"]),
            cpu_model=str(doc.get("cpu_model", "")),
            avx=bool(doc.get("avx", False)),
            os_name=str(doc.get("os_name", "")),
            os_id=str(doc.get("os_id", "")),
            os_version=str(doc.get("os_version", "")),
            disks=tuple(DiskProbe.from_dict(d) for d in doc.get("disks", [])),
            data_disks=tuple(PathDisk.from_dict(d) for d in doc.get("data_disks", [])),
        )


@dataclass(frozen=True)
class Measurement:
    key: str  # "eps_single", "eps_all", "dws", "download", "upload", "latency"
    label: str
    value: float | None  # None when the test failed or was skipped
    unit: str
    method: str
    samples: tuple[float, ...] = ()
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "method": self.method,
            "samples": list(self.samples),
            "error": self.error,
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Measurement:
        value = doc.get("value")
        return cls(
            key=str(doc["key"]),
            label=str(doc.get("label", doc["key"])),
            value=None if value is None else float(value),
            unit=str(doc["unit"]),
            method=str(doc["method"]),
            samples=tuple(float(s) for s in doc.get("samples", [])),
            error=None if doc.get("error") is None else str(doc["error"]),
            details=dict(doc.get("details", {})),
        )


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"  # not measured (test skipped or failed)


@dataclass(frozen=True)
class Check:
    requirement: str  # key into tiers.SOURCES: "threads", "eps", "download", ...
    label: str
    required: float | str
    actual: float | str | None
    unit: str
    outcome: Outcome
    margin: float | None  # actual − required; positive is headroom
    hint: str | None

    @property
    def margin_pct(self) -> float | None:
        if self.margin is None or not isinstance(self.required, float | int) or not self.required:
            return None
        return 100.0 * self.margin / float(self.required)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "label": self.label,
            "required": self.required,
            "actual": self.actual,
            "unit": self.unit,
            "outcome": self.outcome.value,
            "margin": self.margin,
            "margin_pct": self.margin_pct,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Check:
        margin = doc.get("margin")
        return cls(
            requirement=str(doc["requirement"]),
            label=str(doc.get("label", doc["requirement"])),
            required=doc["required"],
            actual=doc.get("actual"),
            unit=str(doc.get("unit", "")),
            outcome=Outcome(doc["outcome"]),
            margin=None if margin is None else float(margin),
            hint=doc.get("hint"),
        )


@dataclass(frozen=True)
class TierVerdict:
    tier: str
    outcome: Outcome
    checks: tuple[Check, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "outcome": self.outcome.value,
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> TierVerdict:
        return cls(
            tier=str(doc["tier"]),
            outcome=Outcome(doc["outcome"]),
            checks=tuple(Check.from_dict(c) for c in doc["checks"]),
        )


@dataclass(frozen=True)
class Verdict:
    tiers: tuple[TierVerdict, ...]
    best_tier: str | None  # highest tier whose every requirement passed (the strict rule)
    provisional_tier: str | None  # highest tier with no failure if unmeasured items passed
    hints: tuple[str, ...]
    note: str = ESTIMATE_NOTE

    def tier(self, name: str) -> TierVerdict:
        for verdict in self.tiers:
            if verdict.tier == name:
                return verdict
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "best_tier": self.best_tier,
            "provisional_tier": self.provisional_tier,
            "estimate": True,
            "note": self.note,
            "hints": list(self.hints),
            "tiers": [t.to_dict() for t in self.tiers],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Verdict:
        return cls(
            tiers=tuple(TierVerdict.from_dict(t) for t in doc["tiers"]),
            best_tier=doc.get("best_tier"),
            provisional_tier=doc.get("provisional_tier"),
            hints=tuple(str(h) for h in doc.get("hints", [])),
            note=str(doc.get("note", ESTIMATE_NOTE)),
        )


@dataclass(frozen=True)
class BenchReport:
    started_at: str  # ISO 8601, UTC
    finished_at: str
    quick: bool
    probes: SystemProbe
    measurements: tuple[Measurement, ...]
    verdict: Verdict
    warnings: tuple[str, ...] = ()
    fluxbench: dict[str, Any] | None = None  # fluxbench's own getbenchmarks, when a node runs

    def measurement(self, key: str) -> Measurement | None:
        for item in self.measurements:
            if item.key == key:
                return item
        return None

    @property
    def run_id(self) -> str:
        # Sortable and file-name safe: 2026-11-24T01:02:03.456789+00:00 -> 20261124T010203456789Z
        digits = self.started_at.split("+")[0].replace("-", "").replace(":", "").replace(".", "")
        return f"{digits}Z"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "quick": self.quick,
            "mode": "quick" if self.quick else "full",
            "probes": self.probes.to_dict(),
            "measurements": {m.key: m.to_dict() for m in self.measurements},
            "verdict": self.verdict.to_dict(),
            "warnings": list(self.warnings),
            "fluxbench": self.fluxbench,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> BenchReport:
        if doc.get("format") != REPORT_FORMAT:
            raise HistoryError(f"Not a FluxDesk benchmark run (format {doc.get('format')!r}).")
        try:
            measurements = doc["measurements"]
            return cls(
                started_at=str(doc["started_at"]),
                finished_at=str(doc["finished_at"]),
                quick=bool(doc["quick"]),
                probes=SystemProbe.from_dict(doc["probes"]),
                measurements=tuple(Measurement.from_dict(m) for m in measurements.values()),
                verdict=Verdict.from_dict(doc["verdict"]),
                warnings=tuple(str(w) for w in doc.get("warnings", [])),
                fluxbench=doc.get("fluxbench"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HistoryError(f"Benchmark run is damaged or incomplete ({exc!r}).") from exc

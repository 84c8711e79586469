"""Pass/fail per requirement per tier, with margins, the strict highest-tier rule and hints.

The installer's replica never downgrades NIMBUS/STRATUS when EPS is only enough for a lower tier
(multitool hardwarebench.sh has no else-branch for it; docs/node-ops.md). Here a tier passes only
when every one of its requirements passes, and the verdict is the highest such tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flux.tiers import SSD_CLASS_MIN_DWS_MIB_S, TIERS, TierSpec
from nodectl.bench.models import Check, Measurement, Outcome, SystemProbe, TierVerdict, Verdict

GIB = 1024**3


@dataclass(frozen=True)
class VerdictInputs:
    threads: int
    cores: int
    ram_gib: int
    arch: str
    eps_single: float | None  # sysbench events/s with one thread
    dws_mib_s: float | None  # the data-directory disk
    ssd_gib: float | None  # capacity of the tested disks that reached SSD-class speed
    download_mbit: float | None
    upload_mbit: float | None
    avx: bool = True


def _numeric(
    requirement: str, label: str, required: float, actual: float | None, unit: str, hint: str
) -> Check:
    if actual is None:
        return Check(
            requirement,
            label,
            required,
            None,
            unit,
            Outcome.UNKNOWN,
            None,
            f"{label} was not measured, so this requirement cannot be judged.",
        )
    passed = actual >= required
    return Check(
        requirement=requirement,
        label=label,
        required=required,
        actual=actual,
        unit=unit,
        outcome=Outcome.PASS if passed else Outcome.FAIL,
        margin=actual - required,
        hint=None if passed else hint,
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def tier_checks(tier: TierSpec, data: VerdictInputs) -> tuple[Check, ...]:
    name = tier.title
    eps = None if data.eps_single is None else data.eps_single * tier.eps_threads
    single_needed = tier.min_eps / tier.eps_threads
    ssd_hint = (
        f"{name} needs {tier.min_ssd_gib} GiB on SSD-class disks (writing at least "
        f"{_fmt(SSD_CLASS_MIN_DWS_MIB_S)} MiB/s); {_fmt(data.ssd_gib or 0)} GiB counted."
    )
    if data.dws_mib_s is not None and data.dws_mib_s < SSD_CLASS_MIN_DWS_MIB_S:
        ssd_hint += (
            f" The tested disk writes {_fmt(data.dws_mib_s)} MiB/s, so it does not count as SSD."
        )
    checks = [
        _numeric(
            "threads",
            "CPU threads",
            tier.min_threads,
            data.threads,
            "threads",
            f"{name} needs {tier.min_threads} CPU threads; this machine has {data.threads}.",
        ),
        _numeric(
            "cores",
            "CPU cores",
            tier.min_cores,
            data.cores,
            "cores",
            f"{name} needs {tier.min_cores} physical cores; this machine has {data.cores}.",
        ),
        _numeric(
            "ram",
            "RAM",
            tier.min_ram_gib,
            data.ram_gib,
            "GiB",
            f"{name} needs {tier.min_ram_gib} GiB RAM (total ÷ 1024³, rounded); this machine "
            f"has {data.ram_gib} GiB — add at least {tier.min_ram_gib - data.ram_gib} GiB.",
        ),
        _numeric("ssd", "SSD capacity", tier.min_ssd_gib, data.ssd_gib, "GiB", ssd_hint),
        _numeric(
            "eps",
            f"CPU events/s (1 thread × {tier.eps_threads})",
            tier.min_eps,
            eps,
            "events/s",
            f"{name} needs {_fmt(tier.min_eps)} CPU events/s, i.e. {_fmt(single_needed)} per "
            "thread × "
            f"{tier.eps_threads}; measured {_fmt(eps or 0)}. It takes a CPU that is faster per "
            "core; a busy CPU also lowers the figure, so close other programs and run again.",
        ),
        _numeric(
            "dws",
            "Disk write speed",
            tier.min_dws_mib_s,
            data.dws_mib_s,
            "MiB/s",
            f"{name} needs disk writes of {_fmt(tier.min_dws_mib_s)} MiB/s on the data disk; "
            f"measured {_fmt(data.dws_mib_s or 0)} MiB/s. Put the node's data on an SSD or NVMe.",
        ),
    ]
    if tier.architectures is not None:
        allowed = sorted(tier.architectures)
        ok = data.arch in tier.architectures
        checks.append(
            Check(
                requirement="arch",
                label="Architecture",
                required=" or ".join(allowed),
                actual=data.arch,
                unit="",
                outcome=Outcome.PASS if ok else Outcome.FAIL,
                margin=None,
                hint=None
                if ok
                else f"{name} needs {' or '.join(allowed)}; this machine is {data.arch}.",
            )
        )
    for key, label, actual in (
        ("download", "Download", data.download_mbit),
        ("upload", "Upload", data.upload_mbit),
    ):
        checks.append(
            _numeric(
                key,
                label,
                tier.min_bandwidth_mbit,
                actual,
                "Mbit/s",
                f"{name} needs {_fmt(tier.min_bandwidth_mbit)} Mbit/s; {label.lower()} measured "
                f"{_fmt(actual or 0)} Mbit/s. The docs do not say which direction counts, so both "
                "are checked; a wired connection or a faster plan helps.",
            )
        )
    return tuple(checks)


def _tier_outcome(checks: Sequence[Check]) -> Outcome:
    outcomes = {c.outcome for c in checks}
    if Outcome.FAIL in outcomes:
        return Outcome.FAIL
    if Outcome.UNKNOWN in outcomes:
        return Outcome.UNKNOWN
    return Outcome.PASS


def _dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def evaluate(data: VerdictInputs, tiers: Sequence[TierSpec] = TIERS) -> Verdict:
    verdicts = []
    for tier in tiers:
        checks = tier_checks(tier, data)
        verdicts.append(TierVerdict(tier.name, _tier_outcome(checks), checks))
    passing = [v.tier for v in verdicts if v.outcome is Outcome.PASS]
    possible = [v.tier for v in verdicts if v.outcome is not Outcome.FAIL]
    best = passing[-1] if passing else None
    provisional = possible[-1] if possible else None
    hints: list[str] = []
    # Hints aim at the next tier up: what stops the machine from reaching it.
    order = [v.tier for v in verdicts]
    target_index = order.index(best) + 1 if best is not None else 0
    if target_index < len(verdicts):
        target = verdicts[target_index]
        hints.extend(c.hint for c in target.checks if c.outcome is Outcome.FAIL and c.hint)
        unknown = [c.label for c in target.checks if c.outcome is Outcome.UNKNOWN]
        if unknown:
            hints.append(
                f"Not measured, so not judged: {', '.join(unknown)}. The reason is given with each "
                "step; fix it and run again."
            )
    if data.arch == "amd64" and not data.avx:
        hints.append(
            "This CPU has no AVX: the node installer refuses MongoDB on Ubuntu ≥ 22.04 and "
            "Debian ≥ 10 without it."
        )
    return Verdict(
        tiers=tuple(verdicts), best_tier=best, provisional_tier=provisional, hints=_dedupe(hints)
    )


def ssd_capacity(probes: SystemProbe, per_disk: list[dict[str, object]]) -> Measurement:
    """SSD capacity: the tested disks that reached SSD-class speed, each disk counted once."""
    seen: set[str] = set()
    total = 0.0
    measured = False
    for row, target in zip(per_disk, probes.data_disks, strict=True):
        if "error" in row:
            continue
        measured = True
        key = target.disk or target.device or target.path
        if row["ssd_class"] and key not in seen:
            seen.add(key)
            total += target.capacity_bytes / GIB
    method = (
        f"sum of the sizes (÷ 1024³) of tested disks writing ≥ {SSD_CLASS_MIN_DWS_MIB_S:.0f} "
        "MiB/s, each disk counted once"
    )
    if not measured:
        return Measurement("ssd", "SSD capacity", None, "GiB", method, error="no disk measured")
    return Measurement(
        "ssd", "SSD capacity", round(total, 2), "GiB", method, details={"disks": per_disk}
    )

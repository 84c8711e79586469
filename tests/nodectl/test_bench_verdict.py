"""Verdict at every tier boundary, the strict highest-tier rule, margins and hints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from flux.tiers import SOURCES, TIERS, TierSpec, tier_by_name
from nodectl.bench.models import Outcome, SystemProbe, Verdict
from nodectl.bench.probes import normalise_arch
from nodectl.bench.verdict import VerdictInputs, evaluate

GIB = 1024**3

# A machine that clears every STRATUS requirement by a little.
STRATUS_BOX = VerdictInputs(
    threads=16,
    cores=8,
    ram_gib=61,
    arch="amd64",
    eps_single=95.0,  # × 16 = 1520
    dws_mib_s=400.0,
    ssd_gib=880.0,
    download_mbit=100.0,
    upload_mbit=100.0,
)


def outcome(data: VerdictInputs, tier: str, requirement: str) -> Outcome:
    verdict = evaluate(data)
    for check in verdict.tier(tier).checks:
        if check.requirement == requirement:
            return check.outcome
    raise AssertionError(f"{tier} has no {requirement} check")


def test_table_matches_the_spec() -> None:
    # docs/node-ops.md, copied by hand so a wrong edit of tiers.py fails here.
    rows = [
        (
            t.name,
            t.collateral_flux,
            t.min_threads,
            t.min_cores,
            t.min_ram_gib,
            t.min_ssd_gib,
            t.min_eps,
            t.eps_threads,
            t.min_dws_mib_s,
            t.min_bandwidth_mbit,
        )
        for t in TIERS
    ]
    assert rows == [
        ("CUMULUS", 1000, 4, 2, 7, 220, 240.0, 4, 180.0, 25.0),
        ("NIMBUS", 12500, 8, 4, 30, 440, 640.0, 8, 180.0, 50.0),
        ("STRATUS", 40000, 16, 8, 61, 880, 1520.0, 16, 400.0, 100.0),
    ]
    assert tier_by_name("stratus").architectures == frozenset({"amd64"})
    assert set(SOURCES) >= {"threads", "cores", "ram", "ssd", "eps", "dws", "arch", "bandwidth"}


def test_stratus_box_passes_everything() -> None:
    verdict = evaluate(STRATUS_BOX)
    assert [v.outcome for v in verdict.tiers] == [Outcome.PASS] * 3
    assert verdict.best_tier == "STRATUS"
    assert verdict.hints == ()


# (field, tier, passing value, failing value) at each threshold. EPS values are single-thread
# figures: the verdict multiplies them by the tier's thread count (4/8/16).
BOUNDARIES = [
    ("threads", "CUMULUS", 4, 3),
    ("threads", "NIMBUS", 8, 7),
    ("threads", "STRATUS", 16, 15),
    ("cores", "CUMULUS", 2, 1),
    ("cores", "NIMBUS", 4, 3),
    ("cores", "STRATUS", 8, 7),
    ("ram_gib", "CUMULUS", 7, 6),
    ("ram_gib", "NIMBUS", 30, 29),
    ("ram_gib", "STRATUS", 61, 60),
    ("ssd_gib", "CUMULUS", 220.0, 219.9),
    ("ssd_gib", "NIMBUS", 440.0, 439.9),
    ("ssd_gib", "STRATUS", 880.0, 879.9),
    ("eps_single", "CUMULUS", 240 / 4, 239.9 / 4),
    ("eps_single", "NIMBUS", 640 / 8, 639.9 / 8),
    ("eps_single", "STRATUS", 1520 / 16, 1519.9 / 16),
    ("dws_mib_s", "CUMULUS", 180.0, 179.9),
    ("dws_mib_s", "NIMBUS", 180.0, 179.9),
    ("dws_mib_s", "STRATUS", 400.0, 399.9),
    ("download_mbit", "CUMULUS", 25.0, 24.9),
    ("download_mbit", "NIMBUS", 50.0, 49.9),
    ("download_mbit", "STRATUS", 100.0, 99.9),
    ("upload_mbit", "CUMULUS", 25.0, 24.9),
    ("upload_mbit", "NIMBUS", 50.0, 49.9),
    ("upload_mbit", "STRATUS", 100.0, 99.9),
]
REQUIREMENT_OF = {
    "threads": "threads",
    "cores": "cores",
    "ram_gib": "ram",
    "ssd_gib": "ssd",
    "eps_single": "eps",
    "dws_mib_s": "dws",
    "download_mbit": "download",
    "upload_mbit": "upload",
}


def kw(field: str, value: float) -> dict[str, Any]:
    return {field: value}


MINIMUM_OF: dict[str, Callable[[TierSpec], float]] = {
    "threads": lambda t: t.min_threads,
    "cores": lambda t: t.min_cores,
    "ram_gib": lambda t: t.min_ram_gib,
    "ssd_gib": lambda t: t.min_ssd_gib,
    "eps_single": lambda t: t.min_eps / t.eps_threads,
    "dws_mib_s": lambda t: t.min_dws_mib_s,
    "download_mbit": lambda t: t.min_bandwidth_mbit,
    "upload_mbit": lambda t: t.min_bandwidth_mbit,
}


@pytest.mark.parametrize(("field", "tier", "ok", "bad"), BOUNDARIES)
def test_boundary(field: str, tier: str, ok: float, bad: float) -> None:
    requirement = REQUIREMENT_OF[field]
    assert outcome(replace(STRATUS_BOX, **kw(field, ok)), tier, requirement) is Outcome.PASS
    assert outcome(replace(STRATUS_BOX, **kw(field, bad)), tier, requirement) is Outcome.FAIL


@pytest.mark.parametrize(("field", "tier", "ok", "bad"), BOUNDARIES)
def test_boundary_decides_the_best_tier(field: str, tier: str, ok: float, bad: float) -> None:
    """Just below a tier's threshold the verdict drops to the tier below (strict rule)."""
    names = [t.name for t in TIERS]
    # Start from a box that sits exactly on this tier's thresholds, so it is the best tier.
    at_tier = {
        "CUMULUS": VerdictInputs(4, 2, 7, "amd64", 60.0, 180.0, 220.0, 25.0, 25.0),
        "NIMBUS": VerdictInputs(8, 4, 30, "amd64", 80.0, 180.0, 440.0, 50.0, 50.0),
        "STRATUS": STRATUS_BOX,
    }[tier]
    assert evaluate(replace(at_tier, **kw(field, ok))).best_tier == tier
    # The next tier down wins unless it shares the threshold (DWS 180 for CUMULUS and NIMBUS).
    lower = [t for t in TIERS[: names.index(tier)] if bad >= MINIMUM_OF[field](t)]
    expected = lower[-1].name if lower else None
    assert evaluate(replace(at_tier, **kw(field, bad))).best_tier == expected


def test_architecture_only_limits_stratus() -> None:
    arm = replace(STRATUS_BOX, arch="arm64")
    verdict = evaluate(arm)
    assert verdict.best_tier == "NIMBUS"
    arch_check = next(c for c in verdict.tier("STRATUS").checks if c.requirement == "arch")
    assert arch_check.outcome is Outcome.FAIL
    assert arch_check.hint == "Stratus needs amd64; this machine is arm64."
    assert all(c.requirement != "arch" for c in verdict.tier("NIMBUS").checks)


def test_strict_rule_downgrades_where_the_replica_does_not() -> None:
    # Stratus hardware but 80 EPS per thread: 80 × 16 = 1280 < 1520, 80 × 8 = 640 ≥ 640.
    # The replica keeps STRATUS here (missing else-branch); the strict rule says NIMBUS.
    verdict = evaluate(replace(STRATUS_BOX, eps_single=80.0))
    assert verdict.best_tier == "NIMBUS"
    assert verdict.tier("STRATUS").outcome is Outcome.FAIL
    assert any("1520 CPU events/s" in h for h in verdict.hints)


def test_nothing_passes() -> None:
    tiny = VerdictInputs(2, 1, 4, "amd64", 50.0, 100.0, 0.0, 10.0, 5.0)
    verdict = evaluate(tiny)
    assert verdict.best_tier is None
    assert verdict.provisional_tier is None
    joined = " ".join(verdict.hints)
    # Hints aim at the first tier and carry the figures a person needs.
    assert "Cumulus needs 4 CPU threads; this machine has 2." in joined
    assert "add at least 3 GiB" in joined
    assert "does not count as SSD" in joined


def test_unmeasured_items_are_unknown_not_failed() -> None:
    offline = replace(STRATUS_BOX, download_mbit=None, upload_mbit=None)
    verdict = evaluate(offline)
    assert verdict.best_tier is None
    assert verdict.provisional_tier == "STRATUS"
    assert {v.outcome for v in verdict.tiers} == {Outcome.UNKNOWN}
    assert any("Not measured" in h and "Download" in h for h in verdict.hints)


def test_margins_are_actual_minus_required() -> None:
    verdict = evaluate(replace(STRATUS_BOX, eps_single=100.0, ram_gib=64))
    eps = next(c for c in verdict.tier("CUMULUS").checks if c.requirement == "eps")
    assert eps.actual == pytest.approx(400.0)
    assert eps.margin == pytest.approx(160.0)
    assert eps.margin_pct == pytest.approx(100.0 * 160 / 240)
    ram = next(c for c in verdict.tier("NIMBUS").checks if c.requirement == "ram")
    assert ram.margin == 34


def test_missing_avx_on_amd64_gets_a_hint() -> None:
    assert any("AVX" in h for h in evaluate(replace(STRATUS_BOX, avx=False)).hints)
    assert not any(
        "AVX" in h for h in evaluate(replace(STRATUS_BOX, arch="arm64", avx=False)).hints
    )


def test_verdict_round_trips_through_json() -> None:
    verdict = evaluate(replace(STRATUS_BOX, eps_single=70.0, upload_mbit=None))
    again = Verdict.from_dict(verdict.to_dict())
    assert again == verdict
    assert verdict.to_dict()["estimate"] is True


@pytest.mark.parametrize(
    ("gib", "expected"),
    # printf "%.0f" rounds half to even, like the replica's `free -b` conversion.
    [(29.49, 29), (29.5, 30), (30.0, 30), (30.5, 30), (60.51, 61), (6.5, 6), (7.5, 8)],
)
def test_ram_is_rounded_like_the_replica(gib: float, expected: int) -> None:
    probe = SystemProbe(4, 2, int(gib * GIB), "x86_64", "amd64", "", True, "", "", "", (), ())
    assert probe.ram_gib == expected


@pytest.mark.parametrize(
    ("machine", "arch"),
    [("x86_64", "amd64"), ("AMD64", "amd64"), ("aarch64", "arm64"), ("riscv64", "riscv64")],
)
def test_architecture_names(machine: str, arch: str) -> None:
    assert normalise_arch(machine) == arch

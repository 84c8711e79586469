"""Run history: save/load, latest, damaged files, compare, export JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from nodectl.bench.errors import HistoryError
from nodectl.bench.history import BenchHistory, compare, csv_text, export_csv, export_json
from nodectl.bench.models import BenchReport, Measurement, SystemProbe
from nodectl.bench.verdict import VerdictInputs, evaluate

PROBE = SystemProbe(
    8, 4, 32 * 1024**3, "x86_64", "amd64", "Test CPU", True, "Debian 12", "debian", "12", (), ()
)


def make_report(
    started: str, eps: float, dws: float | None = 450.0, quick: bool = False
) -> BenchReport:
    measurements = (
        Measurement("eps_single", "CPU events/s, one thread", eps, "events/s", "sysbench ..."),
        Measurement(
            "dws",
            "Disk write speed",
            dws,
            "MiB/s",
            "dd-like",
            error=None if dws is not None else "disk full",
        ),
    )
    verdict = evaluate(VerdictInputs(8, 4, 32, "amd64", eps, dws, 500.0, 100.0, 100.0))
    return BenchReport(started, started, quick, PROBE, measurements, verdict, ("w",), None)


def test_save_load_round_trip(tmp_path: Path) -> None:
    history = BenchHistory(tmp_path)
    report = make_report("2026-11-24T01:00:00.000001+00:00", 85.0)
    path = history.save(report)
    assert path.parent == tmp_path / "bench" / "runs"
    assert history.run_ids() == ["20261124T010000000001Z"]
    assert history.load(report.run_id) == report
    assert not list(path.parent.glob(".*"))  # no temp files left behind


def test_latest_and_ordering(tmp_path: Path) -> None:
    history = BenchHistory(tmp_path)
    assert history.latest() is None
    for hour, eps in ((3, 90.0), (1, 70.0), (2, 80.0)):
        history.save(make_report(f"2026-11-24T0{hour}:00:00.000000+00:00", eps))
    latest = history.latest()
    assert latest is not None and latest.measurement("eps_single").value == 90.0  # type: ignore[union-attr]
    assert [r.measurement("eps_single").value for r in history.load_all()] == [70.0, 80.0, 90.0]  # type: ignore[union-attr]


def test_damaged_files_are_skipped_not_fatal(tmp_path: Path) -> None:
    history = BenchHistory(tmp_path)
    good = make_report("2026-11-24T01:00:00.000000+00:00", 85.0)
    history.save(good)
    (history.directory / "20261124T020000000000Z.json").write_text("{not json")
    (history.directory / "20261124T030000000000Z.json").write_text(json.dumps({"format": "other"}))
    (history.directory / "20261124T040000000000Z.json").write_text(
        json.dumps({"format": "fluxdesk.bench/1", "started_at": "x"})
    )
    assert history.latest() == good
    assert history.load_all() == [good]
    with pytest.raises(HistoryError, match="cannot be read"):
        history.load("20261124T020000000000Z")
    with pytest.raises(HistoryError, match="damaged or incomplete"):
        history.load("20261124T040000000000Z")
    with pytest.raises(HistoryError, match="No saved benchmark run"):
        history.load("20990101T000000000000Z")


@pytest.mark.parametrize("bad", ["", "../settings", "a/b", "-x", "x.json"])
def test_run_ids_cannot_escape_the_directory(tmp_path: Path, bad: str) -> None:
    with pytest.raises(HistoryError, match="not a benchmark run id"):
        BenchHistory(tmp_path).path_for(bad)


def test_delete(tmp_path: Path) -> None:
    history = BenchHistory(tmp_path)
    report = make_report("2026-11-24T01:00:00.000000+00:00", 85.0)
    history.save(report)
    history.delete(report.run_id)
    history.delete(report.run_id)
    assert history.run_ids() == []


def test_compare() -> None:
    old = make_report("2026-11-24T01:00:00.000000+00:00", 80.0, dws=400.0)
    new = make_report("2026-11-24T02:00:00.000000+00:00", 88.0, dws=None)
    new = replace(
        new,
        measurements=(
            *new.measurements,
            Measurement("upload", "Upload", 40.0, "Mbit/s", "HTTP POST"),
        ),
    )
    deltas = {d.key: d for d in compare(old, new)}
    assert deltas["eps_single"].change == pytest.approx(8.0)
    assert deltas["eps_single"].change_pct == pytest.approx(10.0)
    assert deltas["dws"].old == 400.0 and deltas["dws"].new is None
    assert deltas["dws"].change is None and deltas["dws"].change_pct is None
    assert deltas["upload"].old is None and deltas["upload"].new == 40.0


def test_export_json_and_csv(tmp_path: Path) -> None:
    reports = [
        make_report("2026-11-24T01:00:00.000000+00:00", 80.0),
        make_report("2026-11-24T02:00:00.000000+00:00", 60.5, dws=None, quick=True),
    ]
    export_json(reports, tmp_path / "runs.json")
    docs = json.loads((tmp_path / "runs.json").read_text())
    assert [BenchReport.from_dict(d) for d in docs] == reports
    export_csv(reports, tmp_path / "runs.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "runs.csv").read_text())))
    assert rows[0]["eps_single"] == "80.00" and rows[0]["mode"] == "full"
    assert rows[1]["dws"] == "" and rows[1]["mode"] == "quick"
    assert rows[0]["best_tier"] == "NIMBUS"
    assert csv_text([]).splitlines()[0].startswith("run_id,started_at,mode,best_tier,eps_single")

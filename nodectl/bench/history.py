"""Benchmark runs kept as JSON files in the data directory; compare and export them.

Files are written atomically (temp file, fsync, replace) so a crash never leaves half a run.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flux.fileio import atomic_write_text
from nodectl.bench.errors import HistoryError
from nodectl.bench.models import BenchReport

log = logging.getLogger(__name__)

RUNS_DIR = Path("bench") / "runs"
CSV_KEYS = ("eps_single", "eps_all", "dws", "download", "upload", "latency")


@dataclass(frozen=True)
class Delta:
    key: str
    label: str
    unit: str
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.old:
            return None
        return 100.0 * self.change / self.old


def compare(old: BenchReport, new: BenchReport) -> list[Delta]:
    """Per-measurement change from ``old`` to ``new`` (keys present in either run)."""
    keys = list(
        dict.fromkeys([m.key for m in old.measurements] + [m.key for m in new.measurements])
    )
    deltas = []
    for key in keys:
        before, after = old.measurement(key), new.measurement(key)
        shown = after or before
        assert shown is not None
        deltas.append(
            Delta(
                key=key,
                label=shown.label,
                unit=shown.unit,
                old=before.value if before else None,
                new=after.value if after else None,
            )
        )
    return deltas


class BenchHistory:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / RUNS_DIR

    def path_for(self, run_id: str) -> Path:
        if not run_id or any(c in run_id for c in "/\\.") or run_id.startswith("-"):
            raise HistoryError(f"{run_id!r} is not a benchmark run id.")
        return self.directory / f"{run_id}.json"

    def save(self, report: BenchReport) -> Path:
        path = self.path_for(report.run_id)
        try:
            atomic_write_text(path, json.dumps(report.to_dict(), indent=2))
        except OSError as exc:
            raise HistoryError(
                f"Could not save the benchmark run in {path.parent}: {exc}."
            ) from exc
        return path

    def run_ids(self) -> list[str]:
        """Saved runs, oldest first (ids sort by start time)."""
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json") if not p.name.startswith("."))

    def load(self, run_id: str) -> BenchReport:
        path = self.path_for(run_id)
        try:
            doc: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise HistoryError(f"No saved benchmark run {run_id}.") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HistoryError(f"Saved benchmark run {path.name} cannot be read: {exc}.") from exc
        if not isinstance(doc, dict):
            raise HistoryError(f"Saved benchmark run {path.name} is not a JSON object.")
        return BenchReport.from_dict(doc)

    def load_all(self) -> list[BenchReport]:
        """Every readable run, oldest first; damaged files are skipped and logged, not fatal."""
        reports = []
        for run_id in self.run_ids():
            try:
                reports.append(self.load(run_id))
            except HistoryError as exc:
                log.warning("skipping benchmark run %s: %s", run_id, exc)
        return reports

    def latest(self) -> BenchReport | None:
        for run_id in reversed(self.run_ids()):
            try:
                return self.load(run_id)
            except HistoryError as exc:
                log.warning("skipping benchmark run %s: %s", run_id, exc)
        return None

    def delete(self, run_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(run_id).unlink()


def export_json(reports: Sequence[BenchReport], path: Path) -> None:
    atomic_write_text(path, json.dumps([r.to_dict() for r in reports], indent=2))


def csv_text(reports: Iterable[BenchReport]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["run_id", "started_at", "mode", "best_tier", *CSV_KEYS])
    for report in reports:
        values = []
        for key in CSV_KEYS:
            item = report.measurement(key)
            values.append("" if item is None or item.value is None else f"{item.value:.2f}")
        writer.writerow(
            [
                report.run_id,
                report.started_at,
                "quick" if report.quick else "full",
                report.verdict.best_tier or "",
                *values,
            ]
        )
    return buffer.getvalue()


def export_csv(reports: Sequence[BenchReport], path: Path) -> None:
    atomic_write_text(path, csv_text(reports))

"""`make bench`'s start-up section: both windows measured in one run, with deltas and targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_startup_bench_reports_app_and_bare_window_side_by_side() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.startup", "--runs", "1", "--idle", "0.2", "--offscreen"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])["startup"]
    assert report["display"] == "offscreen" and report["runs"] == 1
    for name in ("bare", "source"):
        figures = report[name]
        assert 0 < figures["first_paint_median_s"] < 60
        assert 20 < figures["idle_rss_median_mb"] < 2000
        assert len(figures["first_paint_runs_s"]) == len(figures["idle_rss_runs_mb"]) == 1
    delta = report["delta"]
    assert delta["first_paint_delta_s"] == pytest.approx(
        report["source"]["first_paint_median_s"] - report["bare"]["first_paint_median_s"],
        abs=1e-3)
    assert delta["idle_rss_delta_mb"] == pytest.approx(
        report["source"]["idle_rss_median_mb"] - report["bare"]["idle_rss_median_mb"], abs=0.2)
    assert delta["first_paint_ok"] == (delta["first_paint_delta_s"] <= delta["first_paint_target_s"])
    assert delta["idle_rss_ok"] == (delta["idle_rss_delta_mb"] <= delta["idle_rss_target_mb"])

"""Cold start to first painted main window (median of 5) and resident memory at idle."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 5
IDLE_SECONDS = 3.0


def probe_once(data_dir: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.time()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.main",
            "--data-dir",
            data_dir,
            "--startup-probe",
            str(IDLE_SECONDS),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "first_paint_s": round(report["painted_at"] - started, 4),
        "idle_rss_mb": report["idle_rss_mb"],
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        runs = [probe_once(data_dir) for _ in range(RUNS)]
    paint = [r["first_paint_s"] for r in runs]
    rss = [r["idle_rss_mb"] for r in runs]
    print(
        json.dumps(
            {
                "startup": {
                    "method": f"process start to first paint of the main window, {RUNS} runs, "
                    f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}",
                    "first_paint_median_s": statistics.median(paint),
                    "first_paint_runs_s": paint,
                    "idle_rss_median_mb": statistics.median(rss),
                    "idle_after_s": IDLE_SECONDS,
                }
            }
        )
    )


if __name__ == "__main__":
    main()

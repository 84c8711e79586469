"""Cold start to first painted main window (median of 5) and resident memory at idle.

Measured as a user runs it: from source with Python's bytecode cache in place (an install compiles
it; PYTHONDONTWRITEBYTECODE, set on some CI machines, would make every start recompile every
module), and from the frozen bundle when `make bundle` has built one.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 5
IDLE_SECONDS = 3.0
BUNDLE = Path("dist/fluxdesk/fluxdesk")


def probe_once(command: list[str], data_dir: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    result = subprocess.run(
        [*command, "--data-dir", data_dir, "--startup-probe", str(IDLE_SECONDS)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    report: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return {"first_paint_s": round(report["painted_at"] - started, 4),
            "idle_rss_mb": report["idle_rss_mb"]}


def measure(command: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        probe_once(command, data_dir)  # warm-up: writes the bytecode cache, not counted
        runs = [probe_once(command, data_dir) for _ in range(RUNS)]
    paint = [r["first_paint_s"] for r in runs]
    return {
        "first_paint_median_s": statistics.median(paint),
        "first_paint_runs_s": paint,
        "idle_rss_median_mb": statistics.median(r["idle_rss_mb"] for r in runs),
    }


def main() -> None:
    report: dict[str, Any] = {
        "method": f"process start to first paint of the main window, median of {RUNS} runs after "
        f"one warm-up, idle RSS after {IDLE_SECONDS} s, "
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}",
        "source": measure([sys.executable, "-m", "app.main"]),
    }
    if BUNDLE.is_file():
        report["bundle"] = measure([str(BUNDLE)])
    print(json.dumps({"startup": report}))


if __name__ == "__main__":
    main()

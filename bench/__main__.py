"""`make bench`: run every benchmark in its own process and print one JSON document."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from typing import Any

BENCHMARKS: tuple[str, ...] = (
    "bench.startup",
    "bench.package",
    "bench.bench_signing",
    "bench.bench_sync",
    "bench.bench_gui",
    "bench.bench_gui_monitor",
    "bench.bench_accuracy",
)


def main() -> int:
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
            "platform": platform.platform(),
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    failed = []
    for module in BENCHMARKS:
        print(f"running {module} …", file=sys.stderr, flush=True)
        result = subprocess.run(
            [sys.executable, "-m", module], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            failed.append(module)
            report[module] = {"error": result.stderr.strip().splitlines()[-5:]}
            continue
        data = json.loads(result.stdout.strip().splitlines()[-1])
        # A benchmark that names its own section is merged as is; others go under their name.
        if isinstance(data, dict) and len(data) == 1:
            report.update(data)
        else:
            report[module.rsplit(".", 1)[-1]] = data
    print(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

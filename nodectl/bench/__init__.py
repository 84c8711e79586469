"""Hardware benchmark: will this machine pass as a Cumulus, Nimbus or Stratus FluxNode?

Measures what fluxbench measures, the way the official installer's replica does (see
docs/node-ops.md), and judges every tier requirement. The result is an estimate;
the binding verdict is fluxbench on the installed node.
"""

from nodectl.bench.errors import (
    BenchError,
    DiskBenchError,
    DiskFull,
    FluxbenchError,
    HistoryError,
    NetworkBenchError,
    SysbenchFailed,
    SysbenchMissing,
)
from nodectl.bench.history import BenchHistory, compare, export_csv, export_json
from nodectl.bench.models import BenchReport, Check, Measurement, Outcome, SystemProbe, Verdict
from nodectl.bench.network import NetworkEndpoints
from nodectl.bench.runner import (
    STEP_LABELS,
    STEPS,
    BenchOptions,
    BenchRunner,
    ProgressEvent,
    StepState,
    default_disk_path,
    run_benchmark,
)

__all__ = [
    "STEPS",
    "STEP_LABELS",
    "BenchError",
    "BenchHistory",
    "BenchOptions",
    "BenchReport",
    "BenchRunner",
    "Check",
    "DiskBenchError",
    "DiskFull",
    "FluxbenchError",
    "HistoryError",
    "Measurement",
    "NetworkBenchError",
    "NetworkEndpoints",
    "Outcome",
    "ProgressEvent",
    "StepState",
    "SysbenchFailed",
    "SysbenchMissing",
    "SystemProbe",
    "Verdict",
    "compare",
    "default_disk_path",
    "export_csv",
    "export_json",
    "run_benchmark",
]

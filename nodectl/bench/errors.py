"""Typed errors of the benchmark runner.

Each message says what went wrong and what the person can do next; nothing else escapes from
``nodectl.bench`` on purpose.
"""

from __future__ import annotations

SYSBENCH_INSTALL_COMMAND = "sudo apt-get install sysbench"


class BenchError(Exception):
    """Base of every error the benchmark package raises on purpose."""


class SysbenchMissing(BenchError):
    """sysbench is not installed, so there is no CPU figure (we never invent one)."""

    def __init__(self, executable: str = "sysbench") -> None:
        super().__init__(
            f"The CPU test needs the '{executable}' program, which was not found. "
            f"Install it with: {SYSBENCH_INSTALL_COMMAND}"
        )
        self.executable = executable


class SysbenchFailed(BenchError):
    """sysbench ran but exited with an error or printed no 'events per second' figure."""


class DiskBenchError(BenchError):
    """The disk write test could not run (directory missing, not writable, I/O error)."""


class DiskFull(DiskBenchError):
    """Not enough free space for the disk write test, before or during the run."""


class NetworkBenchError(BenchError):
    """No configured endpoint answered, or an answer was unusable."""


class HistoryError(BenchError):
    """A saved benchmark run that cannot be read or written."""


class FluxbenchError(BenchError):
    """fluxbench-cli is installed but did not give a usable answer."""

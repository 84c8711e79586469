"""Named node states for GUI tests, screenshots and the bench: each changes a fresh script."""

from __future__ import annotations

from collections.abc import Callable

from tests.sim.nodeapi.script import MALFORMED, NodeScript


def _bench_failed(s: NodeScript) -> None:
    s.bench_failed("Failed - Minimum specs for CUMULUS not met: EPS too low")


def _dos(s: NodeScript) -> None:
    s.dos()
    s.dos_score, s.dos_message = 100, "Flux ports are not reachable from the network"


def _fluxos_down(s: NodeScript) -> None:
    s.fluxos_up = False
    s.bench_flux = "disconnected"


def _clock_drift(s: NodeScript) -> None:
    s.clock_offset_s, s.clock_source = 12.5, "none"


def _malformed(s: NodeScript) -> None:
    s.faults.update(fluxd=MALFORMED, fluxos=MALFORMED)


STATES: dict[str, Callable[[NodeScript], object]] = {
    "confirmed": lambda s: s.synced().confirmed(),
    "syncing": lambda s: s.syncing(behind=5_000),
    "bench_failed": _bench_failed,
    "dos": _dos,
    "expired": lambda s: s.expired(),
    "fluxos_down": _fluxos_down,
    "clock_drift": _clock_drift,
    "malformed": _malformed,
}


def scripted(state: str) -> NodeScript:
    script = NodeScript()
    STATES[state](script)
    return script

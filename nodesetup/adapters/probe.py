"""The NodeProbe port over nodectl/monitor: one poll, the dashboard's sync figures, fluxbench's
result and the doctor's findings as advice."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from nodectl.monitor.collect import NodeProbe as MonitorProbe
from nodectl.monitor.dashboard import build
from nodectl.monitor.doctor import diagnose
from nodesetup.ports import NodeHealth

ProbeFactory = Callable[[], Awaitable[MonitorProbe]]


class ProbeAdapter:
    """``factory`` builds the monitor's probe when first needed: the node's RPC credentials only
    exist once the installer has written flux.conf."""

    def __init__(self, factory: ProbeFactory) -> None:
        self._factory = factory
        self._probe: MonitorProbe | None = None

    async def health(self, tier: str) -> NodeHealth:
        if self._probe is None:
            self._probe = await self._factory()
        probe = self._probe
        snap = await probe.snapshot()
        context = dataclasses.replace(probe.context, collateral_tier=tier)
        board = build(snap, context)
        findings = diagnose(snap, context)
        bench = snap.bench_status.benchmarking if snap.bench_status else None
        return NodeHealth(
            height=board.sync.height, tip=board.sync.tip, bench=bench,
            fluxos_up=snap.fluxos_version is not None,
            advice=tuple(f"{f.cause} — {f.next_step}" for f in findings))

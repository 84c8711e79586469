"""The monitor loop without a GUI: poll → dashboard → doctor → events → delivery → saved history.

The GUI's MonitorService and ``fluxdesk node status|doctor`` both drive this; it never blocks
the event loop (the clients are async, file writes go to a worker thread). The default interval
is FluxOS's longest reply cache (60 s): polling faster only re-reads cached replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nodectl.monitor.alerts.channels import Channel, deliver, event_alert
from nodectl.monitor.alerts.events import Event, EventTracker, observe
from nodectl.monitor.alerts.store import MonitorStore
from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.dashboard import Dashboard, build
from nodectl.monitor.doctor import Finding, Unchecked, diagnose, unchecked
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.fluxos import CACHE_S
from nodectl.monitor.policy import DEFAULT_POLICY, Policy
from nodectl.monitor.snapshot import Snapshot

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = max(CACHE_S.values())


@dataclass(frozen=True)
class PollResult:
    snapshot: Snapshot
    dashboard: Dashboard
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]
    undelivered: tuple[tuple[str, MonitorError], ...]  # (channel, why) for this poll's events
    # Rules that could not judge this poll (not a pass), with why and what would let them.
    unchecked: tuple[Unchecked, ...] = ()


class NodeWatch:
    def __init__(self, probe: NodeProbe, store: MonitorStore, *, label: str,
                 channels: Sequence[Channel] = (), policy: Policy = DEFAULT_POLICY,
                 tracker: EventTracker | None = None) -> None:
        self.probe = probe
        self.store = store
        self.label = label
        self.channels = list(channels)
        self.policy = policy
        loaded_tracker, probe.ip_history = store.load()
        self.tracker = tracker or loaded_tracker

    async def poll(self) -> PollResult:
        snap = await self.probe.snapshot()
        board = build(snap, self.probe.context, policy=self.policy)
        findings = tuple(diagnose(snap, self.probe.context, self.policy))
        events = tuple(self.tracker.update(observe(board, findings), snap.taken_at))
        undelivered: list[tuple[str, MonitorError]] = []
        for event in events:
            results = await deliver(self.channels, event_alert(event, self.label))
            undelivered += [(name, err) for name, err in results.items() if err is not None]
        try:
            await asyncio.to_thread(self.store.save, self.tracker, self.probe.ip_history)
        except OSError as exc:  # the history is a convenience: monitoring goes on without it
            log.warning("Could not save the monitor history: %s", exc.strerror or exc)
        return PollResult(snap, board, findings, events, tuple(undelivered),
                          tuple(unchecked(snap, self.probe.context)))

    async def run(self, on_result: Callable[[PollResult], None],
                  interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Poll until cancelled; ``on_result`` gets each result (the GUI hands it to its model)."""
        while True:
            on_result(await self.poll())
            await asyncio.sleep(interval_s)

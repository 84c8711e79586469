"""One node the monitor follows: its loop, its log tails (local node only) and its clients."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nodectl.monitor.logs import LogTail
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.watch import NodeWatch

LOCAL_KEY = "local"


@dataclass
class WatchedNode:
    key: str  # "local" or "remote:<address>"
    label: str
    address: str  # FluxOS address shown to the person
    watch: NodeWatch
    logs: Mapping[str, LogTail] = field(default_factory=dict)
    note: str | None = None  # e.g. why fluxd is watched through FluxOS

    @property
    def is_local(self) -> bool:
        return self.key == LOCAL_KEY

    @property
    def context(self) -> NodeContext:
        return self.watch.probe.context

    async def close(self) -> None:
        probe = self.watch.probe
        for client in (probe.fluxd, probe.fluxos):
            if client is not None:
                await client.close()

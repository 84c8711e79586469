"""One poll of a node: ask every source at once, keep what answered, note what did not.

``NodeProbe`` is the only stateful part of the core: it remembers when the height last moved and
the public IP history, which one snapshot cannot tell. Sources it was not given are skipped
(a remote node has no local fluxd, systemd or logs).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from nodectl.monitor import snapshot as src
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.fluxbench import FluxbenchCli
from nodectl.monitor.fluxd import FluxdApi
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.ipwatch import IpHistory
from nodectl.monitor.logs import LogTail, last_bench_failure
from nodectl.monitor.metrics import Metrics, read_metrics
from nodectl.monitor.runner import CommandRunner
from nodectl.monitor.services import (
    DOCKER_UNIT,
    FLUXD_UNIT,
    MONGOD_UNIT,
    pm2_processes,
    unit_states,
)
from nodectl.monitor.snapshot import NodeContext, Snapshot

T = TypeVar("T")
C = TypeVar("C")
LOCAL_UNITS = (FLUXD_UNIT, MONGOD_UNIT, DOCKER_UNIT)
ARCANE_UNITS = (*LOCAL_UNITS, "flux-watchdog")


@dataclass
class NodeProbe:
    context: NodeContext
    fluxd: FluxdApi | None = None
    fluxos: FluxosApi | None = None
    bench: FluxbenchCli | None = None
    runner: CommandRunner | None = None  # systemctl / pm2 (local node only)
    bench_log: LogTail | None = None
    network_tip: Callable[[], Awaitable[int | None]] | None = None
    clock: Callable[[], float] = time.time
    metrics_reader: Callable[[Sequence[str]], Metrics] = read_metrics
    ip_history: IpHistory = field(default_factory=IpHistory)
    _height: int | None = None
    _height_since: float | None = None

    async def snapshot(self) -> Snapshot:
        errors: dict[str, MonitorError] = {}
        now = self.clock()

        async def ask(source: str, call: Awaitable[T]) -> T | None:
            try:
                return await call
            except MonitorError as exc:
                errors.setdefault(source, exc)
                return None

        async def on(client: C | None, source: str,
                     call: Callable[[C], Awaitable[T]]) -> T | None:
            return None if client is None else await ask(source, call(client))

        fluxd, fluxos, bench_cli = self.fluxd, self.fluxos, self.bench
        chain, node, bench_status, bench, bench_version = await asyncio.gather(
            on(fluxd, src.FLUXD, lambda c: c.getblockchaininfo()),
            on(fluxd, src.FLUXD, lambda c: c.getfluxnodestatus()),
            on(bench_cli, src.FLUXBENCH, lambda c: c.status()),
            on(bench_cli, src.FLUXBENCH, lambda c: c.benchmarks()),
            on(bench_cli, src.FLUXBENCH, lambda c: c.version()),
        )
        if fluxd is None and fluxos is not None:  # a remote node: all through FluxOS
            chain, node, bench_status, bench, bench_version = await asyncio.gather(
                on(fluxos, src.FLUXOS, lambda c: c.blockchaininfo()),
                on(fluxos, src.FLUXOS, lambda c: c.fluxnode_status()),
                on(fluxos, src.FLUXOS, lambda c: c.bench_status()),
                on(fluxos, src.FLUXOS, lambda c: c.benchmarks()),
                on(fluxos, src.FLUXOS, lambda c: c.bench_version()),
            )
        version, drift, dos, ip, owner, refusal = await asyncio.gather(
            on(fluxos, src.FLUXOS, lambda c: c.version()),
            on(fluxos, src.FLUXOS, lambda c: c.clock_drift()),
            on(fluxos, src.FLUXOS, lambda c: c.dos_state()),
            on(fluxos, src.FLUXOS, lambda c: c.public_ip()),
            on(fluxos, src.FLUXOS, lambda c: c.owner_flux_id()),
            on(fluxos, src.FLUXOS, lambda c: c.login_refusal()),
        )
        entry = None
        if node is not None and node.status == "CONFIRMED" and node.txhash and node.outidx:
            txid, outidx = node.txhash, node.outidx
            entry = (await ask(src.FLUXD, fluxd.list_entry(txid, outidx)) if fluxd is not None
                     else await on(fluxos, src.FLUXOS, lambda c: c.list_entry(txid, outidx)))
        tip = await ask(src.NETWORK, self.network_tip()) if self.network_tip else None
        units, pm2 = {}, None
        if self.runner is not None:
            names: Sequence[str] = ARCANE_UNITS if self.context.arcane else LOCAL_UNITS
            units = await ask(src.SYSTEMD, unit_states(self.runner, names)) or {}
            if not self.context.arcane:
                pm2 = await ask(src.PM2, pm2_processes(self.runner))
        failure = None
        if self.bench_log is not None:
            fresh = await ask(src.LOGS, asyncio.to_thread(self.bench_log.read_new))
            if fresh is not None:
                failure = last_bench_failure(x.text for x in self.bench_log.lines)
        metrics = None
        if self.runner is not None:
            try:
                metrics = await asyncio.to_thread(self.metrics_reader, [self.context.data_path])
            except OSError as exc:
                errors[src.METRICS] = MonitorError(
                    f"System figures unavailable ({exc.strerror or exc}).",
                    "Check the node's data folder in the settings.")
        public_ip = ip or (bench.ip if bench else None)
        if public_ip:
            self.ip_history.observe(public_ip, now)
        if chain is not None and chain.blocks != self._height:
            self._height, self._height_since = chain.blocks, now
        return Snapshot(
            taken_at=now, chain=chain, network_tip=tip,
            height_since=self._height_since if chain is not None else None,
            node=node, list_entry=entry, bench_status=bench_status, bench=bench,
            bench_failure_log=failure, bench_version=bench_version, fluxos_version=version,
            clock=drift, dos=dos, public_ip=public_ip,
            ip_changes=self.ip_history.recent(now), owner_flux_id=owner, login_refusal=refusal,
            units=units, pm2=pm2, metrics=metrics, errors=errors,
        )


"""The NodeProbe port over nodectl/monitor: one poll, the dashboard's sync figures, fluxbench's
result and the doctor's findings as advice."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from nodectl.monitor.collect import NodeProbe as MonitorProbe
from nodectl.monitor.dashboard import build
from nodectl.monitor.doctor import diagnose
from nodectl.monitor.fluxbench import FluxbenchCli
from nodectl.monitor.fluxd import RpcFluxd
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.runner import ProcessRunner
from nodectl.monitor.snapshot import NodeContext
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


class LocalNode:
    """Builds the monitor's probe for the node on this machine from its flux.conf, and closes
    its clients afterwards."""

    def __init__(self, read_conf: Callable[[], Awaitable[dict[str, str] | None]],
                 network_tip: Callable[[], Awaitable[int | None]] | None = None,
                 fluxos_url: str = "http://127.0.0.1:16127") -> None:
        self._read_conf = read_conf
        self._network_tip = network_tip
        self._fluxos_url = fluxos_url
        self._clients: list[RpcFluxd | FluxosApi] = []

    async def probe(self) -> MonitorProbe:
        conf = await self._read_conf() or {}
        fluxos = FluxosApi(self._fluxos_url)
        self._clients.append(fluxos)
        fluxd = None
        if conf.get("rpcuser") and conf.get("rpcpassword"):
            port = conf.get("rpcport", "16124")
            fluxd = RpcFluxd(f"http://127.0.0.1:{port}", conf["rpcuser"], conf["rpcpassword"])
            self._clients.append(fluxd)
        runner = ProcessRunner()
        return MonitorProbe(NodeContext(), fluxd=fluxd, fluxos=fluxos,
                            bench=FluxbenchCli(runner), runner=runner,
                            network_tip=self._network_tip)

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
        self._clients.clear()

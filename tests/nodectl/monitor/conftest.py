"""A simulated node (fluxd, FluxOS, fluxbench on 127.0.0.1) and clients pointed at it."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio

from nodectl.monitor.fluxbench import FluxbenchCli
from nodectl.monitor.fluxd import RpcFluxd
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.runner import ProcessRunner
from tests.sim.nodeapi import servers
from tests.sim.nodeapi.harness import fake_fluxbench_cli, serve
from tests.sim.nodeapi.script import NodeScript


@dataclass
class SimNode:
    script: NodeScript
    fluxd: RpcFluxd
    fluxos: FluxosApi
    bench: FluxbenchCli
    fluxos_hits: Counter[str]
    fluxd_url: str
    fluxos_url: str


@pytest_asyncio.fixture
async def node(tmp_path: Path) -> AsyncIterator[SimNode]:
    script = NodeScript()
    hits: Counter[str] = Counter()
    async with (
        serve(servers.fluxd_app(script)) as fluxd_url,
        serve(servers.fluxos_app(script, hits)) as fluxos_url,
        serve(servers.fluxbench_app(script)) as bench_url,
    ):
        cli = fake_fluxbench_cli(tmp_path, bench_url, servers.BENCH_USER, servers.BENCH_PASSWORD)
        sim = SimNode(
            script,
            RpcFluxd(fluxd_url, servers.RPC_USER, servers.RPC_PASSWORD, timeout=1.0),
            FluxosApi(fluxos_url, timeout=1.0),
            FluxbenchCli(ProcessRunner(), str(cli), timeout=10.0),
            hits,
            fluxd_url,
            fluxos_url,
        )
        try:
            yield sim
        finally:
            await sim.fluxd.close()
            await sim.fluxos.close()

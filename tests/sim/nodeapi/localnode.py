"""A whole simulated node on this machine, laid out as the installer leaves it: a home with
``.flux/flux.conf`` (pointing at the simulated fluxd), fluxbench's log, and ``fluxbench-cli``,
``systemctl`` and ``pm2`` stand-ins on PATH. The CLI finds it through HOME and PATH like a real
one; FluxOS's port is the one setting the test writes (the real one is 16127)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.sim.nodeapi import servers
from tests.sim.nodeapi.harness import fake_fluxbench_cli, serve
from tests.sim.nodeapi.host import ScriptedHost, fake_host_tools, flux_process, official_watchdog
from tests.sim.nodeapi.script import NodeScript


@dataclass
class LocalSimNode:
    script: NodeScript
    home: Path
    tools: Path
    data_dir: Path
    fluxd_url: str
    fluxos_url: str
    host: ScriptedHost = field(default_factory=ScriptedHost)
    fluxos_hits: Counter[str] = field(default_factory=Counter)

    @property
    def fluxos_address(self) -> str:
        return self.fluxos_url.removeprefix("http://")

    @property
    def watchdog_dir(self) -> str:
        return str(self.home / "watchdog")

    @property
    def env(self) -> dict[str, str]:
        """For a child process: this home, the stand-ins first on PATH."""
        return {"HOME": str(self.home), "PATH": f"{self.tools}{os.pathsep}{os.environ['PATH']}",
                "FLUXD_CONFIG_PATH": "", "FLUXD_DATADIR": ""}

    def sync_host(self) -> None:
        """Write ``host``'s state where the systemctl/pm2 stand-ins read it."""
        fake_host_tools(self.tools, self.host)

    def seed_logs(self) -> None:
        """fluxd's and fluxbench's logs as the node writes them (a failed benchmark logs why)."""
        failed = self.script.benchmarking.lower() == "failed"
        (self.home / ".fluxbenchmark" / "debug.log").write_text(
            "2026-12-05 07:58:01 Benchmark started\n" + (
                f"2026-12-05 07:59:12 ---{self.script.bench_error}\n" if failed else
                f"2026-12-05 07:59:12 Benchmark passed {self.script.benchmarking}\n"))
        (self.home / ".flux" / "debug.log").write_text("".join(
            f"2026-12-05 08:{m:02d}:00 UpdateTip: new best height={self.script.height - 9 + m}\n"
            for m in range(10)))

    def write_settings(self, **monitor: object) -> None:
        doc = {"schema_version": 2, "extra": {"node_monitor": {
            "local_api": self.fluxos_address, **monitor}}}
        (self.data_dir / "settings.json").write_text(json.dumps(doc))


@asynccontextmanager
async def local_node(root: Path, script: NodeScript | None = None) -> AsyncIterator[LocalSimNode]:
    script = script or NodeScript()
    hits: Counter[str] = Counter()
    async with (
        serve(servers.fluxd_app(script)) as fluxd_url,
        serve(servers.fluxos_app(script, hits)) as fluxos_url,
        serve(servers.fluxbench_app(script)) as bench_url,
    ):
        home, tools, data_dir = root / "home", root / "tools", root / "data"
        for folder in (home / ".flux", home / ".fluxbenchmark", home / "watchdog", tools,
                       data_dir):
            folder.mkdir(parents=True, exist_ok=True)
        port = fluxd_url.rsplit(":", 1)[1]
        (home / ".flux" / "flux.conf").write_text(
            f"rpcuser={servers.RPC_USER}\nrpcpassword={servers.RPC_PASSWORD}\n"
            f"rpcallowip=127.0.0.1\nrpcport={port}\nzelnode=1\n")
        fake_fluxbench_cli(tools, bench_url, servers.BENCH_USER, servers.BENCH_PASSWORD)
        node = LocalSimNode(script, home, tools, data_dir, fluxd_url, fluxos_url,
                            fluxos_hits=hits)
        node.host.pm2 = [flux_process(), official_watchdog(node.watchdog_dir)]
        node.sync_host()
        node.seed_logs()
        node.write_settings()
        yield node

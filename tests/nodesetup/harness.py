"""The one-click setup against real parts: tests/sim (chain, Insight, fluxnodes), the simulated
node's fluxd/FluxOS/fluxbench (tests/sim/nodeapi), a SandboxHost install with a local bootstrap
server, the benchmark with a fake sysbench, and a WalletService with its encrypted file.

``World`` plays time: each time the flow waits, blocks are mined and the node catches up, as
they would while a person waits. Every flow can be rebuilt from the files alone (``fresh``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from app.setup_wiring import Setup
from flux.money import COIN
from nodectl.bench.runner import BenchOptions
from nodectl.install.bootstrap import Downloader
from nodectl.install.sandbox import SandboxHost, sandbox_key_source
from nodectl.install.session import InstallSession
from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.fluxd import RpcFluxd
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.snapshot import NodeContext
from nodesetup.adapters.bench import BenchAdapter
from nodesetup.adapters.installer import InstallerAdapter
from nodesetup.adapters.probe import ProbeAdapter
from nodesetup.adapters.wallet import WalletAdapter
from nodesetup.flow import SetupFlow
from nodesetup.model import StepId, StepView
from nodesetup.ports import CollateralOffer, Ports
from nodesetup.store import SetupStore
from tests.nodectl.bench_helpers import fake_sysbench
from tests.nodectl.install.conftest import BootstrapServer, make_bootstrap
from tests.nodectl.monitor.conftest import SimNode
from tests.nodectl.test_bench_runner import TINY
from tests.sim import SimNetwork
from tests.sim.fluxnodes import FluxnodeModel
from tests.sim.nodeapi import servers
from tests.wallet.test_wallet_sim import FAST_RETRY, MNEMONIC, PASSWORD
from wallet.backends.insight import InsightBackend
from wallet.keys import PrivateKey
from wallet.nodes.client import NodeListsClient
from wallet.nodes.manager import NodeManager
from wallet.service import WalletService
from wallet.storage.crypto import KdfParams
from wallet.storage.store import WalletStore

CONF = "/home/fluxnode/.flux/flux.conf"


@dataclass
class World:
    tmp: Path
    sim: SimNetwork
    node: SimNode
    bootstrap: BootstrapServer
    client: aiohttp.ClientSession
    host: SandboxHost
    offers: list[CollateralOffer] = field(default_factory=list)
    views: list[StepView] = field(default_factory=list)
    services: list[WalletService] = field(default_factory=list)
    lists: list[NodeListsClient] = field(default_factory=list)
    approve_sends: bool = True

    @property
    def model(self) -> FluxnodeModel:
        model = self.sim.chain.fluxnodes
        assert model is not None
        return model

    @property
    def store(self) -> SetupStore:
        return SetupStore.in_data_dir(self.tmp / "data")

    def wallet_store(self) -> WalletStore:
        return WalletStore(self.tmp / "w.fluxwallet",
                           kdf=KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8))

    async def new_wallet(self) -> WalletService:
        service = WalletService(self.wallet_store(), InsightBackend(
            [self.sim.insight_url], retry=FAST_RETRY), network="regtest")
        await service.restore(MNEMONIC, PASSWORD)
        self.services.append(service)
        self.sim.fund(service.receive_address(), 1_500 * COIN)
        return service

    async def open_wallet(self) -> WalletService:
        service = WalletService(self.wallet_store(), InsightBackend(
            [self.sim.insight_url], retry=FAST_RETRY), network="regtest")
        await service.open(PASSWORD)
        self.services.append(service)
        return service

    async def approve(self, offer: CollateralOffer) -> bool:
        self.offers.append(offer)
        return self.approve_sends

    def bench(self) -> BenchAdapter:
        return BenchAdapter(BenchOptions(
            disk_paths=(self.tmp,), endpoints=None, sysbench=str(fake_sysbench(self.tmp)),
            fluxbench_cli=None, profile=TINY))

    def ports(self, service: WalletService) -> Ports:
        lists = NodeListsClient(self.sim.insight_url)
        self.lists.append(lists)
        bench = self.bench()
        options: dict[str, object] = {
            "bootstrap_cdns": [f"{self.bootstrap.base}/b.tar.gz"], "daemon_poll_s": 0.01,
            "downloader": Downloader(self.client, backoff=0, reserve=0, speedtest_seconds=0.2)}
        session = InstallSession(self.host, self.tmp / "data", sandbox_key_source, options)
        installer = InstallerAdapter(session, network="regtest", public_ip="51.15.20.7")  # never contacted

        async def probe() -> NodeProbe:
            return NodeProbe(NodeContext(), fluxd=self.node.fluxd, fluxos=self.node.fluxos,
                             bench=self.node.bench)

        return Ports(bench, WalletAdapter(NodeManager(service, lists)), installer, ProbeAdapter(probe))

    def setup_for_loop(self, service: WalletService, data_dir: Path) -> Setup:
        """The ports for a flow on another event loop (the CLI's own, the GUI's engine): every
        client is made there and closed there (``Setup.close_ports``)."""
        lists = NodeListsClient(self.sim.insight_url)
        bench = self.bench()
        session = InstallSession(self.host, data_dir, sandbox_key_source, {
            "bootstrap_cdns": [f"{self.bootstrap.base}/b.tar.gz"], "daemon_poll_s": 0.01})
        installer = InstallerAdapter(session, network="regtest", public_ip="51.15.20.7")
        fluxd = RpcFluxd(self.node.fluxd_url, servers.RPC_USER, servers.RPC_PASSWORD,
                         timeout=1.0)
        fluxos = FluxosApi(self.node.fluxos_url, timeout=1.0)

        async def probe() -> NodeProbe:
            return NodeProbe(NodeContext(), fluxd=fluxd, fluxos=fluxos, bench=self.node.bench)

        ports = Ports(bench, WalletAdapter(NodeManager(service, lists)), installer,
                      ProbeAdapter(probe))
        return Setup(service, ports, data_dir, [lists.close, fluxd.close, fluxos.close])

    def flow(self, service: WalletService, tier: str | None = "cumulus") -> SetupFlow:
        return SetupFlow(self.store, self.ports(service), approve=self.approve, tier=tier)

    async def wait(self, view: StepView) -> None:
        """Time passes while the flow waits: blocks, the node's sync and benchmark."""
        script = self.node.script
        if view.step == StepId.SYNC:
            if script.height < script.headers:
                script.height = min(script.headers, script.height + 2_500)
            elif script.benchmarking != "CUMULUS":
                script.benchmarking = "CUMULUS"
            self.sim.mine(10)
        elif view.step == StepId.START:  # the collateral matures
            self.sim.mine(10)
        else:
            self.sim.mine()
        conf = await self.host.read_text(CONF)
        if conf and script.height >= script.headers and script.benchmarking == "CUMULUS":
            # The installed node software runs with the key flux.conf gives it.
            wif = next(line.split("=", 1)[1] for line in conf.splitlines()
                       if line.startswith("zelnodeprivkey="))
            self.model.run_node(PrivateKey.from_wif(wif).public_key())

    async def close(self) -> None:
        for service in self.services:
            await service.close()
        for lists in self.lists:
            await lists.close()


async def make_world(tmp: Path, sim: SimNetwork, node: SimNode, server: BootstrapServer,
                     client: aiohttp.ClientSession) -> AsyncIterator[World]:
    FluxnodeModel(sim.chain)
    server.files.setdefault("b.tar.gz", make_bootstrap())
    host = SandboxHost(tmp / "root")
    host.seed_machine()
    node.script.syncing(7_000)
    node.script.benchmarking = "running"
    world = World(tmp, sim, node, server, client, host)
    try:
        yield world
    finally:
        await world.close()

"""The one-click setup's real parts, composed once for the CLI (`fluxdesk node setup`) and the
GUI (the `setup` page): the benchmark, the wallet (over the app's WalletService), the installer
on this machine, the node lists from Insight and the local node's probe."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from nodectl.bench.runner import BenchOptions
from nodectl.install.host import LocalHost
from nodectl.install.session import InstallSession
from nodesetup.adapters.bench import BenchAdapter
from nodesetup.adapters.installer import InstallerAdapter
from nodesetup.adapters.probe import LocalNode, ProbeAdapter
from nodesetup.adapters.wallet import WalletAdapter
from nodesetup.ports import Ports, SetupError
from wallet.nodes.client import NodeListsClient
from wallet.nodes.manager import NodeManager
from wallet.service import WalletService

Closer = Callable[[], Awaitable[None]]
DEFAULT_NODE_USER = "fluxnode"


@dataclass
class Setup:
    """What one run of the flow opened (the wallet service stays its owner's)."""

    service: WalletService
    ports: Ports
    data_dir: Path
    closers: list[Closer] = field(default_factory=list)

    async def close_ports(self) -> None:
        for close in reversed(self.closers):
            await close()
        self.closers.clear()

    async def close(self) -> None:
        """The CLI's end of a run: the ports, then the wallet it opened for them."""
        await self.close_ports()
        await self.service.close()


def build_setup(data_dir: Path, network: str, service: WalletService, servers: list[str], *,
                user: str = DEFAULT_NODE_USER, public_ip: str | None = None) -> Setup:
    """The real adapters; ``servers`` are the network's Insight servers (the first is asked for
    the node lists)."""
    if not servers:
        raise SetupError(f"No Insight server is known for {network}; the setup reads the node "
                         "lists from it.", ("Add a server in the settings (or pass --insight "
                                            "URL on the command line), then retry.",))
    lists = NodeListsClient(servers[0])
    host = LocalHost(data_dir / "node-install" / "downloads")
    installer = InstallerAdapter(InstallSession(host, data_dir), network=network, user=user,
                                 public_ip=public_ip)

    async def tip() -> int | None:
        return (await lists.tip()).height

    node = LocalNode(installer.flux_conf, tip)
    wallet = WalletAdapter(NodeManager(service, lists))
    ports = Ports(BenchAdapter(BenchOptions()), wallet, installer, ProbeAdapter(node.probe))
    return Setup(service, ports, data_dir, [lists.close, host.close, node.close])


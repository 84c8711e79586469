"""Composition of the node monitor for the CLI and the GUI: which node, which clients, which
alert channels.

The local node is found from flux.conf (the installer's node user first, then this user's
``~/.flux``). When this user may read it, fluxd answers over RPC and fluxbench through
``fluxbench-cli``; otherwise (the node runs as another user) everything comes from the local
FluxOS API, as for a remote node, plus systemd and this machine's figures. pm2 belongs to the
node user: its list is only read when FluxDesk runs as that user.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.monitor_config import AlertSecrets, MonitorSettings
from flux.errors import ConfError
from flux.fluxconf import RpcConfig, default_conf_path, read_flux_conf
from flux.networks import MAINNET, Network, network_by_name
from nodectl.install.state import InstallState
from nodectl.monitor.alerts.channels import Channel, DiscordChannel, TelegramChannel
from nodectl.monitor.alerts.store import MonitorStore
from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.errors import SourceDown
from nodectl.monitor.fluxbench import FluxbenchCli
from nodectl.monitor.fluxd import RpcFluxd
from nodectl.monitor.fluxos import DEFAULT_API_PORT, FluxosApi, api_base
from nodectl.monitor.logs import LOG_FILES, LogTail, node_logs
from nodectl.monitor.runner import CommandResult, CommandRunner, ProcessRunner
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.target import LOCAL_KEY, WatchedNode
from nodectl.monitor.watch import NodeWatch

FluxConfError = ConfError  # what the reader raises for a flux.conf it cannot use
INSTALL_STATE = Path("node-install") / "state.json"
REMOTE_DIR = "node-monitor"


@dataclass(frozen=True)
class LocalNode:
    conf: Path
    rpc: RpcConfig | None  # None: flux.conf is not readable by this user
    api: str  # FluxOS address, IP[:port]
    home: Path  # the node user's home
    context: NodeContext
    label: str
    note: str | None = None  # why fluxd is watched through FluxOS, in words

    @property
    def is_own_user(self) -> bool:
        return self.home == Path.home()


def install_meta(data_dir: Path) -> Mapping[str, Any]:
    """What the installer remembered (user, tier, api_port, label); empty when it never ran."""
    path = data_dir / INSTALL_STATE
    if not path.exists():
        return {}
    try:
        return InstallState.load(path).meta
    except (OSError, ValueError):
        return {}


def _conf_candidates(ms: MonitorSettings, meta: Mapping[str, Any]) -> list[Path]:
    if ms.flux_conf:
        return [Path(ms.flux_conf).expanduser()]
    found = []
    user = meta.get("user")
    if isinstance(user, str) and user:
        found.append(Path(f"/home/{user}/.flux/flux.conf"))
    found.append(default_conf_path())
    return found


def find_local_node(ms: MonitorSettings, data_dir: Path) -> LocalNode | None:
    """The node on this machine, or None when none is installed (no flux.conf, no install).

    Raises ``FluxConfError`` for a flux.conf that exists but cannot be understood.
    """
    meta = install_meta(data_dir)
    conf = next((p for p in _conf_candidates(ms, meta) if _present(p)), None)
    if conf is None and not meta:
        return None
    if conf is None:
        conf = _conf_candidates(ms, meta)[0]
    rpc, note = None, None
    try:
        rpc = read_flux_conf(conf) if _present(conf) else None
    except FluxConfError:
        if not _unreadable(conf):
            raise
        note = (f"FluxDesk cannot read {conf} as this user (it belongs to the node user), so "
                "fluxd is watched through FluxOS.")
    if rpc is None and note is None:
        note = f"No flux.conf at {conf}; fluxd is watched through FluxOS."
    home = conf.parent.parent if conf.parent.name in (".flux", ".zelcash") else Path.home()
    port = meta.get("api_port") if isinstance(meta.get("api_port"), int) else DEFAULT_API_PORT
    api = ms.local_api or f"127.0.0.1:{port}"
    tier = meta.get("tier")
    context = NodeContext(
        network=_network(rpc),
        node_user=_node_user(meta, home),
        collateral_tier=tier.upper() if isinstance(tier, str) and tier else None,
        watchdog_dir=str(home / "watchdog"),
        data_path=str(conf.parent),
    )
    label = ms.label or (meta.get("label") if isinstance(meta.get("label"), str) else "") \
        or socket.gethostname()
    return LocalNode(conf, rpc, api, home, context, str(label), note)


def _node_user(meta: Mapping[str, Any], home: Path) -> str | None:
    """The installer's node user, else the owner of a home under /home; None otherwise (the
    doctor's fixes then show the commands instead of running them)."""
    user = meta.get("user")
    if isinstance(user, str) and user:
        return user
    return home.name if home.parent == Path("/home") else None


def _network(rpc: RpcConfig | None) -> Network:
    """flux.conf's network (testnet=1, regtest=1); mainnet when flux.conf is not readable."""
    try:
        return network_by_name(rpc.network) if rpc else MAINNET
    except ValueError:
        return MAINNET


def _present(path: Path) -> bool:
    """True also when this user may not look (the node user's home is often closed)."""
    try:
        return path.exists()
    except PermissionError:
        return True


def _unreadable(path: Path) -> bool:
    try:
        with open(path, "rb"):
            return False
    except OSError:
        return True


class SystemOnlyRunner:
    """systemctl for anyone; pm2 only for the node user (another user's pm2 list is not the
    node's, and an empty list would wrongly say the watchdog is missing)."""

    def __init__(self, inner: CommandRunner, node_user: str | None) -> None:
        self._inner = inner
        self._node_user = node_user

    async def run(self, argv: Sequence[str], *, timeout: float) -> CommandResult:
        if argv and argv[0] == "pm2" and self._node_user is not None:
            raise SourceDown(f"pm2's list belongs to the node user {self._node_user}.",
                             f"Run FluxDesk as {self._node_user} to check FluxOS and the "
                             "watchdog under pm2.")
        return await self._inner.run(argv, timeout=timeout)


def local_watch(node: LocalNode, store_dir: Path, channels: Sequence[Channel] = (),
                debounce_s: float | None = None) -> WatchedNode:
    runner = ProcessRunner()
    own = node.is_own_user
    logs = node_logs(node.home)
    probe = NodeProbe(
        node.context,
        fluxd=RpcFluxd(node.rpc.url, node.rpc.user, node.rpc.password) if node.rpc else None,
        fluxos=FluxosApi(api_base(node.api)),
        bench=FluxbenchCli(runner) if node.rpc and own else None,
        runner=runner if own else SystemOnlyRunner(runner, node.home.name),
        bench_log=LogTail(node.home / LOG_FILES["fluxbench"], max_lines=500),
    )
    watch = NodeWatch(probe, MonitorStore(store_dir), label=node.label, channels=channels)
    if debounce_s is not None:
        watch.tracker.debounce_s = debounce_s
    return WatchedNode(LOCAL_KEY, node.label, node.api, watch, logs, node.note)


def remote_watch(address: str, data_dir: Path, channels: Sequence[Channel] = (),
                 debounce_s: float | None = None) -> WatchedNode:
    folder = data_dir / REMOTE_DIR / re.sub(r"[^0-9A-Za-z.]", "_", address)
    folder.mkdir(parents=True, exist_ok=True)
    probe = NodeProbe(NodeContext(), fluxos=FluxosApi(api_base(address)))
    watch = NodeWatch(probe, MonitorStore(folder), label=address, channels=channels)
    if debounce_s is not None:
        watch.tracker.debounce_s = debounce_s
    return WatchedNode(f"remote:{address}", address, address, watch)


def alert_channels(ms: MonitorSettings, secrets: AlertSecrets) -> list[Channel]:
    """The channels that are set up: Telegram needs a token and a chat id, Discord a webhook."""
    channels: list[Channel] = []
    if secrets.has_telegram and ms.telegram_chat_id:
        channels.append(TelegramChannel(ms.telegram_chat_id, secrets.telegram_token,
                                        base_url=ms.telegram_api))
    if secrets.has_discord:
        channels.append(DiscordChannel(secrets.discord_webhook))
    return channels



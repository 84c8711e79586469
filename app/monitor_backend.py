"""The app's side of the monitor service: settings, keyring, the local node and remote ones.

``ui.monitor_service.MonitorService`` asks this object for nodes, channels and settings; it keeps
no Qt. The doctor's fixes (restart fluxd, MongoDB, Docker; restart FluxOS, start the watchdog
the official way, rerun the benchmark as the node user) are the installer's privileged helper's
named operations (``nodectl.monitor.fixes``): ``HelperFixes`` runs them on a ``Host``, and
without one ``run_action`` returns None and the GUI shows the command to run instead. On a
remote node ``RemoteFixes`` restarts fluxd or the benchmark through FluxOS's admin routes,
logged in with the wallet's Flux ID (app/remote_fixes.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.doctor_fixes import HelperFixes
from app.monitor_config import (
    AlertSecrets,
    BadNodeAddress,
    MonitorSettings,
    check_alert_settings,
    load_monitor_settings,
    normalise_address,
    store_monitor_settings,
)
from app.monitor_wallet import WalletFluxIdFeed, derive, flux_id_key
from app.monitor_wiring import (
    FluxConfError,
    alert_channels,
    find_local_node,
    local_watch,
    remote_watch,
)
from app.remote_fixes import RemoteFixes
from app.settings import Settings
from flux.fileio import atomic_write_text
from nodectl.install.host import LocalHost
from nodectl.monitor.alerts.channels import Channel
from nodectl.monitor.doctor import Action
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.target import WatchedNode
from nodectl.monitor.watchdog import WatchdogAlerts, render_config_js
from ui.monitor_service import AlertForm, MonitorService

if TYPE_CHECKING:
    from app.wallet_wiring import WalletUi
    from ui.concurrency import Engine

log = logging.getLogger(__name__)
__all__ = ["AppMonitorBackend", "HelperFixes", "build_monitor_service", "follow_wallet"]
# Runs a doctor action on this machine's node, returns words about what was done.
PrivilegedActions = Callable[[Action, NodeContext], Awaitable[str]]


class WatchdogConfigRefused(MonitorError):
    kind = "watchdog_config"


class AppMonitorBackend:
    def __init__(self, settings: Settings, data_dir: Path, save: Callable[[], None], *,
                 secrets: AlertSecrets | None = None,
                 privileged_actions: PrivilegedActions | None = None,
                 remote_actions: RemoteFixes | None = None) -> None:
        self._settings = settings
        self._data_dir = data_dir
        self._save = save
        self.secrets = secrets or AlertSecrets()
        self.privileged_actions = privileged_actions
        self.remote_actions = remote_actions
        self.config: MonitorSettings = load_monitor_settings(settings.node_monitor)
        self.interval_s = self.config.interval_s
        self.wallet: WalletFluxIdFeed | None = None  # the GUI's wallet, for the Flux ID rule

    def _store(self) -> None:
        store_monitor_settings(self._settings.node_monitor, self.config)
        try:
            self._save()
        except OSError as exc:
            log.warning("could not save the node monitor settings: %s", exc.strerror or exc)

    # --- nodes -----------------------------------------------------------------------------
    def nodes(self) -> list[WatchedNode]:
        found: list[WatchedNode] = []
        try:
            local = find_local_node(self.config, self._data_dir)
        except FluxConfError as exc:
            log.warning("local node not watched: %s", exc)
            local = None
        if local is not None:
            found.append(local_watch(local, self._data_dir, debounce_s=self.config.debounce_s))
        found += [remote_watch(a, self._data_dir, debounce_s=self.config.debounce_s)
                  for a in self.config.remote_nodes]
        if self.wallet is not None:
            self.wallet.current.apply_to(found)
        return found

    def remote(self, address: str) -> WatchedNode:
        try:
            normal = normalise_address(address)
        except BadNodeAddress as exc:
            raise ValueError(str(exc)) from None
        node = remote_watch(normal, self._data_dir, debounce_s=self.config.debounce_s)
        if self.wallet is not None:
            self.wallet.current.apply_to([node])
        return node

    def remotes(self) -> list[str]:
        return list(self.config.remote_nodes)

    def set_remotes(self, addresses: Sequence[str]) -> None:
        self.config.remote_nodes = list(dict.fromkeys(addresses))
        self._store()

    # --- alerts ----------------------------------------------------------------------------
    async def channels(self) -> list[Channel]:
        await self.secrets.load()
        return alert_channels(self.config, self.secrets)

    async def alert_form(self) -> AlertForm:
        await self.secrets.load()
        local = self._local_watchdog_dir()
        return AlertForm(self.config.telegram_chat_id, self.secrets.has_telegram,
                         self.secrets.has_discord, self.config.notify_desktop, local)

    def _local_watchdog_dir(self) -> str | None:
        try:
            local = find_local_node(self.config, self._data_dir)
        except FluxConfError:
            return None
        return local.context.watchdog_dir if local else None

    async def save_alerts(self, chat_id: str, telegram_token: str | None,
                          discord_webhook: str | None, desktop: bool) -> None:
        check_alert_settings(chat_id, telegram_token, discord_webhook)
        await self.secrets.save(telegram_token=telegram_token, discord_webhook=discord_webhook)
        self.config.telegram_chat_id = chat_id.strip()
        self.config.notify_desktop = desktop
        self._store()

    async def write_watchdog_config(self, node: WatchedNode) -> str:
        """The same Telegram/Discord settings in the watchdog's config.js (0600), so alerts go
        out while FluxDesk is closed. Needs write access to the watchdog's folder."""
        folder = node.context.watchdog_dir
        if folder is None or not Path(folder).is_dir():
            raise WatchdogConfigRefused(f"No watchdog folder at {folder or 'an unknown place'}.",
                                        "Install the watchdog first (Repair in the installer).")
        if not os.access(folder, os.W_OK):
            raise WatchdogConfigRefused(
                f"FluxDesk cannot write into {folder} as this user.",
                "Run FluxDesk as the node user for this; the privileged helper will offer it "
                "as a named operation.")
        await self.secrets.load()
        chat = self.config.telegram_chat_id
        alerts = WatchdogAlerts(label=node.label,
                                discord_webhook_url=self.secrets.discord_webhook(),
                                telegram_bot_token=self.secrets.telegram_token() if chat
                                else None,
                                telegram_chat_id=chat or None)
        target = Path(folder) / "config.js"
        await asyncio.to_thread(atomic_write_text, target, render_config_js(alerts))
        return (f"Wrote {target}. The watchdog reads it when it restarts: pm2 restart watchdog "
                "(as the node user).")

    # --- actions ---------------------------------------------------------------------------
    @property
    def actions_available(self) -> bool:
        return self.privileged_actions is not None

    @property
    def remote_actions_available(self) -> bool:
        return self.remote_actions is not None

    async def run_action(self, node: WatchedNode, action: Action) -> str | None:
        """Words about what was done, or None when FluxDesk cannot do it itself."""
        if not node.is_local:
            if self.remote_actions is None:
                return None
            return await self.remote_actions.run(node, action)
        if self.privileged_actions is None:
            return None
        return await self.privileged_actions(action, node.context)

    async def close(self) -> None:
        if self.wallet is not None:
            await self.wallet.close()
        if isinstance(self.privileged_actions, HelperFixes):
            await self.privileged_actions.close()


def build_monitor_service(settings: Settings, data_dir: Path, save: Callable[[], None],
                          wallet: WalletUi | None = None,
                          engine: Engine | None = None) -> MonitorService:
    """The GUI's monitor: nodes found now, polling from ``start()`` on the running loop; the
    doctor's fixes through the privileged helper (started on the first fix only); with
    ``wallet`` (and the ``engine`` its service runs on), the wallet's Flux ID while unlocked."""
    fixes = HelperFixes(LocalHost(data_dir / "node-install" / "downloads"))
    remote = None
    if wallet is not None and engine is not None:
        wallet_service = wallet.service
        remote = RemoteFixes(lambda: engine.call(flux_id_key(wallet_service)))
    backend = AppMonitorBackend(settings, data_dir, save, privileged_actions=fixes,
                                remote_actions=remote)
    service = MonitorService(backend)
    if wallet is not None and engine is not None:
        follow_wallet(service, backend, wallet, engine)
    service.load_nodes()
    return service


def follow_wallet(service: MonitorService, backend: AppMonitorBackend, wallet: WalletUi,
                  engine: Engine) -> WalletFluxIdFeed:
    """The wallet's Flux ID into every watched node's context while the wallet is unlocked."""
    from PySide6.QtCore import QTimer

    wallet_service = wallet.service
    feed = WalletFluxIdFeed(service, lambda: str(wallet.model.state),
                            lambda: engine.call(derive(wallet_service)))
    backend.wallet = feed
    wallet.model.state_changed.connect(feed.on_status)
    QTimer.singleShot(0, feed.check_now)  # the state now, once the loop runs
    return feed

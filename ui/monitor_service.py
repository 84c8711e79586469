"""View-model of the node monitor: polls every watched node on the Qt loop and relays by signal.

All the work is in ``nodectl.monitor`` (async clients, files in worker threads); this object
only schedules polls, hands the page immutable ``PollResult`` snapshots and turns alert events
into tray notifications. What it watches and where secrets live comes from a ``MonitorBackend``
the app composes, so this file has no protocol, keyring or subprocess code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from qasync import asyncSlot

from nodectl.monitor.alerts.channels import Channel, send_test_alert
from nodectl.monitor.doctor import Action, Finding, recheck
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.logs import LogLine
from nodectl.monitor.target import WatchedNode
from nodectl.monitor.watch import PollResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertForm:
    """What the alert settings show and save; secrets only travel page → backend."""

    chat_id: str = ""
    has_telegram_token: bool = False
    has_discord_webhook: bool = False
    desktop: bool = True
    watchdog_dir: str | None = None


class MonitorBackend(Protocol):
    """What the app gives the service: nodes with fresh clients, settings, secrets, actions."""

    interval_s: float

    @property
    def actions_available(self) -> bool: ...  # False: the GUI shows commands to run instead

    @property
    def remote_actions_available(self) -> bool: ...  # fixes on remote nodes through FluxOS

    def nodes(self) -> list[WatchedNode]: ...

    def remote(self, address: str) -> WatchedNode: ...  # ValueError with words for bad input

    def remotes(self) -> list[str]: ...

    def set_remotes(self, addresses: Sequence[str]) -> None: ...

    async def channels(self) -> list[Channel]: ...

    async def alert_form(self) -> AlertForm: ...

    async def save_alerts(self, chat_id: str, telegram_token: str | None,
                          discord_webhook: str | None, desktop: bool) -> None: ...

    async def write_watchdog_config(self, node: WatchedNode) -> str: ...

    async def run_action(self, node: WatchedNode, action: Action) -> str | None: ...

    async def close(self) -> None: ...  # stops whatever runs the actions


class MonitorService(QObject):
    nodes_changed = Signal(object)  # tuple[WatchedNode, ...] (read key/label/address/note only)
    polled = Signal(str, object)  # node key, PollResult
    poll_failed = Signal(str, str)  # node key, words (a bug, not a silent source)
    remote_refused = Signal(str)  # words: the address typed is not one
    polling_changed = Signal(bool)
    notify = Signal(str, str, str)  # title, text, severity: for the tray
    alerts_loaded = Signal(object)  # AlertForm
    alerts_result = Signal(bool, str)  # ok, words (save, test alert, watchdog config)
    action_result = Signal(str, str, str)  # node key, rule, words
    recheck_done = Signal(str, str, object)  # node key, rule, Finding | None (None: fixed)

    def __init__(self, backend: MonitorBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.interval_s = backend.interval_s
        self._nodes: dict[str, WatchedNode] = {}
        self.results: dict[str, PollResult] = {}
        self._channels: list[Channel] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._first = asyncio.Event()
        self.desktop_notifications = True
        self._alerts_ready = False

    # --- nodes ---------------------------------------------------------------------------
    @property
    def nodes(self) -> tuple[WatchedNode, ...]:
        return tuple(self._nodes.values())

    def node(self, key: str) -> WatchedNode | None:
        return self._nodes.get(key)

    def load_nodes(self) -> None:
        """Build the watched nodes (reads flux.conf once; cheap) and announce them."""
        self._nodes = {n.key: n for n in self.backend.nodes()}
        self.nodes_changed.emit(self.nodes)

    @asyncSlot()
    async def reload_nodes(self) -> None:
        """After an install or uninstall: the same, closing the old clients first."""
        async with self._lock:
            old = list(self._nodes.values())
            self._nodes = {}
            for node in old:
                await node.close()
            self.results.clear()
            self.load_nodes()
            for node in self._nodes.values():
                node.watch.channels = list(self._channels)
        await self.poll_all()

    def start(self) -> None:
        """Poll now and then every ``interval_s`` until ``close``."""
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            await self.poll_all()
            await asyncio.sleep(self.interval_s)

    async def first_poll(self, timeout: float = 30.0) -> None:
        """Until every node has been polled once (used before a screenshot)."""
        if not self._nodes:
            return
        async with asyncio.timeout(timeout):
            await self._first.wait()

    @asyncSlot()
    async def refresh(self) -> None:
        await self.poll_all()

    async def poll_all(self) -> None:
        await self._ensure_alerts()
        async with self._lock:
            self.polling_changed.emit(True)
            try:
                for node in list(self._nodes.values()):
                    await self._poll(node)
            finally:
                self.polling_changed.emit(False)
            self._first.set()

    async def _poll(self, node: WatchedNode) -> PollResult | None:
        try:
            result = await node.watch.poll()
        except Exception as exc:  # a bug must not stop the loop or the other nodes
            log.exception("node monitor poll of %s failed", node.key)
            self.poll_failed.emit(node.key, f"The check stopped unexpectedly: {exc}")
            return None
        if node.key not in self._nodes:  # removed while it was being polled
            return None
        self.results[node.key] = result
        self.polled.emit(node.key, result)
        if self.desktop_notifications:
            for event in result.events:
                kind = {"bad": "problem", "warn": "warning"}.get(event.severity,
                                                                 "back to normal")
                title = f"{node.label}: {kind}"
                self.notify.emit(title, event.text, event.severity)
        return result

    @asyncSlot(str)
    async def add_remote(self, address: str) -> None:
        try:
            node = self.backend.remote(address)
        except ValueError as exc:
            self.remote_refused.emit(str(exc))
            return
        if node.key in self._nodes:
            await node.close()
            return
        node.watch.channels = list(self._channels)
        self._nodes[node.key] = node
        self.backend.set_remotes([n.address for n in self._nodes.values() if not n.is_local])
        self.nodes_changed.emit(self.nodes)
        await self._ensure_alerts()
        async with self._lock:
            await self._poll(node)

    @asyncSlot(str)
    async def remove_remote(self, key: str) -> None:
        node = self._nodes.get(key)
        if node is None or node.is_local:
            return
        async with self._lock:
            del self._nodes[key]
            self.results.pop(key, None)
        self.backend.set_remotes([n.address for n in self._nodes.values() if not n.is_local])
        self.nodes_changed.emit(self.nodes)
        await node.close()

    # --- logs ------------------------------------------------------------------------------
    async def read_log(self, key: str, component: str) -> list[LogLine]:
        """New lines of one component's log (read in a worker thread)."""
        node = self._nodes.get(key)
        tail = node.logs.get(component) if node else None
        if tail is None:
            return []
        return await asyncio.to_thread(tail.read_new)

    def log_components(self, key: str) -> Mapping[str, object]:
        node = self._nodes.get(key)
        return dict(node.logs) if node else {}

    # --- doctor actions --------------------------------------------------------------------
    @asyncSlot(str, object)
    async def run_action(self, key: str, finding: Finding) -> None:
        node = self._nodes.get(key)
        if node is None or finding.action is None:
            return
        words = await self.backend.run_action(node, finding.action)
        if words is not None:
            self.action_result.emit(key, finding.rule, words)
            await self.recheck(key, finding)

    @asyncSlot(str, object)
    async def recheck(self, key: str, finding: Finding) -> None:
        """Poll that node again and run the finding's rule on the fresh facts."""
        node = self._nodes.get(key)
        if node is None:
            return
        async with self._lock:
            result = await self._poll(node)
        if result is not None:
            fresh = recheck(finding, result.snapshot, node.context, node.watch.policy)
            self.recheck_done.emit(key, finding.rule, fresh)

    # --- alerts ----------------------------------------------------------------------------
    async def _ensure_alerts(self) -> None:
        """The keyring is opened once there is a node to watch, not at every start of the app
        (some keyrings ask for a password when first opened)."""
        if self._alerts_ready or not self._nodes:
            return
        self._alerts_ready = True
        await self._load_channels()
        await self.load_alerts()

    async def _load_channels(self) -> None:
        try:
            channels = await self.backend.channels()
        except MonitorError as exc:
            self.alerts_result.emit(False, str(exc))
            channels = []
        for channel in self._channels:
            await channel.close()
        self._channels = channels
        for node in self._nodes.values():
            node.watch.channels = list(channels)

    @asyncSlot()
    async def load_alerts(self) -> None:
        try:
            form = await self.backend.alert_form()
        except MonitorError as exc:
            self.alerts_result.emit(False, str(exc))
            return
        self.desktop_notifications = form.desktop
        self.alerts_loaded.emit(form)

    @asyncSlot(str, object, object, bool)
    async def save_alerts(self, chat_id: str, telegram_token: str | None,
                          discord_webhook: str | None, desktop: bool) -> None:
        try:
            await self.backend.save_alerts(chat_id, telegram_token, discord_webhook, desktop)
        except MonitorError as exc:
            self.alerts_result.emit(False, str(exc))
            return
        self.desktop_notifications = desktop
        self._alerts_ready = True
        await self._load_channels()
        self.alerts_result.emit(True, "Alert settings saved.")
        await self.load_alerts()

    @asyncSlot()
    async def send_test_alert(self) -> None:
        if not self._channels:
            self.alerts_result.emit(False, "No alert channel is set up yet: enter a Telegram "
                                    "bot token and chat id, or a Discord webhook, and save.")
            return
        label = next(iter(self._nodes.values())).label if self._nodes else "FluxDesk"
        results = await send_test_alert(self._channels, label)
        failed = {name: err for name, err in results.items() if err is not None}
        words = "; ".join(f"{name}: " + ("delivered" if err is None else str(err))
                          for name, err in results.items())
        self.alerts_result.emit(not failed, words)

    @asyncSlot(str)
    async def write_watchdog_config(self, key: str) -> None:
        node = self._nodes.get(key)
        if node is None or not node.is_local:
            self.alerts_result.emit(False, "Only the node on this machine has a watchdog "
                                    "FluxDesk can configure.")
            return
        try:
            words = await self.backend.write_watchdog_config(node)
        except MonitorError as exc:
            self.alerts_result.emit(False, str(exc))
            return
        self.alerts_result.emit(True, words)

    async def close(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        async with self._lock:
            for node in self._nodes.values():
                await node.close()
            for channel in self._channels:
                await channel.close()
            self._channels = []
        await self.backend.close()

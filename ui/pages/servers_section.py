"""Settings → Servers: the Insight servers of this network (add, remove, test), the local fluxd
read from flux.conf (use it or not, test), and which server the wallet uses with its tip height.

Tests run on the engine loop through `ServerProbe` (app/services.py); this widget only shows
their answers. A change is saved at once (settings section ``servers``, shared with the CLI)
and the open wallet reconnects to use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from wallet.backends.insight_servers import DEFAULT_INSIGHT_SERVERS, normalize_server_url
from wallet.errors import WalletError
from wallet.state import Connection

DEFAULT_FLUX_CONF = "~/.flux/flux.conf"


class EditableServers(Protocol):
    insight: dict[str, list[str]]
    use_local_node: bool
    flux_conf: str


class ServerProbe(Protocol):
    """Asks a server for its tip height; raises a WalletError in words a person can act on."""

    def insight_tip(self, url: str) -> Awaitable[int]: ...

    def fluxd_tip(self, flux_conf: str) -> Awaitable[int]: ...


class WalletConnection(Protocol):
    """What the section needs of the wallet model: the server in use and a way to switch."""

    connection: Connection

    @property
    def connection_changed(self) -> SignalInstance: ...

    def reconnect(self) -> Awaitable[None]: ...


class ServersSection(QGroupBox):
    def __init__(
        self, servers: EditableServers, *, network: str, save: Callable[[], None],
        probe: ServerProbe, wallet: WalletConnection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Servers"))
        self.setObjectName("serversSection")
        self._servers, self._network, self._save = servers, network, save
        self._probe, self._wallet = probe, wallet
        # The wallet's switch to the changed servers (kept so it is not collected mid-way).
        self.reconnecting: asyncio.Future[None] | None = None
        self.in_use = QLabel()
        self.in_use.setWordWrap(True)
        self.in_use.setObjectName("serverInUse")
        self.insight = QListWidget()
        self.insight.setMaximumHeight(110)
        self.new_url = QLineEdit()
        self.new_url.setPlaceholderText("https://explorer.example/api")
        self.new_url.returnPressed.connect(self.add_server)
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.clicked.connect(self.add_server)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_server)
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.clicked.connect(self.test_server)
        self.insight_note = hint("")
        self.insight_note.setWordWrap(True)
        self.use_local = QCheckBox(self.tr("Use my own fluxd when it is synced and indexed"))
        self.use_local.setChecked(servers.use_local_node)
        self.use_local.toggled.connect(self._local_changed)
        self.flux_conf = QLineEdit(servers.flux_conf)
        self.flux_conf.setPlaceholderText(DEFAULT_FLUX_CONF)
        self.flux_conf.editingFinished.connect(self._conf_changed)
        self.test_local = QPushButton(self.tr("Test"))
        self.test_local.clicked.connect(self.test_fluxd)
        self.local_note = hint("")
        self.local_note.setWordWrap(True)

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_url, 1)
        add_row.addWidget(self.add_button)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.test_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)
        conf_row = QHBoxLayout()
        conf_row.addWidget(self.flux_conf, 1)
        conf_row.addWidget(self.test_local)
        form = QFormLayout()
        form.addRow(self.tr("In use"), self.in_use)
        form.addRow(self.tr("Insight (%s)") % network, self.insight)
        form.addRow("", list_buttons)
        form.addRow("", add_row)
        form.addRow("", self.insight_note)
        form.addRow(self.tr("Local node"), self.use_local)
        form.addRow(self.tr("flux.conf"), conf_row)
        form.addRow("", self.local_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if wallet is not None:
            wallet.connection_changed.connect(self._show_connection)
            self._show_connection(wallet.connection)
        else:
            self.in_use.setText(self.tr("The wallet is not open."))
        self._fill()

    # --- the list ----------------------------------------------------------------------------

    def urls(self) -> list[str]:
        return self._servers.insight.get(self._network, [])

    def _fill(self) -> None:
        self.insight.clear()
        mine = self.urls()
        for url in mine or DEFAULT_INSIGHT_SERVERS.get(self._network, ()):
            self.insight.addItem(url if mine else self.tr("%s (built in)") % url)
        if not mine:
            self.insight_note.setText(self.tr(
                "Using the built-in servers. Adding one replaces them with your list."))
        self.remove_button.setEnabled(bool(mine))

    def _selected_url(self) -> str:
        row = self.insight.currentRow()
        mine = self.urls()
        built_in = list(DEFAULT_INSIGHT_SERVERS.get(self._network, ()))
        source = mine or built_in
        return source[row] if 0 <= row < len(source) else ""

    def add_server(self) -> None:
        try:
            url = normalize_server_url(self.new_url.text())
        except WalletError as exc:
            self.insight_note.setText(str(exc))
            return
        urls = self.urls()
        if url in urls:
            self.insight_note.setText(self.tr("%s is already in the list.") % url)
            return
        self._servers.insight[self._network] = [*urls, url]
        self.new_url.clear()
        self._changed(self.tr("Added %s.") % url)

    def remove_server(self) -> None:
        url = self._selected_url()
        urls = self.urls()
        if url not in urls:
            self.insight_note.setText(self.tr("Choose one of your servers in the list first."))
            return
        remaining = [u for u in urls if u != url]
        if remaining:
            self._servers.insight[self._network] = remaining
        else:
            self._servers.insight.pop(self._network, None)
        self._changed(self.tr("Removed %s.") % url)

    def _changed(self, note: str) -> None:
        self._save()
        self._fill()
        self.insight_note.setText(note)
        self._reconnect()

    # --- tests -------------------------------------------------------------------------------

    @asyncSlot()
    async def test_server(self) -> None:
        url = self._selected_url()
        if not url:
            self.insight_note.setText(self.tr("Choose a server in the list first."))
            return
        self.insight_note.setText(self.tr("Asking %s…") % url)
        try:
            tip = await self._probe.insight_tip(url)
        except WalletError as exc:
            self.insight_note.setText(str(exc))
            return
        self.insight_note.setText(self.tr("%s answers: block %d.") % (url, tip))

    @asyncSlot()
    async def test_fluxd(self) -> None:
        conf = self.flux_conf.text().strip()
        self.local_note.setText(self.tr("Asking the node of %s…") % (conf or DEFAULT_FLUX_CONF))
        try:
            tip = await self._probe.fluxd_tip(conf)
        except WalletError as exc:
            self.local_note.setText(str(exc))
            return
        self.local_note.setText(self.tr("Your fluxd answers: block %d.") % tip)

    # --- local node --------------------------------------------------------------------------

    def _local_changed(self, on: bool) -> None:
        self._servers.use_local_node = on
        self._save()
        self._reconnect()

    def _conf_changed(self) -> None:
        conf = self.flux_conf.text().strip()
        if conf != self._servers.flux_conf:
            self._servers.flux_conf = conf
            self._save()
            self._reconnect()

    def _reconnect(self) -> None:
        if self._wallet is not None:
            self.reconnecting = asyncio.ensure_future(self._wallet.reconnect())

    def _show_connection(self, info: Connection) -> None:
        tip = self.tr(", block %d") % info.tip_height if info.tip_height >= 0 else ""
        self.in_use.setText(info.text + tip)

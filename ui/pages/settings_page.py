"""Settings: network, theme, tray behaviour, the wallet's servers, benchmark servers; where data
and logs are kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Protocol

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from nodectl.bench import BenchError, NetworkEndpoints
from nodectl.bench.network import SETTING_DOWNLOAD, SETTING_UPLOAD
from ui.bench_endpoints import EndpointsEditor
from ui.pages.base import Page, hint
from ui.pages.servers_section import (
    EditableServers,
    ServerProbe,
    ServersSection,
    WalletConnection,
)


def _choices(items: tuple[tuple[str, str], ...], current: str) -> QComboBox:
    """A combo box whose items carry their setting value as data, set to ``current``."""
    box = QComboBox()
    for value, label in items:
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class EditableUi(Protocol):
    theme: str
    start_minimised: bool
    close_to_tray: bool


class EditableBench(Protocol):
    download_urls: list[str]
    upload_urls: list[str]


def bench_servers(settings: EditableSettings) -> NetworkEndpoints:
    bench = settings.bench
    try:
        return NetworkEndpoints.from_settings(
            {SETTING_DOWNLOAD: bench.download_urls, SETTING_UPLOAD: bench.upload_urls})
    except BenchError:
        return NetworkEndpoints()


def store_bench_servers(settings: EditableSettings, endpoints: NetworkEndpoints) -> None:
    """Keep only lists that differ from the defaults, so later default changes still apply."""
    defaults = NetworkEndpoints()
    bench = settings.bench
    bench.download_urls = ([] if endpoints.download_urls == defaults.download_urls
                           else list(endpoints.download_urls))
    bench.upload_urls = ([] if endpoints.upload_urls == defaults.upload_urls
                         else list(endpoints.upload_urls))


class EditableSettings(Protocol):
    network: str

    @property
    def ui(self) -> EditableUi: ...

    @property
    def bench(self) -> EditableBench: ...

    @property
    def servers(self) -> EditableServers: ...


class SettingsPage(Page):
    page_id: ClassVar[str] = "settings"
    order: ClassVar[int] = 900

    def __init__(
        self,
        settings: EditableSettings,
        *,
        data_dir: Path,
        log_path: Path,
        running_network: str,
        save: Callable[[], None],
        apply_theme: Callable[[str], None],
        tray_available: bool,
        server_probe: ServerProbe | None = None,
        wallet: WalletConnection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._save = save
        self._apply_theme = apply_theme
        self._running_network = running_network

        self.network = _choices(
            (
                ("mainnet", self.tr("Mainnet")),
                ("testnet", self.tr("Testnet")),
                ("regtest", self.tr("Regtest (local test chain)")),
            ),
            settings.network,
        )
        self.network_note = hint("")

        self.theme = _choices(
            (
                ("system", self.tr("Follow the system")),
                ("light", self.tr("Light")),
                ("dark", self.tr("Dark")),
            ),
            settings.ui.theme,
        )

        self.start_minimised = QCheckBox(self.tr("Start minimised to the tray"))
        self.start_minimised.setChecked(settings.ui.start_minimised)
        self.close_to_tray = QCheckBox(
            self.tr("Closing the window keeps FluxDesk running in the tray")
        )
        self.close_to_tray.setChecked(settings.ui.close_to_tray)
        if not tray_available:
            for box in (self.start_minimised, self.close_to_tray):
                box.setEnabled(False)
                box.setToolTip(self.tr("This desktop has no system tray."))

        self.data_dir_label = QLabel(str(data_dir))
        self.data_dir_label.setTextInteractionFlags(self.data_dir_label.textInteractionFlags())
        open_dir = QPushButton(self.tr("Open folder"))
        open_dir.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir)))
        )
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir_label, 1)
        data_row.addWidget(open_dir)
        self.log_label = QLabel(str(log_path))

        for combo in (self.network, self.theme):
            combo.setMaximumWidth(360)
        form = QFormLayout()
        form.addRow(self.tr("Network"), self.network)
        form.addRow("", self.network_note)
        form.addRow(self.tr("Theme"), self.theme)
        form.addRow("", self.start_minimised)
        form.addRow("", self.close_to_tray)
        form.addRow(self.tr("Data folder"), data_row)
        form.addRow(self.tr("Log file"), self.log_label)

        self.bench_servers = EndpointsEditor(bench_servers(settings), self._store_bench_servers)

        # The wallet's servers (Settings → Servers, which messages point to).
        self.servers: ServersSection | None = None
        if server_probe is not None:
            self.servers = ServersSection(
                settings.servers, network=running_network, save=save, probe=server_probe,
                wallet=wallet)

        layout = self.page_content(self.title())
        layout.addLayout(form)
        if self.servers is not None:
            layout.addWidget(self.servers)
        layout.addWidget(self.bench_servers)
        layout.addStretch(1)

        self.network.currentIndexChanged.connect(self._network_changed)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self.start_minimised.toggled.connect(self._flags_changed)
        self.close_to_tray.toggled.connect(self._flags_changed)
        self._update_network_note()

    def title(self) -> str:
        return self.tr("Settings")

    def _update_network_note(self) -> None:
        chosen = str(self.network.currentData())
        if chosen != self._running_network:
            self.network_note.setText(
                self.tr("FluxDesk is running on %s; restart it to switch to %s.")
                % (self._running_network, chosen)
            )
        else:
            self.network_note.setText(self.tr("Coins and addresses of other networks are refused."))

    def _network_changed(self) -> None:
        self._settings.network = str(self.network.currentData())
        self._save()
        self._update_network_note()

    def _theme_changed(self) -> None:
        self._settings.ui.theme = str(self.theme.currentData())
        self._save()
        self._apply_theme(self._settings.ui.theme)

    def _store_bench_servers(self, endpoints: NetworkEndpoints) -> None:
        store_bench_servers(self._settings, endpoints)
        self._save()

    def _flags_changed(self) -> None:
        self._settings.ui.start_minimised = self.start_minimised.isChecked()
        self._settings.ui.close_to_tray = self.close_to_tray.isChecked()
        self._save()

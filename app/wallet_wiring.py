"""Builds the wallet side of the GUI: store, WalletService, engine, Qt service, wizard and pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from app.gui_gc import collect_on_gui_thread
from app.gui_wallet_service import GuiWalletService
from app.services import NoBackend, Services
from app.settings import NETWORKS
from app.wallet_engine import BackendFactory, WalletEngine
from app.wizard import WalletWizard, password_feedback
from ui.main_window import MainWindow
from ui.pages.base import Page
from ui.wallet.addresses import AddressesPage
from ui.wallet.coins import CoinsPage
from ui.wallet.history import HistoryPage
from ui.wallet.models import ConnectionInfo
from ui.wallet.overview import OverviewPage
from ui.wallet.receive import ReceivePage
from ui.wallet.security import SecurityPage
from ui.wallet.send import SendPage
from ui.wallet.service import ActivityWatcher, WalletQt
from wallet.backends.base import ChainBackend
from wallet.storage.model import WalletSettings
from wallet.storage.store import UnlockedWallet

log = logging.getLogger(__name__)


def backend_factory(services: Services, network: str) -> BackendFactory:
    """The GUI picks its backend as the CLI does (app/services.py), once the wallet is open."""

    async def backend_for(wallet_settings: WalletSettings) -> tuple[ChainBackend, str]:
        return await services.chain_backend(network, wallet_settings)

    return backend_for


@dataclass
class WalletUi:
    service: WalletQt
    engine: WalletEngine
    pages: list[Page]

    def attach_window(self, window: MainWindow) -> None:
        def show(info: ConnectionInfo) -> None:
            window.set_connection_state(info.text, info.ok)

        self.service.connection_changed.connect(show)
        self.service.wizard_requested.connect(lambda: window.show_page(OverviewPage.page_id))
        app = QApplication.instance()
        if app is not None:
            self.activity = ActivityWatcher(self.service)
            app.installEventFilter(self.activity)


def build_wallet_ui(services: Services) -> WalletUi:
    network = services.network
    app = QApplication.instance()
    if isinstance(app, QApplication):
        collect_on_gui_thread(app)

    service = GuiWalletService(services.wallet_store(), NoBackend(), network=network)
    engine = WalletEngine(service, backend_factory(services, network))
    qt = WalletQt(engine)

    async def created(wallet: UnlockedWallet, password: str) -> str:
        chosen = wallet.document.network
        # The server typed in the wizard (networks without a public explorer) is kept in the
        # settings, where the CLI finds it too.
        if wallet.document.settings.insight_servers:
            services.remember_insight(chosen, wallet.document.settings.insight_servers)
        wallet.lock()
        if chosen != network:
            services.settings.network = chosen
            services.save_settings()
            return (f"Your {chosen} wallet is ready. Restart FluxDesk to switch from {network} "
                    f"to {chosen}.")
        await qt.unlock(password)
        return "Wallet created."

    def make_flow() -> WalletWizard:
        offered = NETWORKS if network != "mainnet" else ("mainnet",)
        return WalletWizard(services.wallet_store, network=network, networks=offered,
                            on_created=created)

    pages: list[Page] = [
        OverviewPage(qt, make_flow),
        SendPage(qt),
        ReceivePage(qt),
        HistoryPage(qt),
        CoinsPage(qt),
        AddressesPage(qt),
        SecurityPage(qt, password_feedback),
    ]
    return WalletUi(qt, engine, pages)

"""Builds the wallet side of the GUI: WalletService (from app/services.py), its Qt model, the
first-run wizard and the pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from app.services import Services
from app.settings import NETWORKS
from ui.concurrency import Engine
from ui.main_window import MainWindow
from ui.pages.base import Page, PageEntry
from ui.wallet.activity import ActivityWatcher
from ui.wallet.addresses import AddressesPage
from ui.wallet.coins import CoinsPage
from ui.wallet.history import HistoryPage
from ui.wallet.overview import OverviewPage
from ui.wallet.receive import ReceivePage
from ui.wallet.security import SecurityPage
from ui.wallet.send import SendPage
from ui.wallet.wallet_model import WalletModel
from wallet.errors import WalletError
from wallet.service import WalletService
from wallet.state import Connection
from wallet.wizard import NewWallet, WalletWizard

log = logging.getLogger(__name__)


@dataclass
class WalletUi:
    model: WalletModel
    # Built when first shown (see ui/main_window.py).
    entries: list[PageEntry]
    # Owned by the engine loop; only the composition (and benchmarks) hold it, never a page.
    service: WalletService

    @property
    def pages(self) -> list[Page]:
        """Every wallet page, built now if it was not yet."""
        return [entry.page() for entry in self.entries]

    def attach_window(self, window: MainWindow) -> None:
        def show(info: Connection) -> None:
            window.set_connection_state(info.text, info.ok)

        self.model.connection_changed.connect(show)
        self.model.wizard_requested.connect(lambda: window.show_page(OverviewPage.page_id))
        app = QApplication.instance()
        if app is not None:
            self.activity = ActivityWatcher(self.model)
            app.installEventFilter(self.activity)


def build_wallet_ui(services: Services, engine: Engine) -> WalletUi:
    network = services.network
    service = services.wallet_service()
    model = WalletModel(service, engine, services.connect_wallet)

    async def create(new: NewWallet) -> str:
        chosen = new.document.network
        if new.server:
            # Typed in the wizard for a network without a public explorer: kept in the
            # settings, where the CLI finds it too.
            services.remember_insight(chosen, [new.server])
        if chosen == network:
            problem = await model.create(new.document, new.password, remember=new.remember)
            return "Wallet created." + (f" It is not remembered on this device: {problem}"
                                        if problem else "")
        await engine.call(_write_other_network(services, new))
        services.settings.network = chosen
        services.save_settings()
        return (f"Your {chosen} wallet is ready. Restart FluxDesk to switch from {network} "
                f"to {chosen}.")

    def make_flow() -> WalletWizard:
        offered = NETWORKS if network != "mainnet" else ("mainnet",)
        return WalletWizard(create, network=network, networks=offered)

    entries = [
        PageEntry.of(OverviewPage, lambda: OverviewPage(model, make_flow)),
        PageEntry.of(SendPage, lambda: SendPage(model)),
        PageEntry.of(ReceivePage, lambda: ReceivePage(model)),
        PageEntry.of(HistoryPage, lambda: HistoryPage(model)),
        PageEntry.of(CoinsPage, lambda: CoinsPage(model)),
        PageEntry.of(AddressesPage, lambda: AddressesPage(model)),
        PageEntry.of(SecurityPage, lambda: SecurityPage(model)),
    ]
    return WalletUi(model, entries, service)


async def _write_other_network(services: Services, new: NewWallet) -> None:
    """A wallet for another network than this run's: written (one key derivation), not opened."""
    wallet = await services.wallet_store(new.document.network).create_async(
        new.document, new.password)
    try:
        if new.remember:
            wallet.remember_on_device()
    except WalletError as exc:
        log.warning("the new wallet is not remembered on this device: %s", exc)
    finally:
        wallet.lock()

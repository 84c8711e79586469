"""Builds the wallet side of the GUI: WalletService (from app/services.py), its Qt model, the
first-run wizard and the pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from app.services import Services
from app.settings import NETWORKS
from ui.concurrency import Engine
from ui.main_window import MainWindow
from ui.pages.base import Page, PageEntry, translated
from ui.wallet.activity import ActivityWatcher
from ui.wallet.nodes_model import SETUP_PAGE, NodesModel
from ui.wallet.overview import OverviewPage
from ui.wallet.wallet_model import WalletModel
from wallet.errors import BackendUnavailable, WalletError
from wallet.state import Connection

if TYPE_CHECKING:
    from wallet.nodes.manager import NodeManager
    from wallet.service import WalletService
    from wallet.wizard import NewWallet, WalletWizard

log = logging.getLogger(__name__)


@dataclass
class WalletUi:
    model: WalletModel
    nodes: NodesModel
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
        self.nodes.page_requested.connect(window.show_page)
        setup_available = SETUP_PAGE in window.page_ids()
        for entry in self.entries:
            entry.when_built(lambda page: _offer_setup(page, setup_available))
        app = QApplication.instance()
        if app is not None:
            self.activity = ActivityWatcher(self.model)
            app.installEventFilter(self.activity)


NODES_PAGE = "nodes"


def _offer_setup(page: Page, available: bool) -> None:
    if page.page_id == NODES_PAGE:
        from ui.wallet.nodes import NodesPage  # loaded already: the page is built

        assert isinstance(page, NodesPage)
        page.set_setup_available(available)


def _entry(page_id: str, order: int, kind: str, title: str,
           build: Callable[[], Page]) -> PageEntry:
    """An entry whose page module is imported by ``build`` when the page is first shown; its id,
    order and title are the page class's (``kind``), checked by the entry and the tests."""
    return PageEntry(page_id, order, lambda: translated(kind, title), build)


def build_wallet_ui(services: Services, engine: Engine) -> WalletUi:
    network = services.network
    service = services.wallet_service()
    model = WalletModel(service, engine, services.connect_wallet)

    def make_manager() -> NodeManager:
        # On the engine, at first use: the node lists come from the wallet's first Insight
        # server (the filtered lists, never the whole ~7 MiB list).
        servers = services.insight_servers(network)
        if not servers:
            raise BackendUnavailable(
                f"No Insight server is known for {network}, so the node lists cannot be read. "
                "Add your server in the settings (servers), then refresh.")
        from wallet.nodes.client import NodeListsClient
        from wallet.nodes.manager import NodeManager

        return NodeManager(service, NodeListsClient(servers[0]))

    nodes = NodesModel(model, make_manager, engine)

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
        from wallet.wizard import WalletWizard

        offered = NETWORKS if network != "mainnet" else ("mainnet",)
        return WalletWizard(create, network=network, networks=offered)

    # Each page module is imported when its page is first shown; the overview is the first page.
    def send_page() -> Page:
        from ui.wallet.send import SendPage

        return SendPage(model)

    def receive_page() -> Page:
        from ui.wallet.receive import ReceivePage

        return ReceivePage(model)

    def history_page() -> Page:
        from ui.wallet.history import HistoryPage

        return HistoryPage(model)

    def coins_page() -> Page:
        from ui.wallet.coins import CoinsPage

        return CoinsPage(model, nodes)

    def nodes_page() -> Page:
        from ui.wallet.nodes import NodesPage

        return NodesPage(nodes)

    def addresses_page() -> Page:
        from ui.wallet.addresses import AddressesPage

        return AddressesPage(model)

    def security_page() -> Page:
        from ui.wallet.security import SecurityPage

        return SecurityPage(model)

    entries = [
        PageEntry.of(OverviewPage, lambda: OverviewPage(model, make_flow)),
        _entry("wallet-send", 110, "SendPage", "Send", send_page),
        _entry("wallet-receive", 120, "ReceivePage", "Receive", receive_page),
        _entry("wallet-history", 130, "HistoryPage", "History", history_page),
        _entry("wallet-coins", 140, "CoinsPage", "Coins", coins_page),
        _entry(NODES_PAGE, 145, "NodesPage", "Nodes", nodes_page),
        _entry("wallet-addresses", 150, "AddressesPage", "Addresses", addresses_page),
        _entry("wallet-security", 160, "SecurityPage", "Security", security_page),
    ]
    return WalletUi(model, nodes, entries, service)


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

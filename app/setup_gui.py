"""Builds the GUI side of the one-click setup: its Qt service on the app's engine, the `setup`
page, and the links to it from the wallet's fresh-install choice and overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services import Services
from app.wallet_wiring import WalletUi
from nodesetup.store import SetupStore
from ui.concurrency import Engine
from ui.main_window import MainWindow
from ui.pages.base import Page, PageEntry, translated
from ui.setup_service import PortsFactory, SetupService, Waiter
from ui.wallet.nodes_model import SETUP_PAGE
from ui.wallet.overview import OverviewPage
from wallet.state import WalletStatus

if TYPE_CHECKING:
    from app.setup_wiring import Setup

# The page's place in the sidebar (ui/pages/setup.py), known before its module is imported.
SETUP_ORDER = 200


@dataclass
class SetupUi:
    """The GUI's side: the Qt service (on the app's engine) and the `setup` page's entry (the
    page and its module are built when first shown)."""

    service: SetupService
    entry: PageEntry

    @property
    def page(self) -> Page:
        return self.entry.page()

    def attach_window(self, window: MainWindow, wallet: WalletUi) -> None:
        """Navigation: the fresh-install choice and the wallet overview link to the page."""

        def show() -> None:
            window.show_page(SETUP_PAGE)

        def link(page: Page) -> None:
            gate = getattr(page, "no_wallet", None)
            if gate is not None and hasattr(gate, "offer_setup"):
                gate.offer_setup(show)
            if isinstance(page, OverviewPage):
                from ui.setup_widgets import summary_line

                page.setup_link.connect(show)
                self.service.snapshot_changed.connect(
                    lambda snap: page.set_setup_line(summary_line(snap)))
                page.set_setup_line(summary_line(self.service.snapshot))  # read before

        for entry in wallet.entries:
            entry.when_built(link)


def build_setup_ui(services: Services, wallet: WalletUi, engine: Engine, *,
                   make_ports: PortsFactory | None = None,
                   wait: Waiter | None = None) -> SetupUi:
    """The page's service builds the real ports on the engine at every run, with the
    Insight servers of the settings (or the wallet file's, for older wallets). Tests pass
    ``make_ports`` (the simulator, the sandbox) and ``wait`` (time passing)."""
    ctx, service = services.ctx, wallet.service

    async def real_ports() -> Setup:
        from app.setup_wiring import build_setup

        settings = service.document.settings if service.is_open else None
        servers = services.insight_servers(ctx.network, wallet_settings=settings)
        return build_setup(ctx.data_dir, ctx.network, service, servers)

    setup = SetupService(SetupStore.in_data_dir(ctx.data_dir), make_ports or real_ports,
                         engine, wait=wait)
    model = wallet.model
    model.state_changed.connect(
        lambda state: setup.set_wallet_unlocked(state == WalletStatus.UNLOCKED))
    setup.set_wallet_unlocked(model.state == WalletStatus.UNLOCKED)
    def setup_page() -> Page:
        from ui.pages.setup import SetupPage

        return SetupPage(setup, model)

    def title() -> str:
        return translated("SetupPage", "Set up a FluxNode")

    return SetupUi(setup, PageEntry(SETUP_PAGE, SETUP_ORDER, title, setup_page))

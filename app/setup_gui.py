"""Builds the GUI side of the one-click setup: its Qt service on the app's engine, the `setup`
page, and the links to it from the wallet's fresh-install choice and overview."""

from __future__ import annotations

from dataclasses import dataclass

from app.services import Services
from app.setup_wiring import Setup, build_setup
from app.wallet_wiring import WalletUi
from nodesetup.store import SetupStore
from ui.concurrency import Engine
from ui.main_window import MainWindow
from ui.pages.setup import SetupPage
from ui.setup_service import PortsFactory, SetupService, Waiter
from ui.setup_widgets import summary_line
from ui.wallet.overview import OverviewPage
from wallet.state import WalletStatus


@dataclass
class SetupUi:
    """The GUI's side: the Qt service (on the app's engine) and the `setup` page."""

    service: SetupService
    page: SetupPage

    def attach_window(self, window: MainWindow, wallet: WalletUi) -> None:
        """Navigation: the fresh-install choice and the wallet overview link to the page."""
        for page in wallet.pages:
            gate = getattr(page, "no_wallet", None)
            if gate is not None and hasattr(gate, "offer_setup"):
                gate.offer_setup(lambda: window.show_page(SetupPage.page_id))
        overview = next((p for p in wallet.pages if isinstance(p, OverviewPage)), None)
        if overview is not None:
            overview.setup_link.connect(lambda: window.show_page(SetupPage.page_id))
            self.service.snapshot_changed.connect(
                lambda snap: overview.set_setup_line(summary_line(snap)))


def build_setup_ui(services: Services, wallet: WalletUi, engine: Engine, *,
                   make_ports: PortsFactory | None = None,
                   wait: Waiter | None = None) -> SetupUi:
    """The page's service builds the real ports on the engine at every run, with the
    Insight servers of the settings (or the wallet file's, for older wallets). Tests pass
    ``make_ports`` (the simulator, the sandbox) and ``wait`` (time passing)."""
    ctx, service = services.ctx, wallet.service

    async def real_ports() -> Setup:
        settings = service.document.settings if service.is_open else None
        servers = services.insight_servers(ctx.network, wallet_settings=settings)
        return build_setup(ctx.data_dir, ctx.network, service, servers)

    setup = SetupService(SetupStore.in_data_dir(ctx.data_dir), make_ports or real_ports,
                         engine, wait=wait)
    model = wallet.model
    model.state_changed.connect(
        lambda state: setup.set_wallet_unlocked(state == WalletStatus.UNLOCKED))
    setup.set_wallet_unlocked(model.state == WalletStatus.UNLOCKED)
    return SetupUi(setup, SetupPage(setup, model))

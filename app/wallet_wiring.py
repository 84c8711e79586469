"""Builds the wallet side of the GUI: store, WalletService, engine, Qt service, wizard and pages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app import settings as app_settings
from app.context import AppContext
from app.gui_gc import collect_on_gui_thread
from app.gui_wallet_service import GuiWalletService
from app.wallet_engine import BackendFactory, WalletEngine
from app.wizard import WalletWizard, default_wallet_path, password_feedback
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
from wallet.backends.base import AddressBalance, ChainBackend, Utxo
from wallet.backends.base import HistoryPage as ChainHistoryPage
from wallet.backends.insight import InsightBackend, servers_for
from wallet.backends.select import choose_backend, local_fluxd
from wallet.errors import BackendError, BackendUnavailable
from wallet.storage.crypto import KdfParams
from wallet.storage.model import WalletSettings
from wallet.storage.store import UnlockedWallet, WalletStore

log = logging.getLogger(__name__)
NETWORKS = ("mainnet", "testnet", "regtest")


class NoBackend:
    """The backend before the wallet is unlocked: its server list lives inside the wallet file."""

    def __init__(self, reason: str = "The wallet is locked; no server is contacted yet.") -> None:
        self.reason = reason

    @property
    def name(self) -> str:
        return "no server"

    def _fail(self) -> BackendUnavailable:
        return BackendUnavailable(self.reason)

    async def tip_height(self) -> int:
        raise self._fail()

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        raise self._fail()

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]:
        raise self._fail()

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> ChainHistoryPage:
        raise self._fail()

    async def raw_transaction(self, txid: str) -> str:
        raise self._fail()

    async def broadcast(self, raw_hex: str) -> str:
        raise self._fail()

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        raise self._fail()

    async def close(self) -> None:
        return None


def backend_factory(network: str) -> BackendFactory:
    async def backend_for(wallet_settings: WalletSettings) -> tuple[ChainBackend, str]:
        try:
            insight = InsightBackend(servers_for(network, wallet_settings.insight_servers))
        except BackendError as exc:
            return NoBackend(str(exc)), str(exc)
        fluxd = local_fluxd()[0] if wallet_settings.use_local_node else None
        selection = await choose_backend(insight, fluxd)
        if selection.backend is not insight:
            await insight.close()
        elif fluxd is not None:
            await fluxd.close()
        return selection.backend, selection.reason

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


def build_wallet_ui(
    ctx: AppContext, *, kdf: KdfParams | None = None, wallet_path: Path | None = None
) -> WalletUi:
    network = ctx.network
    app = QApplication.instance()
    if isinstance(app, QApplication):
        collect_on_gui_thread(app)

    def store_for(net: str) -> WalletStore:
        path = wallet_path if (wallet_path and net == network) else default_wallet_path(
            ctx.data_dir, net)
        return WalletStore(path, kdf=kdf)

    service = GuiWalletService(store_for(network), NoBackend(), network=network)
    engine = WalletEngine(service, backend_factory(network))
    qt = WalletQt(engine)

    async def created(wallet: UnlockedWallet, password: str) -> str:
        chosen = wallet.document.network
        wallet.lock()
        if chosen != network:
            ctx.settings.network = chosen
            app_settings.save(ctx.data_dir, ctx.settings)
            return (f"Your {chosen} wallet is ready. Restart FluxDesk to switch from {network} "
                    f"to {chosen}.")
        await qt.unlock(password)
        return "Wallet created."

    def make_flow() -> WalletWizard:
        offered = NETWORKS if network != "mainnet" else ("mainnet",)
        return WalletWizard(store_for, network=network, networks=offered, on_created=created)

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

"""Fixtures for wallet GUI tests: a cheap KDF so creating a wallet file takes milliseconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.services import NoBackend, Services
from app.wallet_wiring import WalletUi, build_wallet_ui
from flux.money import COIN
from tests.conftest import complete
from tests.sim.server import SimNetwork
from ui.concurrency import Engine
from wallet.keychain import Keychain
from wallet.service import WalletService
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore
from wallet.wizard import NewWallet, WalletWizard

T = TypeVar("T")
# BIP39 test vector phrase (public, holds nothing).
MNEMONIC_12 = "legal winner thank year wave sausage worth useful legal winner thank yellow"
GOOD_PASSWORD = "Correct-Horse-42"


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)


class Created:
    """Writes what the wizard collected through a WalletService, as the app does."""

    def __init__(self, path: Path, kdf: KdfParams) -> None:
        self.path = path
        self.kdf = kdf
        self.services: list[WalletService] = []
        self.new: list[NewWallet] = []

    async def __call__(self, new: NewWallet) -> str:
        service = WalletService(WalletStore(self.path, kdf=self.kdf), NoBackend(),
                                network=new.document.network)
        await service.create_from(new.document, new.password)
        self.services.append(service)
        self.new.append(new)
        return "Wallet created."


@pytest.fixture
def created(tmp_path: Path, fast_kdf: KdfParams) -> Created:
    return Created(tmp_path / "wallets" / "regtest" / "default.fluxwallet", fast_kdf)


@pytest.fixture
def wizard(created: Created) -> WalletWizard:
    wizard = WalletWizard(created, network="regtest")
    # Regtest has no public explorer; the wizard asks for the user's own server.
    wizard.set_server("http://127.0.0.1:9/api")
    return wizard




@dataclass
class SimWallet:
    """A regtest wallet file pointed at a running simulator, and the GUI's wallet side for it."""

    sim: SimNetwork
    ctx: AppContext
    ui: WalletUi
    addresses: list[str]
    qtbot: QtBot
    engine: Engine

    def run(self, done: Callable[[], bool], timeout: float = 20) -> None:
        self.qtbot.waitUntil(done, timeout=int(timeout * 1000))

    def complete(self, awaitable: Awaitable[T], timeout: float = 20) -> T:
        return complete(self.qtbot, awaitable, timeout)

    def sync(self) -> None:
        self.complete(self.ui.model.sync())


def regtest_addresses(count: int, chain: int = 0) -> list[str]:
    doc = WalletDocument(kind=HdSeed(MNEMONIC_12), network="regtest")
    keychain = Keychain.from_document(doc)
    return [keychain.derive(chain, i).address for i in range(count)]


def sim_services(data_dir: Path, sim: SimNetwork, kdf: KdfParams) -> Services:
    """The app's composition for `data_dir`, with the simulator as the only server."""
    loaded = settings.load(data_dir)
    loaded.servers.insight["regtest"] = [sim.insight_url]
    loaded.servers.use_local_node = False
    settings.save(data_dir, loaded)
    ctx = AppContext(data_dir=data_dir, network="regtest", settings=loaded,
                     log_path=data_dir / "log.txt", logger=logging.getLogger("test"))
    return Services(ctx, kdf=kdf)


def write_sim_wallet(path: Path, kdf: KdfParams) -> None:
    doc = WalletDocument(kind=HdSeed(MNEMONIC_12), network="regtest", name="Sim")
    WalletStore(path, kdf=kdf).create(doc, GOOD_PASSWORD).lock()


@pytest.fixture
def sim_wallet(
    qt_loop: asyncio.AbstractEventLoop, qtbot: QtBot, data_dir: Path, fast_kdf: KdfParams,
    engine: Engine,
) -> Iterator[SimWallet]:
    """Simulator on the test's qasync loop (so GUI coroutines and servers share it), a funded
    regtest wallet (3 coins of 20, 30 and 40 FLUX on receive addresses 0 and 1)."""
    sim = complete(qtbot, SimNetwork().start())
    addresses = regtest_addresses(2)
    for address, flux in ((addresses[0], 20), (addresses[1], 30), (addresses[0], 40)):
        sim.fund(address, flux * COIN)
    services = sim_services(data_dir, sim, fast_kdf)
    write_sim_wallet(services.wallet_path(), fast_kdf)
    ui = build_wallet_ui(services, engine)
    try:
        yield SimWallet(sim, services.ctx, ui, addresses, qtbot, engine)
    finally:
        ui.model.lock()
        complete(qtbot, ui.model.close())
        complete(qtbot, sim.close())
        for page in ui.pages:
            if shiboken6.isValid(page):
                page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

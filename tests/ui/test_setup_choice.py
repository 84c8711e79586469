"""A fresh install (no wallet file) opens on the choice between the wallet and the node setup;
the setup page is registered in the app and sends a person without a wallet to the wizard."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.gui import Gui
from ui.pages.setup import SetupPage
from ui.wallet.overview import OverviewPage
from ui.wallet.wizard_view import WizardView

pytestmark = pytest.mark.gui


@pytest.fixture
def gui(qtbot: QtBot, qapp: QApplication, data_dir: Path, qasync_loop):  # type: ignore[no-untyped-def]
    ctx = AppContext(data_dir=data_dir, network="regtest", settings=settings.load(data_dir),
                     log_path=data_dir / "logs" / "fluxdesk.log",
                     logger=logging.getLogger("test"))
    gui = Gui(ctx, qapp)
    qtbot.addWidget(gui.window)
    yield gui
    qasync_loop.run_until_complete(gui.closer.wait())


def test_a_fresh_install_opens_on_the_wallet_or_node_choice(gui: Gui, qtbot: QtBot) -> None:
    window = gui.window
    window.show()
    assert "setup" in window.page_ids()
    assert window.current_page_id() == "wallet"
    overview = window.stack.currentWidget()
    assert isinstance(overview, OverviewPage)
    choice = overview.no_wallet
    assert choice.button.isVisible() and choice.setup_button.isVisible()
    assert choice.setup_button.text() == "Set up a FluxNode"

    qtbot.mouseClick(choice.setup_button, Qt.MouseButton.LeftButton)
    assert window.current_page_id() == "setup"
    page = window.stack.currentWidget()
    assert isinstance(page, SetupPage)
    assert page.no_wallet.isVisible() and not page.unlock.isVisible()
    assert not page.start_button.isEnabled()

    qtbot.mouseClick(page.wallet_button, Qt.MouseButton.LeftButton)
    assert window.current_page_id() == "wallet"
    assert isinstance(overview.gate.currentWidget(), WizardView)  # the wallet wizard works

""""New address" on the Receive page survives closing and reopening the app, offline too, and
the fresh address is watched by the next sync."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services import Services
from app.wallet_wiring import WalletUi, build_wallet_ui
from flux.money import COIN
from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet, regtest_addresses
from ui.wallet.receive import ReceivePage
from wallet.storage.crypto import KdfParams

pytestmark = pytest.mark.gui


def receive_page(ui: WalletUi, qtbot: QtBot) -> ReceivePage:
    page = next(p for p in ui.pages if isinstance(p, ReceivePage))
    qtbot.addWidget(page)
    page.show()
    return page


def close(sw: SimWallet, ui: WalletUi, keep: ReceivePage) -> None:
    ui.model.lock()
    sw.complete(ui.model.close())
    for page in ui.pages:
        if page is not keep and shiboken6.isValid(page):
            page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_new_address_is_shown_again_after_a_restart(
    sim_wallet: SimWallet, qtbot: QtBot, fast_kdf: KdfParams
) -> None:
    sw = sim_wallet
    page = receive_page(sw.ui, qtbot)
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    addresses = regtest_addresses(5)
    assert page.address.text() == addresses[2]  # 0 and 1 hold the fixture's coins
    page.new_button.click()
    sw.run(lambda: page.address.text() == addresses[3])
    # Quit: the app's wallet side goes away; a new one is built from the same data dir.
    sw.ui.model.lock()

    sw.complete(sw.sim.stop_server("insight"))
    offline = build_wallet_ui(Services(sw.ctx, kdf=fast_kdf), sw.engine)
    shown = receive_page(offline, qtbot)
    sw.complete(offline.model.unlock(GOOD_PASSWORD))
    sw.complete(offline.model.wait_synced())
    assert offline.model.sync_error
    sw.run(lambda: shown.address.text() == addresses[3])
    assert shown.qr.text() == addresses[3]
    close(sw, offline, shown)

    sw.complete(sw.sim.start_server("insight"))
    online = build_wallet_ui(Services(sw.ctx, kdf=fast_kdf), sw.engine)
    again = receive_page(online, qtbot)
    sw.complete(online.model.unlock(GOOD_PASSWORD))
    sw.complete(online.model.wait_synced())
    assert not online.model.sync_error
    sw.run(lambda: again.address.text() == addresses[3])
    # A payment to it is seen (the sync watches it) and the page moves on to the next one.
    sw.sim.fund(addresses[3], 5 * COIN)
    sw.complete(online.model.sync())
    sw.run(lambda: again.address.text() == addresses[4])
    assert online.model.snapshot is not None
    assert online.model.snapshot.balances.total == 95 * COIN
    close(sw, online, again)

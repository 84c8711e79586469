"""Watch-only wallets say so (overview, Send); the unlock screen names the wallet, takes the
password at once and says how to restore from the seed when it is lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.overview import OverviewPage
from ui.wallet.send import SendPage

pytestmark = pytest.mark.gui


def test_unlock_screen_names_the_wallet_focuses_and_explains_recovery(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    page = next(p for p in sim_wallet.ui.pages if isinstance(p, OverviewPage))
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    form = page.unlock_form
    assert page.gate.currentWidget() is form
    assert "default" in form.which.text() and "regtest" in form.which.text()
    assert "seed words" in form.lost.text()
    qtbot.waitUntil(form.password.hasFocus, timeout=2000)


def test_watch_only_wallet_says_it_cannot_send(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    overview = next(p for p in sw.ui.pages if isinstance(p, OverviewPage))
    send = next(p for p in sw.ui.pages if isinstance(p, SendPage))
    for page in (overview, send):
        qtbot.addWidget(page)
        page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    assert not overview.watch_only.isVisible()
    snapshot = sw.ui.model.snapshot
    assert snapshot is not None
    sw.ui.model.snapshot = replace(snapshot, watch_only=True)
    overview.refresh()
    send.refresh()
    assert overview.watch_only.isVisible() and "cannot send" in overview.watch_only.text()
    assert not send.review_button.isEnabled() and not send.max_button.isEnabled()
    assert "cannot sign" in send.error.text()

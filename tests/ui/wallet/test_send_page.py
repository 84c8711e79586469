"""Send page: spendable balance, what Max sends, each fee preset's rate and fee, the "Sent."
panel cleared by a new payment, one error per problem."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from tests.ui.wallet.test_wallet_sim import _review_and_broadcast
from ui.wallet.send import SendPage
from wallet.coinselect import payment_size
from wallet.send import fee_rate_for

pytestmark = pytest.mark.gui


def _send_page(sw: SimWallet, qtbot: QtBot) -> SendPage:
    page = next(p for p in sw.ui.pages if isinstance(p, SendPage))
    qtbot.addWidget(page)
    page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    return page


def test_spendable_max_and_fee_presets(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    page = _send_page(sw, qtbot)
    sw.run(lambda: page.spendable.text() == "Spendable: 90 REG")
    texts = [page.fee.itemText(i) for i in range(page.fee.count())]
    assert len(texts) == 3
    point = QLocale().decimalPoint()
    for value, text in zip(("slow", "normal", "fast"), texts, strict=True):
        rate = fee_rate_for(value)
        fee = rate.fee(payment_size())
        assert f"{rate.sat_per_byte:g} sat/byte" in text
        assert f"0{point}{fee:08d}".rstrip("0") + " REG" in text
    page.max_button.click()
    sw.run(lambda: page.max_note.text().startswith("Max sends"))
    assert page.amount.text() == "max"
    # 90 REG minus a fee: the note names the exact amount the review will send.
    assert "89" in page.max_note.text() and "fee" in page.max_note.text()


def test_new_payment_clears_sent_panel_and_errors_are_said_once(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    sw = sim_wallet
    page = _send_page(sw, qtbot)
    txid = _review_and_broadcast(sw, page, sw.sim.faucet.address, "1")
    assert txid and not page.sent.isHidden()
    qtbot.keyClicks(page.amount, "2")
    assert page.sent.isHidden()
    # A bad address is said under the address, not a second time below the form.
    page.address.setText("t1notanaddress")
    page.review_button.click()
    qtbot.wait(50)
    assert page.address_note.text() and page.address_note.property("state") == "bad"
    assert page.error.text() == "" and page.dialog is None

"""Receive: amount and description make a payment URI in the QR; the shown address is listed
under Addresses."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.receive import ReceivePage

pytestmark = pytest.mark.gui


def test_payment_request_in_the_qr_and_address_listed(sim_wallet: SimWallet,
                                                      qtbot: QtBot) -> None:
    sw = sim_wallet
    page = next(p for p in sw.ui.pages if isinstance(p, ReceivePage))
    qtbot.addWidget(page)
    page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    address = page.address.text()
    assert address and page.qr.text() == address
    page.amount.setText("1.5")
    page.description.setText("rent june")
    assert page.qr.text() == f"flux:{address}?amount=1.5&message=rent%20june"
    page.link_button.click()
    assert QApplication.clipboard().text() == page.qr.text()
    page.zelcore_button.click()
    assert QApplication.clipboard().text().startswith(
        f"zel:?action=pay&coin=zelcash&address={address}&amount=1.5")
    page.amount.setText("1.123456789")
    assert page.qr.text() == address and page.request_note.property("state") == "bad"
    snapshot = sw.ui.model.snapshot
    assert snapshot is not None
    assert address in {a.address for a in snapshot.addresses if a.chain == "receive"}
    page.new_button.click()
    sw.run(lambda: page.address.text() != address)
    fresh = page.address.text()
    sw.run(lambda: sw.ui.model.snapshot is not None and fresh in {
        a.address for a in sw.ui.model.snapshot.addresses})

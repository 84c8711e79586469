"""Offline start: the last known view from the wallet file, marked stale, with the error and a
Retry; Receive never hands out an address known to be used."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from flux.money import COIN
from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet, regtest_addresses
from ui.wallet.overview import OverviewPage
from wallet.storage.store import WalletStore

pytestmark = pytest.mark.gui


def test_offline_start_shows_last_known_balance_with_banner_and_retry(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    sw = sim_wallet
    model = sw.ui.model
    page = next(p for p in sw.ui.pages if isinstance(p, OverviewPage))
    qtbot.addWidget(page)
    page.resize(960, 640)
    page.show()
    sw.complete(model.unlock(GOOD_PASSWORD))
    sw.complete(model.wait_synced())
    assert model.snapshot is not None and model.snapshot.balances.total == 90 * COIN
    assert model.snapshot.as_of is None and not page.stale.isVisible()
    model.lock()

    sw.complete(sw.sim.stop_server("insight"))
    sw.complete(model.unlock(GOOD_PASSWORD))
    # Before any server answers: the file's view, not zero.
    snapshot = model.snapshot
    assert snapshot is not None and snapshot.as_of is not None
    assert snapshot.balances.total == 90 * COIN and len(snapshot.coins) == 3
    assert len(model.history_rows) == 3
    sw.complete(model.wait_synced())
    assert model.sync_error
    sw.run(page.stale.isVisible)
    assert "server unreachable" in page.stale.headline.text()
    assert page.stale.detail.text() == model.sync_error
    assert page.stale.retry.isVisible()
    assert page.total.text().startswith("90")
    # The banner wraps inside the window instead of widening it.
    assert page.stale.width() <= page.width()
    # Addresses 0 and 1 hold coins: never hand them out again.
    assert snapshot.receive_address == regtest_addresses(3)[2]

    sw.complete(sw.sim.start_server("insight"))
    page.stale.retry.click()
    sw.run(lambda: not model.sync_error and not page.stale.isVisible())
    assert model.snapshot is not None and model.snapshot.as_of is None


def test_the_last_known_view_is_encrypted_in_the_file(sim_wallet: SimWallet) -> None:
    sw = sim_wallet
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    path = sw.ui.model._store.path
    raw = path.read_bytes()
    assert sw.addresses[0].encode() not in raw and b"last_known" not in raw
    sw.ui.model.lock()
    wallet = WalletStore(path).open(GOOD_PASSWORD)
    try:
        known = wallet.document.last_known
        assert known is not None and known.balances["total"] == 90 * COIN
    finally:
        wallet.lock()

"""Coins and History tables: fit the default window, short txids with the full one in the
tooltip and on the clipboard, unconfirmed coins named so, every row selectable and copyable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.coins import ADDRESS, OUTPUT, STATE, CoinsPage
from ui.wallet.history import HistoryPage
from ui.wallet.history_model import TXID

pytestmark = pytest.mark.gui
# The content area of the 960 px window (the sidebar takes the rest).
CONTENT_WIDTH = 740


def _page(sw: SimWallet, qtbot: QtBot, kind: type) -> object:
    page = next(p for p in sw.ui.pages if isinstance(p, kind))
    qtbot.addWidget(page)
    page.resize(CONTENT_WIDTH, 600)
    page.show()
    return page


def test_coins_say_unconfirmed_copy_outpoints_and_fit(sim_wallet: SimWallet,
                                                     qtbot: QtBot) -> None:
    sw = sim_wallet
    page = _page(sw, qtbot, CoinsPage)
    assert isinstance(page, CoinsPage)
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    snapshot = sw.ui.model.snapshot
    assert snapshot is not None
    first, second, third = snapshot.coins
    sw.ui.model.snapshot = replace(
        snapshot, coins=(replace(first, confirmations=0, height=None),
                         replace(second, locked=True), third))
    page.refresh()
    states = [page.table.item(r, STATE).text() for r in range(3)]
    assert states[0] == "Unconfirmed" and states[1].startswith("Locked")
    # A state reads whole in its column (the longer collateral wording is in the tooltip).
    metrics = page.table.fontMetrics()
    for text in states:
        assert metrics.horizontalAdvance(text) + 12 <= page.table.columnWidth(STATE), text
    output = page.table.item(0, OUTPUT)
    assert output.toolTip() == f"{first.txid}:{first.vout}" and len(output.text()) < 30
    assert page.table.item(0, ADDRESS).toolTip() == first.address
    # Collateral rows can be selected and copied too; actions still leave them alone.
    page.table.selectAll()
    assert len(page.selected()) == 2
    QApplication.clipboard().clear()
    page.copy_action.trigger()
    assert QApplication.clipboard().text().splitlines() == [
        f"{c.txid}:{c.vout}" for c in (first, second, third)]
    qtbot.wait(20)
    assert not page.table.horizontalScrollBar().isVisible()


def test_history_rows_copy_the_full_txid_and_fit(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    page = _page(sw, qtbot, HistoryPage)
    assert isinstance(page, HistoryPage)
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    sw.run(lambda: page.model.rowCount() == 3)
    row = page.model.row_at(0)
    index = page.model.index(0, TXID)
    assert page.model.data(index) != row.txid and row.txid.startswith(
        page.model.data(index)[:8])
    assert page.model.data(index, 3) == row.txid  # ToolTipRole
    page.table.selectRow(0)
    QApplication.clipboard().clear()
    page.copy_action.trigger()
    assert QApplication.clipboard().text() == page.proxy.row_at(0).txid
    qtbot.wait(20)
    assert not page.table.horizontalScrollBar().isVisible()

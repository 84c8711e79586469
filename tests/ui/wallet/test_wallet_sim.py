"""The wallet pages against the simulator over real HTTP: unlock, send with review and broadcast,
history, coin control. Servers and GUI coroutines share the test's qasync loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.paths import DataPaths
from flux.money import COIN
from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.coins import CoinsPage
from ui.wallet.history import HistoryPage
from ui.wallet.overview import OverviewPage
from ui.wallet.review import ReviewDialog
from ui.wallet.send import SendPage
from wallet import send as wsend
from wallet.state import Coin, WalletStatus
from wallet.storage.store import WalletStore

pytestmark = pytest.mark.gui


def _page(sw: SimWallet, kind: type) -> object:
    return next(p for p in sw.ui.pages if isinstance(p, kind))


def _shown(sw: SimWallet, qtbot: QtBot, kind: type) -> object:
    """The page, shown as when the user opens it (hidden pages refresh lazily)."""
    page = _page(sw, kind)
    qtbot.addWidget(page)
    page.show()  # type: ignore[attr-defined]
    return page


def _unlock(sw: SimWallet, qtbot: QtBot) -> OverviewPage:
    overview = _page(sw, OverviewPage)
    assert isinstance(overview, OverviewPage)
    qtbot.addWidget(overview)
    assert overview.gate.currentWidget() is overview.unlock_form
    overview.unlock_form.password.setText(GOOD_PASSWORD)
    overview.unlock_form.unlock_button.click()
    sw.run(lambda: len(sw.ui.model.history_rows) == 3)
    assert sw.ui.model.state == WalletStatus.UNLOCKED
    assert overview.gate.currentWidget() is overview.content
    return overview


def _review_and_broadcast(sw: SimWallet, send: SendPage, to: str, amount: str) -> str:
    send.address.setText(to)
    send.amount.setText(amount)
    send.review_button.click()
    sw.run(lambda: send.dialog is not None and send.dialog.isVisible())
    dialog = send.dialog
    assert isinstance(dialog, ReviewDialog)
    send.dialog = None
    dialog.broadcast_button.click()
    sw.run(lambda: not send.sent.isHidden() or bool(send.error.text()))
    assert not send.error.text()
    return send.sent.txid.text()


def test_unlock_send_review_broadcast_and_history(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    overview = _unlock(sw, qtbot)
    assert overview.total.text() == "90 REG"
    send = _shown(sw, qtbot, SendPage)
    assert isinstance(send, SendPage)
    send.address.setText(sw.sim.faucet.address)
    send.amount.setText("12.5")
    send.message.setText("rent for june")
    send.review_button.click()
    sw.run(lambda: send.dialog is not None and send.dialog.isVisible())
    dialog = send.dialog
    assert isinstance(dialog, ReviewDialog)
    fields = {k: v.text() for k, v in dialog.fields.items()}
    assert fields["amount"] == "12.5 REG"
    assert sw.sim.faucet.address in fields["to1"]
    assert "at block" in fields["expiry"] and fields["message"] == "rent for june"
    review = dialog.review
    assert review.total == review.amount + review.fee and review.fee > 0
    # The change output that gets signed is shown with its address.
    assert isinstance(review, wsend.Review) and review.change > 0
    assert review.change_address and review.change_address in fields["change"]
    assert review.expiry_height == review.tip_height + 30
    assert dialog.cancel_button.isDefault() and not dialog.broadcast_button.isDefault()
    dialog.broadcast_button.click()
    sw.run(lambda: not send.sent.isHidden() or bool(send.error.text()))
    assert not send.error.text()
    txid = send.sent.txid.text()
    assert txid in sw.sim.chain.mempool
    history = _page(sw, HistoryPage)
    assert isinstance(history, HistoryPage)
    sw.run(lambda: history.model.find(txid) >= 0)
    row = history.model.row_at(history.model.find(txid))
    assert row.kind == "sent" and row.amount == -(review.amount + review.fee)
    assert row.texts[3] == "unconfirmed"
    sw.sim.mine(1)
    sw.sync()
    row = history.model.row_at(history.model.find(txid))
    assert row.confirmations == 1
    history.search.setText(txid[:10])
    history.apply_filter()
    assert history.proxy.rowCount() == 1 and history.proxy.row_at(0).txid == txid
    QApplication.clipboard().clear()
    send.sent.copy_button.click()
    assert QApplication.clipboard().text() == txid


def test_frozen_coin_is_avoided_by_the_next_send(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    _unlock(sw, qtbot)
    send = _shown(sw, qtbot, SendPage)
    coins = _shown(sw, qtbot, CoinsPage)
    assert isinstance(send, SendPage) and isinstance(coins, CoinsPage)
    first = sw.complete(sw.ui.model.prepare_send(send_request(sw, "15")))
    assert isinstance(first, wsend.Review)
    picked = {(i.txid, i.vout) for i in first.inputs}
    coins.select_outpoints(picked)
    assert coins.freeze_button.isEnabled()
    coins.freeze_button.click()
    sw.run(lambda: {c.outpoint for c in coins_of(sw) if c.frozen} == picked)
    assert "Frozen" in {coins.table.item(r, 0).text() for r in range(coins.table.rowCount())}
    txid = _review_and_broadcast(sw, send, sw.sim.faucet.address, "15")
    spent = {(i.prevout.txid_hex, i.prevout.index) for i in sw.sim.chain.mempool[txid].tx.inputs}
    assert spent and not spent & picked
    # Frozen stays frozen after a re-sync and in the file.
    sw.sync()
    assert {c.outpoint for c in coins_of(sw) if c.frozen} == picked
    stored = WalletStore(model_store_path(sw)).open(GOOD_PASSWORD)
    assert stored.document.frozen == picked


def test_coins_selected_for_a_send_are_the_only_inputs(sim_wallet: SimWallet,
                                                       qtbot: QtBot) -> None:
    sw = sim_wallet
    _unlock(sw, qtbot)
    coins = _shown(sw, qtbot, CoinsPage)
    send = _shown(sw, qtbot, SendPage)
    assert isinstance(coins, CoinsPage) and isinstance(send, SendPage)
    twenty = next(c for c in coins_of(sw) if c.satoshis == 20 * COIN)
    coins.select_outpoints({twenty.outpoint})
    coins.use_button.click()
    assert sw.ui.model.coin_selection == {twenty.outpoint}
    assert "Only the 1 coins" in send.coins_note.text()
    send.address.setText(sw.sim.faucet.address)
    send.amount.setText("25")
    send.review_button.click()
    sw.run(lambda: bool(send.error.text()))
    assert send.error.text().startswith("Spendable balance 20 REG does not cover")
    txid = _review_and_broadcast(sw, send, sw.sim.faucet.address, "5")
    spent = {(i.prevout.txid_hex, i.prevout.index) for i in sw.sim.chain.mempool[txid].tx.inputs}
    assert spent == {twenty.outpoint}
    assert sw.ui.model.coin_selection == frozenset()


def send_request(sw: SimWallet, amount: str) -> wsend.SendRequest:
    return wsend.SendRequest(to=sw.sim.faucet.address, amount=amount)


def coins_of(sw: SimWallet) -> tuple[Coin, ...]:
    snapshot = sw.ui.model.snapshot
    assert snapshot is not None
    return snapshot.coins


def model_store_path(sw: SimWallet) -> Path:
    return DataPaths(sw.ctx.data_dir).wallet("regtest")


def test_consolidate_rewards_merges_spendable_coins(sim_wallet: SimWallet, qtbot: QtBot) -> None:
    sw = sim_wallet
    _unlock(sw, qtbot)
    coins = _shown(sw, qtbot, CoinsPage)
    assert isinstance(coins, CoinsPage)
    coins.consolidate_button.click()
    sw.run(lambda: coins.dialog is not None and coins.dialog.isVisible())
    assert coins.dialog is not None
    assert "Merge 3 coins worth 90 REG" in coins.dialog.text()
    broadcast = next(b for b in coins.dialog.buttons() if b.text() == "Broadcast")
    broadcast.click()
    sw.run(lambda: "Sent 1 consolidation" in coins.summary.text())
    sw.sim.mine(1)
    sw.sync()
    left = coins_of(sw)
    assert len(left) == 1 and 89 * COIN < left[0].satoshis < 90 * COIN


def test_unclear_broadcast_is_shown_as_pending_and_says_not_to_resend(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    sw = sim_wallet
    _unlock(sw, qtbot)
    send = _shown(sw, qtbot, SendPage)
    assert isinstance(send, SendPage)
    send.address.setText(sw.sim.faucet.address)
    send.amount.setText("12.5")
    send.review_button.click()
    sw.run(lambda: send.dialog is not None and send.dialog.isVisible())
    dialog = send.dialog
    assert isinstance(dialog, ReviewDialog)
    faults = sw.sim.faults["insight"]
    faults.status, faults.only = 500, ("/tx/send",)
    dialog.broadcast_button.click()
    sw.run(lambda: bool(send.error.text()))
    faults.clear()
    assert "may have been sent" in send.error.text()
    assert "Do not send this payment again" in send.error.text()
    assert send.sent.isHidden()
    assert send.address.text() == "" and send.amount.text() == ""
    history = _page(sw, HistoryPage)
    assert isinstance(history, HistoryPage)
    sw.run(lambda: len(sw.ui.model.history_rows) == 4)
    pending = [r for r in sw.ui.model.history_rows if r.kind == "sent"]
    assert len(pending) == 1 and pending[0].confirmations == 0
    review = dialog.review
    assert isinstance(review, wsend.Review)
    coins = coins_of(sw)
    assert not {(i.txid, i.vout) for i in review.inputs} & {(c.txid, c.vout) for c in coins}

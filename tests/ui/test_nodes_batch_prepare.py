"""The Nodes page's "Start all…" and "Prepare collateral…" against tests/sim over HTTP: the
dialog lists what starts and what is skipped or refused and why, then each node's result; the
collateral goes tier → ReviewDialog → broadcast → a new candidate row with its maturity ETA;
too little money is refused in words with nothing sent. Screenshots at 960×640 land in
tmp_path (looked at by hand when the layout changes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from flux.money import COIN
from flux.networks import REGTEST
from tests.conftest import complete
from tests.sim.fluxnode_kit import CUMULUS
from tests.sim.fluxnodes import FluxnodeModel
from tests.ui.test_nodes_page_sim import add_node, nodes_page, refreshed, state_of, unlock
from tests.ui.wallet.conftest import (  # noqa: F401 - fixtures
    SimWallet,
    fast_kdf,
    sim_wallet,
)
from tests.ui.wallet.test_wallet_model import Calls, record_threads
from ui.wallet.collateral_prep import TierDialog
from ui.wallet.node_batch import StartAllDialog
from ui.wallet.nodes import NodesPage
from ui.wallet.review import ReviewDialog
from ui.wallet.units import money
from wallet.nodes.batch import Outcome

pytestmark = pytest.mark.gui


@pytest.fixture
def sw(sim_wallet: SimWallet) -> Iterator[SimWallet]:  # noqa: F811
    yield sim_wallet
    complete(sim_wallet.qtbot, sim_wallet.ui.nodes.close())


def shot(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    assert path.stat().st_size > 0


def big_page(sw: SimWallet, qtbot: QtBot) -> NodesPage:
    page = nodes_page(sw.ui, qtbot)
    page.resize(960, 640)
    unlock(sw, sw.ui)
    return page


def test_start_all_lists_skipped_and_refused_then_each_result(
        sw: SimWallet, qtbot: QtBot, tmp_path: Path) -> None:
    FluxnodeModel(sw.sim.chain)
    calls: Calls = []
    record_threads(sw.ui.service, calls)
    # Few blocks in all: the simulated block times must stay near this computer's clock.
    busy = sw.sim.fund(sw.addresses[0], CUMULUS)
    ripe = sw.sim.fund(sw.addresses[1], CUMULUS)
    spare = sw.sim.fund(sw.addresses[1], CUMULUS)  # no node: listed under the table
    sw.sim.mine(93)
    young = sw.sim.fund(sw.addresses[0], CUMULUS, confirmations=5)
    page = big_page(sw, qtbot)
    for name, coin in (("busy", busy), ("ripe", ripe), ("young", young)):
        add_node(sw, page, name, coin.txid).close()
    review = sw.complete(sw.ui.nodes.review_start("busy"))
    sw.complete(sw.ui.nodes.send_start(review), timeout=30)
    sw.sim.mine()
    refreshed(sw, sw.ui)
    assert state_of(page, "busy") == "Started"
    assert page.candidates.isVisible() and page.candidates.coins[0].outpoint[0] == spare.txid
    assert page.candidates.table.item(0, 4).text() == "now"  # type: ignore[union-attr]
    shot(page, tmp_path / "nodes_page.png")

    page.start_all_button.click()
    sw.run(lambda: isinstance(page.dialog, StartAllDialog), timeout=30)
    dialog = page.dialog
    assert isinstance(dialog, StartAllDialog)
    planned = {i.name: i for i in dialog.items}
    assert {n: i.outcome for n, i in planned.items()} == {
        "busy": Outcome.SKIPPED, "ripe": Outcome.READY, "young": Outcome.REFUSED}
    texts = [w.text() for w in dialog.rows.findChildren(type(dialog.title))]
    assert "Will start" in texts and "Skipped" in texts and "Not started" in texts
    assert any("already started" in t for t in texts)
    assert any("6/100 confirmations" in t for t in texts)
    assert dialog.start_button.text() == "Start 1 node(s)" and dialog.close_button.isDefault()
    assert not sw.sim.chain.mempool
    dialog.resize(720, 460)
    shot(dialog, tmp_path / "start_all_plan.png")

    dialog.start_button.click()
    sw.run(lambda: dialog.close_button.text() == "Close", timeout=30)
    done = {i.name: i for i in dialog.items}
    assert done["ripe"].outcome == Outcome.SENT and done["ripe"].txid is not None
    assert sw.sim.chain.in_mempool(done["ripe"].txid) and len(sw.sim.chain.mempool) == 1
    assert done["young"].outcome == Outcome.REFUSED and done["busy"].outcome == Outcome.SKIPPED
    assert dialog.title.text() == "Done: 1 started, 1 skipped, 1 not started"
    assert not dialog.start_button.isVisible()
    assert page.status.property("state") == "bad"  # one node was not started: said so
    shot(dialog, tmp_path / "start_all_result.png")
    dialog.close()
    sw.run(lambda: state_of(page, "ripe") == "Starting")
    assert {thread for _, thread in calls} == {sw.engine.thread.name}


def test_prepare_collateral_reviews_then_shows_the_new_candidate(
        sw: SimWallet, qtbot: QtBot, tmp_path: Path) -> None:
    calls: Calls = []
    record_threads(sw.ui.service, calls)
    sw.sim.fund(sw.addresses[0], 1_500 * COIN)
    page = big_page(sw, qtbot)
    assert page.stack.currentWidget() is page.empty and not page.candidates.isVisible()
    page.empty.prepare_button.click()
    tiers = page.dialog
    assert isinstance(tiers, TierDialog)
    assert tiers.choices["cumulus"].isEnabled() and tiers.choices["cumulus"].isChecked()
    assert not tiers.choices["nimbus"].isEnabled() and tiers.notes["nimbus"].isVisible()
    snapshot = sw.ui.model.snapshot
    assert snapshot is not None and snapshot.balances.spendable >= 1_500 * COIN
    spendable = money(snapshot.balances.spendable, REGTEST.currency_unit)
    assert f"Needs 12,500 REG plus a small fee; you can spend {spendable} now" \
        in tiers.notes["nimbus"].text()
    shot(tiers, tmp_path / "prepare_tiers.png")
    tiers.review_button.click()
    sw.run(lambda: isinstance(page.dialog, ReviewDialog), timeout=30)
    review = page.dialog
    assert isinstance(review, ReviewDialog)
    assert review.windowTitle() == "Review collateral payment"
    assert "1,000 REG" in review.fields["to1"].text()
    assert "Cumulus collateral" in review.fields["purpose"].text()
    assert review.cancel_button.isDefault() and not sw.sim.chain.mempool
    shot(review, tmp_path / "prepare_review.png")
    review.broadcast_button.click()
    sw.run(lambda: page.status.text().startswith("Collateral sent"), timeout=30)
    assert page.status.property("state") == "ok"
    assert "0/100 confirmations" in page.status.text() and "about 50 min" in page.status.text()
    [txid] = list(sw.sim.chain.mempool)
    sw.run(lambda: page.candidates.table.rowCount() == 1)
    assert page.candidates.isVisible()
    row = [page.candidates.table.item(0, c).text() for c in range(5)]  # type: ignore[union-attr]
    assert row[0] == "Cumulus" and row[1] == "1,000 REG" and row[2].startswith(txid[:10])
    assert row[3] == "0/100" and row[4] == "in ~50 min (100 blocks)"
    shot(page, tmp_path / "nodes_with_candidate.png")

    # One block later the ETA moves; "Add node with this coin…" opens Add node on it.
    sw.sim.mine()
    refreshed(sw, sw.ui)
    assert page.candidates.table.item(0, 4).text() == "in ~50 min (99 blocks)"  # type: ignore[union-attr]
    page.candidates.add_button.click()
    added = page.dialog
    assert added is not None and added.chosen().outpoint[0] == txid  # type: ignore[attr-defined]
    added.close()
    # Every wallet call of the flow ran on the engine thread, never on the GUI thread.
    assert {"prepare_send", "send", "edit"} <= {name for name, _ in calls}
    assert {thread for _, thread in calls} == {sw.engine.thread.name}


def test_prepare_collateral_with_too_little_says_so_and_sends_nothing(
        sw: SimWallet, qtbot: QtBot, tmp_path: Path) -> None:
    sw.sim.fund(sw.addresses[0], 800 * COIN)  # with the wallet's own 90: still short
    page = big_page(sw, qtbot)
    page.prepare_button.click()
    tiers = page.dialog
    assert isinstance(tiers, TierDialog)
    assert not any(b.isEnabled() for b in tiers.choices.values())
    assert tiers.none_note.isVisible() and not tiers.review_button.isEnabled()
    assert "does not cover any tier" in tiers.none_note.text()
    shot(tiers, tmp_path / "prepare_none.png")
    tiers.close()
    # Asked anyway (the balance moved meanwhile): the engine refuses in words.
    page.prep.review("cumulus")
    sw.run(lambda: page.status.text().startswith("Not enough to prepare"), timeout=30)
    assert page.status.property("state") == "bad" and "Nothing was sent" in page.status.text()
    assert not isinstance(page.dialog, ReviewDialog) and not sw.sim.chain.mempool
    assert isinstance(page.dialog, QDialog)

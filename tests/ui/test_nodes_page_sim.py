"""The Nodes page against tests/sim over real HTTP on 127.0.0.1: add a node, a refused START
with its ETA, review → broadcast → starting (kept across a restart) → started → confirmed →
paid, a refused second START; every WalletService call on the engine thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.wallet_wiring import WalletUi, build_wallet_ui
from flux.networks import REGTEST
from tests.conftest import complete
from tests.sim.fluxnode_kit import CUMULUS
from tests.sim.fluxnodes import FluxnodeModel
from tests.ui.wallet.conftest import (  # noqa: F401 - fixtures
    GOOD_PASSWORD,
    SimWallet,
    fast_kdf,
    sim_services,
    sim_wallet,
)
from tests.ui.wallet.test_wallet_model import Calls, record_threads
from ui.wallet.coins import OUTPOINT_ROLE, CoinsPage
from ui.wallet.node_dialogs import AddNodeDialog, NodeConfigDialog
from ui.wallet.node_review import StartReviewDialog
from ui.wallet.nodes import NodesPage
from ui.wallet.units import money
from wallet.fluxnode import create_identity_key, identity_pubkey_from_wif
from wallet.storage.crypto import KdfParams

pytestmark = pytest.mark.gui


def nodes_page(ui: WalletUi, qtbot: QtBot) -> NodesPage:
    page = next(p for p in ui.pages if isinstance(p, NodesPage))
    qtbot.addWidget(page)
    page.resize(900, 560)
    page.show()
    return page


def unlock(sw: SimWallet, ui: WalletUi) -> None:
    sw.complete(ui.model.unlock(GOOD_PASSWORD))
    sw.complete(ui.model.wait_synced())
    sw.run(lambda: ui.nodes.snapshot is not None, timeout=30)


def state_of(page: NodesPage, name: str) -> str:
    for row in range(page.table.rowCount()):
        item = page.table.item(row, 0)
        cell = page.table.item(row, 3)
        if item is not None and item.text() == name and cell is not None:
            return cell.text()
    return ""


def refreshed(sw: SimWallet, ui: WalletUi) -> None:
    sw.complete(ui.model.sync())
    sw.complete(ui.nodes.refresh(), timeout=30)


def add_node(sw: SimWallet, page: NodesPage, name: str, txid: str) -> NodeConfigDialog:
    page.add_button.click()
    dialog = page.dialog
    assert isinstance(dialog, AddNodeDialog)
    rows = [n for n, c in enumerate(dialog.candidates) if c.outpoint[0] == txid]
    dialog.table.selectRow(rows[0])
    dialog.name.setText(name)
    assert dialog.add_button.isEnabled(), dialog.problem.text()
    dialog.add_button.click()
    sw.run(lambda: isinstance(page.dialog, NodeConfigDialog))
    config = page.dialog
    assert isinstance(config, NodeConfigDialog)
    return config


def select(page: NodesPage, name: str) -> None:
    for row in range(page.table.rowCount()):
        item = page.table.item(row, 0)
        if item is not None and item.text() == name:
            page.table.selectRow(row)
    assert page.selected() is not None and page.selected().name == name  # type: ignore[union-attr]


@pytest.fixture
def sw(sim_wallet: SimWallet) -> Iterator[SimWallet]:  # noqa: F811
    """The simulator wallet; its node lists' HTTP session is closed after the test."""
    yield sim_wallet
    complete(sim_wallet.qtbot, sim_wallet.ui.nodes.close())


@pytest.fixture
def second_ui(sim_wallet: SimWallet, fast_kdf: KdfParams) -> Iterator[list[WalletUi]]:  # noqa: F811
    """A second GUI wallet side over the same data folder: FluxDesk after a restart."""
    made: list[WalletUi] = []
    yield made
    for ui in made:
        ui.model.lock()
        complete(sim_wallet.qtbot, ui.nodes.close())
        complete(sim_wallet.qtbot, ui.model.close())
        for page in ui.pages:
            if shiboken6.isValid(page):
                page.deleteLater()


def test_start_flow_from_add_to_paid(sw: SimWallet, qtbot: QtBot,
                                     fast_kdf: KdfParams,  # noqa: F811
                                     second_ui: list[WalletUi]) -> None:
    model = FluxnodeModel(sw.sim.chain)
    calls: Calls = []
    record_threads(sw.ui.service, calls)
    owner_address = sw.addresses[1]
    ripe = sw.sim.fund(owner_address, CUMULUS, confirmations=100)
    young = sw.sim.fund(sw.addresses[0], CUMULUS, confirmations=3)
    page = nodes_page(sw.ui, qtbot)
    unlock(sw, sw.ui)
    assert page.stack.currentWidget() is page.empty
    assert page.status.text() == ""  # the lists are read: no "Reading the node lists…" left
    assert page.flux_id.address.text().startswith("1")
    assert page.flux_id.qr.text() == page.flux_id.address.text()

    config = add_node(sw, page, "alpha", ripe.txid)
    wif = next(line.split("=", 1)[1] for line in config.flux_conf.toPlainText().splitlines()
               if line.startswith("zelnodeprivkey="))
    assert f"zelnodeoutpoint={ripe.txid}" in config.flux_conf.toPlainText()
    config.close()
    add_node(sw, page, "beta", young.txid).close()
    assert page.stack.currentWidget() is page.table
    assert state_of(page, "alpha") == "Not started"

    # Too young: refused before anything is signed, with the ETA.
    select(page, "beta")
    assert "ready" in page.table.item(page.table.currentRow(), 4).text()  # type: ignore[union-attr]
    page.start_button.click()
    sw.run(lambda: page.status.text().startswith("Not started"))
    assert "confirmations; start possible in" in page.status.text()
    assert page.status.property("state") == "bad"
    assert not isinstance(page.dialog, StartReviewDialog)

    # Review, then broadcast: "starting" until mined.
    select(page, "alpha")
    page.start_button.click()
    sw.run(lambda: isinstance(page.dialog, StartReviewDialog))
    review = page.dialog
    assert isinstance(review, StartReviewDialog)
    assert review.fields["collateral"].text() == f"{ripe.txid}:{ripe.vout}"
    assert review.fields["identity"].toolTip() == identity_pubkey_from_wif(wif).hex()
    assert owner_address in review.fields["signer"].text()
    assert review.fields["network"].text() == "regtest"
    review.broadcast_button.click()
    sw.run(lambda: "broadcast" in page.status.text() or "Not started" in page.status.text(),
           timeout=30)
    assert page.status.property("state") == "ok", page.status.text()
    sw.run(lambda: state_of(page, "alpha") == "Starting")
    assert page.start_button.text() == "Start again…"

    # A restart of FluxDesk still knows the START it sent.
    page.hide()
    again = build_wallet_ui(sim_services(sw.ctx.data_dir, sw.sim, fast_kdf), sw.engine)
    second_ui.append(again)
    other = nodes_page(again, qtbot)
    unlock(sw, again)
    sw.run(lambda: state_of(other, "alpha") == "Starting")
    other.hide()
    page.show()

    # Mined: started; a second START is refused, never reported as sent.
    sw.sim.mine()
    refreshed(sw, sw.ui)
    assert state_of(page, "alpha") == "Started"
    select(page, "alpha")
    page.start_button.click()
    sw.run(lambda: page.status.text().startswith("Not started: The node is already started"))
    assert not isinstance(page.dialog, StartReviewDialog) or not page.dialog.isVisible()

    # The node confirms and gets paid.
    model.run_node(identity_pubkey_from_wif(wif))
    sw.sim.mine(3)
    refreshed(sw, sw.ui)
    assert state_of(page, "alpha") == "Confirmed"
    snapshot = sw.ui.nodes.snapshot
    assert snapshot is not None
    alpha = snapshot.node("alpha")
    assert alpha is not None and alpha.rewards.month > 0
    row = next(r for r in range(page.table.rowCount())
               if page.table.item(r, 0).text() == "alpha")  # type: ignore[union-attr]
    rewards = page.table.item(row, 6).text()  # type: ignore[union-attr]
    assert rewards == money(alpha.rewards.month, REGTEST.currency_unit) and alpha.rewards.month > 0

    names = {name for name, _ in calls}
    assert {"sync", "edit"} <= names
    threads = {thread for _, thread in calls}
    assert threads == {sw.engine.thread.name}, [c for c in calls if c[1] != sw.engine.thread.name]


def test_coins_page_collateral_actions(sw: SimWallet, qtbot: QtBot) -> None:
    FluxnodeModel(sw.sim.chain)
    coin = sw.sim.fund(sw.addresses[1], CUMULUS, confirmations=2)
    coins = next(p for p in sw.ui.pages if isinstance(p, CoinsPage))
    qtbot.addWidget(coins)
    coins.show()
    asked: list[str] = []
    sw.ui.nodes.page_requested.connect(asked.append)
    nodes = next(p for p in sw.ui.pages if isinstance(p, NodesPage))
    qtbot.addWidget(nodes)
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    sw.run(lambda: sw.ui.nodes.snapshot is not None and coins.table.rowCount() == 4)

    def row_of(txid: str) -> int:
        return next(r for r in range(coins.table.rowCount())
                    if coins.table.item(r, 0).data(OUTPOINT_ROLE)[0] == txid)  # type: ignore[union-attr]

    def locked() -> bool:
        snapshot = sw.ui.model.snapshot
        assert snapshot is not None
        return next(c for c in snapshot.coins if c.txid == coin.txid).locked

    coins.table.selectRow(row_of(coin.txid))
    state = coins.table.item(row_of(coin.txid), 0)
    assert state is not None and state.text() == "Cumulus: decide (locked)"
    assert "candidate (locked until you decide)" in state.toolTip()
    assert coins.node_button.isEnabled() and coins.decide_button.isEnabled()
    assert not coins.freeze_button.isEnabled()  # a locked coin is not coin control's
    assert coins.decide_button.text() == "Not a collateral…"
    coins.decide_button.click()
    box = coins.dialog
    assert isinstance(box, QMessageBox)
    next(b for b in box.buttons() if b.text() == "Not a collateral").click()
    sw.run(lambda: not locked())
    sw.run(lambda: "spendable" in coins.summary.text())
    coins.table.selectRow(row_of(coin.txid))
    assert coins.decide_button.text() == "Lock as collateral"
    coins.decide_button.click()
    sw.run(lambda: "is a collateral (locked)" in coins.summary.text())
    assert locked()
    coins.table.selectRow(row_of(coin.txid))
    coins.node_button.click()
    assert asked == ["nodes"]
    dialog = nodes.dialog
    assert isinstance(dialog, AddNodeDialog)
    chosen = dialog.chosen()
    assert chosen is not None and chosen.outpoint == (coin.txid, coin.vout)
    dialog.reject()
    # A plain coin has no collateral actions.
    coins.table.selectRow(next(r for r in range(coins.table.rowCount()) if r != row_of(coin.txid)))
    assert not coins.node_button.isEnabled() and not coins.decide_button.isEnabled()


def test_export_then_import_fluxnode_conf(sw: SimWallet, qtbot: QtBot, tmp_path: Path) -> None:
    FluxnodeModel(sw.sim.chain)
    ripe = sw.sim.fund(sw.addresses[1], CUMULUS, confirmations=100)
    page = nodes_page(sw.ui, qtbot)
    unlock(sw, sw.ui)
    add_node(sw, page, "alpha", ripe.txid).close()
    target = tmp_path / "fluxnode.conf"
    page.export_conf(str(target))
    sw.run(lambda: page.status.text().startswith("Wrote 1 node(s)"))
    assert target.stat().st_mode & 0o777 == 0o600
    text = target.read_text()
    assert f" {ripe.txid} {ripe.vout}" in text
    other = create_identity_key().to_wif(REGTEST)
    source = tmp_path / "zelnode.conf"
    source.write_text(text + f"beta 0.0.0.0:{REGTEST.p2p_port} {other} {'ee' * 32} 0\n"
                      "bad line\n")
    page.import_conf(str(source))
    sw.run(lambda: page.status.text().startswith("Nothing imported"))
    assert "line" in page.status.text()
    source.write_text(text + f"beta 0.0.0.0:{REGTEST.p2p_port} {other} {'ee' * 32} 0\n")
    page.import_conf(str(source))
    sw.run(lambda: page.status.text().startswith("Imported 1 node(s); skipped: alpha"))
    sw.run(lambda: state_of(page, "beta") == "Collateral gone")

"""The Nodes page against tests/sim over real HTTP on 127.0.0.1: add a node, a refused START
with its ETA, review → broadcast → starting (kept across a restart) → started → confirmed →
paid, a refused second START; every WalletService call on the engine thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from app.wallet_wiring import WalletUi, build_wallet_ui
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
from ui.wallet.node_dialogs import AddNodeDialog, NodeConfigDialog
from ui.wallet.node_review import StartReviewDialog
from ui.wallet.nodes import NodesPage
from wallet.fluxnode import identity_pubkey_from_wif
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
    assert page.flux_id.address.text().startswith("1")
    assert page.flux_id.qr.text() == page.flux_id.address.text()

    config = add_node(sw, page, "alpha", ripe.txid)
    wif = next(line.split("=", 1)[1] for line in config.flux_conf.toPlainText().splitlines()
               if line.startswith("zelnodeprivkey="))
    assert f"zelnodeoutpoint={ripe.txid}" in config.flux_conf.toPlainText()
    config.close()
    add_node(sw, page, "beta", young.txid).close()
    assert page.stack.currentWidget() is page.table
    assert state_of(page, "alpha") == "Not started / expired"

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
    assert review.fields["identity"].text() == identity_pubkey_from_wif(wif).hex()
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
    assert page.table.item(row, 6).text() != "0 FLUX"  # type: ignore[union-attr]

    names = {name for name, _ in calls}
    assert {"sync", "edit"} <= names
    threads = {thread for _, thread in calls}
    assert threads == {sw.engine.thread.name}, [c for c in calls if c[1] != sw.engine.thread.name]

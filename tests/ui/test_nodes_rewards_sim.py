"""The rewards chart of the Nodes page against tests/sim: a node paid by the simulator's blocks
has bars on the days of those blocks and totals that match what the chain paid; Daily/Monthly
switch the buckets; a node never paid shows why. Screenshots in light and dark at 960×640."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyleFactory
from pytestqt.qtbot import QtBot

from flux.networks import REGTEST
from tests.conftest import complete
from tests.sim.fluxnode_kit import CUMULUS
from tests.sim.fluxnodes import FluxnodeModel
from tests.ui.test_nodes_page_sim import refreshed, select, unlock
from tests.ui.wallet.conftest import (  # noqa: F401 - fixtures
    SimWallet,
    fast_kdf,
    sim_services,
    sim_wallet,
)
from ui.main_window import MainWindow
from ui.theme import apply_theme
from ui.wallet.nodes import NodesPage
from ui.wallet.units import money
from wallet.fluxnode import identity_pubkey_from_wif
from wallet.nodes.reward_series import local_day

pytestmark = pytest.mark.gui
UNIT = REGTEST.currency_unit


@pytest.fixture
def sw(sim_wallet: SimWallet) -> Iterator[SimWallet]:  # noqa: F811
    yield sim_wallet
    complete(sim_wallet.qtbot, sim_wallet.ui.nodes.close())


@pytest.fixture
def window(sw: SimWallet, qtbot: QtBot) -> Iterator[MainWindow]:
    page = next(p for p in sw.ui.pages if isinstance(p, NodesPage))
    win = MainWindow([page], QIcon(), network="regtest")
    qtbot.addWidget(win)
    win.resize(960, 640)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.hide()


@pytest.fixture
def themes(qapp: QApplication) -> Iterator[None]:
    """apply_theme for this test; the application's look as it was afterwards."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    yield
    qapp.setStyle(QStyleFactory.create(style))
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def paid_node(sw: SimWallet, name: str) -> FluxnodeModel:
    """Add, start and confirm a node of the wallet on the simulator; mine until it is paid."""
    model = FluxnodeModel(sw.sim.chain)
    coin = sw.sim.fund(sw.addresses[1], CUMULUS, confirmations=100)
    sw.sync()
    sw.complete(sw.ui.nodes.refresh(), timeout=30)
    sw.complete(sw.ui.nodes.add_node(name, (coin.txid, coin.vout), None), timeout=30)
    review = sw.complete(sw.ui.nodes.review_start(name), timeout=30)
    sw.complete(sw.ui.nodes.send_start(review), timeout=30)
    sw.sim.mine()
    entry = sw.complete(sw.ui.nodes.node_entry(name))
    model.run_node(identity_pubkey_from_wif(entry.identity_wif))
    sw.sim.mine(4)
    refreshed(sw, sw.ui)
    return model


def test_chart_totals_and_empty_state(sw: SimWallet, window: MainWindow, themes: None,
                                      qtbot: QtBot, tmp_path: Path) -> None:
    page = window.findChild(NodesPage)
    assert page is not None
    unlock(sw, sw.ui)
    quiet = sw.sim.fund(sw.addresses[0], CUMULUS, confirmations=1)
    model = paid_node(sw, "alpha")
    sw.complete(sw.ui.nodes.add_node("beta", (quiet.txid, quiet.vout), None), timeout=30)
    refreshed(sw, sw.ui)
    assert model.payouts, "the simulator paid no node"

    # What the chain paid, by the local day of each paying block.
    chain = sw.sim.chain
    by_day: dict[object, int] = {}
    for height, _, sats in model.payouts:
        day = local_day(chain.blocks[height].time)
        by_day[day] = by_day.get(day, 0) + sats
    paid_total = sum(by_day.values())

    select(page, "alpha")
    rewards = page.rewards
    chart = rewards.chart
    assert len(chart.bars) == 30 and not chart.is_empty
    series = page.selected().series  # type: ignore[union-attr]
    for bucket, bar in zip(series.days, chart.bars, strict=True):
        assert bar.amount == by_day.get(bucket.start, 0)
    assert series.days[-1].start in by_day  # paid today, on the newest bar
    assert sum(b.amount for b in chart.bars) == paid_total
    totals = page.selected().rewards  # type: ignore[union-attr]
    assert totals.total == totals.month == paid_total and totals.payments == len(model.payouts)
    assert f"all time: {money(paid_total, UNIT)}" in rewards.totals.text()
    assert f"{len(model.payouts)} payments" in rewards.totals.text()
    assert "No estimate" in rewards.estimate.text()  # no FluxOS API in the simulator's wiring

    # Hover text names the day and the amount of a bar.
    newest = len(chart.bars) - 1
    plot = chart.plot_rect()
    x = plot.left() + plot.width() * (newest + 0.5) / len(chart.bars)
    assert chart.bar_at(x) == newest
    assert money(chart.bars[newest].amount, UNIT) in chart.bars[newest].detail

    apply_theme(QApplication.instance(), "light")  # type: ignore[arg-type]
    qtbot.wait(50)
    assert window.grab().save(str(tmp_path / "rewards-light.png"))
    # Nothing drawn over another at 960×640: totals, chart and estimate stack in that order.
    assert rewards.totals.geometry().bottom() < chart.geometry().top()
    assert chart.geometry().bottom() < rewards.estimate.geometry().top()
    assert rewards.estimate.geometry().bottom() <= rewards.height()
    assert chart.height() >= chart.minimumHeight() and rewards.estimate.height() >= \
        rewards.estimate.heightForWidth(rewards.estimate.width())

    rewards.monthly.click()
    assert window.grab().save(str(tmp_path / "rewards-monthly-light.png"))
    assert len(chart.bars) == 12 and chart.bars[-1].amount == sum(
        sats for day, sats in by_day.items() if day.month == series.months[-1].start.month)
    assert [b.amount for b in chart.bars] == [b.amount for b in series.months]
    rewards.daily.click()
    assert len(chart.bars) == 30

    apply_theme(QApplication.instance(), "dark")  # type: ignore[arg-type]
    qtbot.wait(50)
    assert window.grab().save(str(tmp_path / "rewards-dark.png"))

    # A node never paid: words, not an empty grid.
    select(page, "beta")
    assert chart.is_empty and chart.empty_text.startswith("No rewards yet:")
    assert "not confirmed yet" in chart.empty_text
    assert "0 payments" in rewards.totals.text()
    assert window.grab().save(str(tmp_path / "rewards-empty-dark.png"))


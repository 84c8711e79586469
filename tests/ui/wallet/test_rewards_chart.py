"""The rewards chart and panel without a network: axis steps, which bar is under the mouse,
labels that never overlap, and the words of an empty chart taken from the data."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from flux.money import COIN
from flux.networks import MAINNET
from flux.tiers import Tier
from ui.wallet.nodes_model import NodesSnapshot
from ui.wallet.rewards_chart import Bar, RewardsChart, nice_step
from ui.wallet.rewards_panel import (
    RewardsPanel,
    day_bars,
    empty_words,
    estimate_text,
    month_bars,
)
from ui.wallet.units import money
from wallet.history import HistoryEntry, TxType
from wallet.nodes.reward_series import RewardBucket, reward_series
from wallet.nodes.rewards import RewardTotals, estimate
from wallet.nodes.state import NodeState, NodeStatus
from wallet.nodes.views import NodeView

pytestmark = pytest.mark.gui
NOW = 1_796_558_400
OUTPOINT = ("ab" * 32, 0)


def view(state: NodeState = NodeState.CONFIRMED, paid: int = 0,
         next_payment: int | None = None, when: int = NOW) -> NodeView:
    history = [HistoryEntry("t", TxType.NODE_REWARD, paid, None, 5, 1, 0, ("tA",), time=when)
               ] if paid else []
    return NodeView("alpha", OUTPOINT, "cumulus", 1_000 * COIN, "tA", None,
                    NodeStatus(OUTPOINT, state, "s", "n", next_payment_seconds=next_payment),
                    None, RewardTotals(paid, paid, paid, int(bool(paid)), 5 if paid else None),
                    "", "new", reward_series(history, "tA", now=NOW))


def snapshot(*estimates: object) -> NodesSnapshot:
    return NodesSnapshot((), (), "", "", tuple(estimates), "" if estimates else "none set.")


def test_nice_steps() -> None:
    assert nice_step(0) == 1
    assert nice_step(3 * COIN) == COIN  # 4 steps of 1 reach 3
    assert nice_step(7 * COIN) == 2 * COIN
    assert nice_step(9 * COIN, 2) == 5 * COIN
    assert nice_step(11 * COIN, 1) == 20 * COIN


def test_bar_under_the_mouse_and_labels_apart(qtbot: QtBot) -> None:
    chart = RewardsChart()
    qtbot.addWidget(chart)
    chart.resize(330, 110)
    bars = [Bar(f"{i + 1} Nov", f"day {i}", i * COIN) for i in range(30)]
    chart.set_bars(bars, "FLUX", "nothing")
    plot = chart.plot_rect()
    assert plot.left() > chart.fontMetrics().horizontalAdvance(money(0, "FLUX"))
    slot = plot.width() / 30
    assert chart.bar_at(plot.left() + slot * 29.5) == 29
    assert chart.bar_at(plot.left() + slot * 0.5) == 0
    assert chart.bar_at(plot.left() - 1) is None
    assert 1 <= chart.ticks() <= 4
    shown = list(chart.labelled())
    assert shown[0] == 29 and 1 < len(shown) < 30  # the newest day always, not all 30
    gap = slot * (shown[0] - shown[1])
    assert gap >= max(chart.fontMetrics().horizontalAdvance(b.label) for b in bars)
    assert not chart.grab().isNull()
    chart.show()
    qtbot.waitExposed(chart)
    qtbot.mouseMove(chart, QPoint(round(plot.left() + slot * 29.5), plot.bottom() - 2))
    qtbot.waitUntil(lambda: chart.hovered == 29)
    assert chart.detail_at(plot.left() + slot * 29.5) == "day 29"
    assert chart.detail_at(plot.left() - 1) == ""
    chart.set_bars([Bar("x", "y", 0)] * 30, "FLUX", "nothing")
    assert chart.is_empty and chart.bar_at(plot.left() + slot) is None


def test_bars_name_the_day_and_month_in_full() -> None:
    days = day_bars([RewardBucket(date(2026, 12, 6), 3 * COIN, 2)], "FLUX")
    assert "2026" in days[0].detail and money(3 * COIN, "FLUX") in days[0].detail
    assert "2 payments" in days[0].detail and "2026" not in days[0].label
    months = month_bars([RewardBucket(date(2026, 1, 1), COIN, 1),
                         RewardBucket(date(2026, 2, 1), 0, 0)], "FLUX")
    assert "26" in months[0].label and "1 payment)" in months[0].detail
    assert "26" not in months[1].label


def test_empty_words_come_from_the_data() -> None:
    start = MAINNET.rewards.start_height
    assert start is not None
    found = estimate(MAINNET, Tier.CUMULUS, height=start, nodes=1_440)
    words = empty_words(view(next_payment=7_200), found, monthly=False)
    assert words.startswith("No rewards yet: a confirmed cumulus node is paid about 12 h apart")
    assert "1440 nodes" in words and "next payment is expected in about 2 h" in words
    waiting = empty_words(view(NodeState.STARTED), None, monthly=False)
    assert "once per turn" in waiting and "not confirmed yet" in waiting
    long_ago = view(paid=COIN, when=NOW - 400 * 86_400)
    assert empty_words(long_ago, found, monthly=True) == "No rewards in the last 12 months."
    assert empty_words(long_ago, found, monthly=False) == "No rewards in the last 30 days."


def test_panel_shows_totals_estimate_and_toggles(qtbot: QtBot) -> None:
    start = MAINNET.rewards.start_height
    assert start is not None
    found = estimate(MAINNET, Tier.CUMULUS, height=start, nodes=1_440)
    panel = RewardsPanel()
    qtbot.addWidget(panel)
    panel.show_node(view(paid=3 * COIN), snapshot(found), "FLUX")
    assert f"all time: {money(3 * COIN, 'FLUX')}" in panel.totals.text()
    assert "1 payment" in panel.totals.text()
    assert panel.estimate.text() == estimate_text(view(), snapshot(found), "FLUX")
    assert found is not None and found.formula in panel.estimate.text()
    assert len(panel.chart.bars) == 30 and panel.chart.bars[-1].amount == 3 * COIN
    panel.monthly.click()
    assert len(panel.chart.bars) == 12 and panel.chart.bars[-1].amount == 3 * COIN
    panel.show_node(view(), snapshot(), "FLUX")
    assert panel.estimate.text() == "No estimate: none set."
    assert panel.chart.is_empty and panel.chart.empty_text.startswith("No rewards yet")

"""A node's rewards by local calendar day and month: time zones, zero-filled days, months,
other addresses, payments without a block time, and sums that match the buckets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from itertools import pairwise

import pytest

from flux.money import COIN
from flux.networks import MAINNET
from flux.tiers import Tier
from wallet.history import HistoryEntry, TxType
from wallet.nodes.reward_series import local_day, month_start, node_payments, reward_series
from wallet.nodes.rewards import estimate

# 2026-12-06 12:00 UTC, a Sunday; in Auckland (UTC+13 in December) it is already 01:00 on the 7th.
NOW = 1_796_558_400


@pytest.fixture
def auckland(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def paid(when: int | None, amount: int, address: str = "tA",
         kind: TxType = TxType.NODE_REWARD) -> HistoryEntry:
    return HistoryEntry(f"{when}-{amount}", kind, amount, None, None if when is None else 1,
                        1, 0, (address,), time=when)


def test_days_follow_the_local_time_zone(auckland: None) -> None:
    assert time.strftime("%Y-%m-%d %H:%M", time.localtime(NOW)) == "2026-12-07 01:00"
    history = [
        paid(NOW - 3_601, COIN),  # 23:59:59 local on the 6th: yesterday, the same UTC day
        paid(NOW - 3_600, 2 * COIN),  # midnight local: today
        paid(NOW, 4 * COIN),
    ]
    series = reward_series(history, "tA", now=NOW)
    assert len(series.days) == 30
    assert series.days[-1].start == date(2026, 12, 7)
    assert series.days[-1].amount == 6 * COIN and series.days[-1].payments == 2
    assert series.days[-2].start == date(2026, 12, 6)
    assert series.days[-2].amount == COIN and series.days[-2].payments == 1


def test_gaps_are_zero_days_and_sums_match_the_buckets(auckland: None) -> None:
    day = 86_400
    history = [paid(NOW - 10 * day, 3 * COIN), paid(NOW - 2 * day, 5 * COIN),
               paid(NOW - 29 * day, 7 * COIN), paid(NOW - 30 * day, 11 * COIN)]
    series = reward_series(history, "tA", now=NOW)
    starts = [b.start for b in series.days]
    assert starts[0] == date(2026, 11, 8) and starts[-1] == date(2026, 12, 7)
    assert all((b - a).days == 1 for a, b in pairwise(starts))
    amounts = [b.amount for b in series.days]
    assert amounts[-11] == 3 * COIN and amounts[-3] == 5 * COIN and amounts[0] == 7 * COIN
    assert amounts.count(0) == 27  # the day 30 days back is before the window
    assert series.days_total == sum(amounts) == 15 * COIN
    assert series.months_total == sum(b.amount for b in series.months) == 26 * COIN


def test_months_cover_the_last_twelve(auckland: None) -> None:
    history = [paid(NOW, COIN),
               paid(NOW - 40 * 86_400, 2 * COIN),  # late October
               paid(NOW - 330 * 86_400, 4 * COIN),  # January 2026: the oldest month shown
               paid(NOW - 400 * 86_400, 8 * COIN)]  # November 2025: before the window
    series = reward_series(history, "tA", now=NOW)
    starts = [b.start for b in series.months]
    assert starts[0] == date(2026, 1, 1) and starts[-1] == date(2026, 12, 1)
    assert len(starts) == 12
    by_month = {b.start.month: b.amount for b in series.months}
    assert by_month == {1: 4 * COIN, 10: 2 * COIN, 12: COIN} | {
        m: 0 for m in (2, 3, 4, 5, 6, 7, 8, 9, 11)}
    assert series.months_total == 7 * COIN


def test_only_this_address_and_only_rewards_count() -> None:
    history = [paid(NOW, COIN), paid(NOW, 2 * COIN, address="tB"),
               paid(NOW, 4 * COIN, kind=TxType.RECEIVED)]
    assert [e.amount for e in node_payments(history, "tA")] == [COIN]
    series = reward_series(history, "tA", now=NOW)
    assert series.days_total == series.months_total == COIN
    assert reward_series(history, "", now=NOW).empty  # a node whose coin is not ours


def test_payments_without_block_time_are_counted_apart() -> None:
    series = reward_series([paid(None, 3 * COIN), paid(NOW - 60, COIN)], "tA", now=NOW)
    assert (series.undated, series.undated_payments) == (3 * COIN, 1)
    assert series.days_total == series.months_total == COIN
    assert series.last_paid_time == NOW - 60 and not series.empty
    only = reward_series([paid(None, 3 * COIN)], "tA", now=NOW)
    assert only.last_paid_time is None and not only.empty and only.days_total == 0


def test_a_block_time_ahead_of_the_clock_counts_today(auckland: None) -> None:
    series = reward_series([paid(NOW + 23 * 3_600, COIN)], "tA", now=NOW)  # local tomorrow
    assert series.days[-1].amount == COIN and series.months[-1].amount == COIN


def test_empty_series_is_all_zero_days() -> None:
    series = reward_series([], "tA", now=NOW)
    assert series.empty and len(series.days) == 30 and len(series.months) == 12
    assert {b.amount for b in series.days + series.months} == {0}


def test_month_arithmetic_crosses_years() -> None:
    assert month_start(date(2026, 1, 31), 1) == date(2025, 12, 1)
    assert month_start(date(2026, 12, 6), 11) == date(2026, 1, 1)
    assert month_start(date(2026, 3, 15), 26) == date(2024, 1, 1)


def test_local_day_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert local_day(NOW) == date(2026, 12, 6)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_estimate_says_how_often_a_node_is_paid() -> None:
    start = MAINNET.rewards.start_height
    assert start is not None
    found = estimate(MAINNET, Tier.CUMULUS, height=start, nodes=1_440)
    assert found is not None
    assert found.payment_interval_seconds == 12 * 3_600  # 1 440 nodes, one paid per 30 s block
    text = found.describe(lambda sats: f"{sats / COIN:g} FLUX")
    assert text.startswith("about 2 FLUX/day per node (estimate: ")
    assert found.formula in text and "APR about 73.0 %" in text

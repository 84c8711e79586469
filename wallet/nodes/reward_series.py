"""One node's rewards by calendar day and by month, for the rewards chart.

Attribution is the one rewards.py uses: a history entry tagged as a node reward (a coinbase
output to one of our addresses) that names the node's collateral address.

A payment's day is the calendar day of its block's time in this computer's time zone, the same
zone the history shows dates in (wallet/dates.py). Two cases are explicit:

* no block time (a backend that did not report one, or an entry not in a block yet): the payment
  has no day, so it is in no bucket; it is counted in ``undated`` instead;
* a block time after ``now`` (a block's time may run ahead of this computer's
  clock): it counts on today, and in this month, never in a day that has not come yet.

Payments older than the first bucket are in no bucket either; ``RewardTotals`` (rewards.py) has
the all-time total.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from wallet.history import HistoryEntry, TxType

DAYS = 30
MONTHS = 12


@dataclass(frozen=True)
class RewardBucket:
    start: date  # the day, or the first day of the month
    amount: int  # satoshis
    payments: int


@dataclass(frozen=True)
class RewardSeries:
    days: tuple[RewardBucket, ...]  # oldest first, the last one is today; no day left out
    months: tuple[RewardBucket, ...]  # oldest first, the last one is this month
    undated: int  # satoshis paid in entries without a block time (in no bucket)
    undated_payments: int
    last_paid_time: int | None  # block time of the latest dated payment (Unix seconds)

    @property
    def days_total(self) -> int:
        return sum(b.amount for b in self.days)

    @property
    def months_total(self) -> int:
        return sum(b.amount for b in self.months)

    @property
    def empty(self) -> bool:
        """No payment at all (dated or not)."""
        return self.undated_payments == 0 and self.last_paid_time is None


def node_payments(history: Iterable[HistoryEntry], address: str) -> list[HistoryEntry]:
    """The node-reward entries paying ``address`` (a node's collateral address)."""
    if not address:
        return []
    return [e for e in history if e.type == TxType.NODE_REWARD and address in e.addresses]


def local_day(timestamp: int) -> date:
    """The calendar day of Unix seconds in this computer's time zone."""
    t = time.localtime(timestamp)
    return date(t.tm_year, t.tm_mon, t.tm_mday)


def month_start(day: date, back: int = 0) -> date:
    """The first of ``day``'s month, or of the month ``back`` months before it."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def reward_series(history: Iterable[HistoryEntry], address: str, *, now: float,
                  days: int = DAYS, months: int = MONTHS) -> RewardSeries:
    today = local_day(int(now))
    day_starts = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    month_starts = [month_start(today, back) for back in range(months - 1, -1, -1)]
    by_day = {d: [0, 0] for d in day_starts}
    by_month = {m: [0, 0] for m in month_starts}
    undated = undated_payments = 0
    last: int | None = None
    for entry in node_payments(history, address):
        if entry.time is None:
            undated += entry.amount
            undated_payments += 1
            continue
        last = entry.time if last is None else max(last, entry.time)
        day = min(local_day(entry.time), today)
        for bucket in (by_day.get(day), by_month.get(month_start(day))):
            if bucket is not None:
                bucket[0] += entry.amount
                bucket[1] += 1
    return RewardSeries(_buckets(by_day), _buckets(by_month), undated, undated_payments, last)


def _buckets(found: dict[date, list[int]]) -> tuple[RewardBucket, ...]:
    return tuple(RewardBucket(start, amount, count) for start, (amount, count) in found.items())


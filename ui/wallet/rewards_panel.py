"""The selected node's rewards on the Nodes page: totals, a Daily / Monthly chart and the
estimate with its inputs. Everything shown is read from the snapshot the engine built
(NodeView.rewards and .series, NodesSnapshot.estimates); nothing is computed from the wallet
here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.pages.base import hint
from ui.wallet.nodes_model import NodesSnapshot
from ui.wallet.rewards_chart import Bar, RewardsChart
from ui.wallet.units import money
from wallet.dates import local_date
from wallet.nodes.reward_series import RewardBucket
from wallet.nodes.rewards import RewardEstimate
from wallet.nodes.state import NodeState
from wallet.nodes.timing import describe_duration
from wallet.nodes.views import NodeView


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def day_bars(buckets: Sequence[RewardBucket], unit: str) -> list[Bar]:
    locale = QLocale()
    return [Bar(locale.toString(_qdate(b.start), "d MMM"),
                _detail(locale.toString(_qdate(b.start), "ddd d MMM yyyy"), b, unit), b.amount)
            for b in buckets]


def month_bars(buckets: Sequence[RewardBucket], unit: str) -> list[Bar]:
    locale = QLocale()
    return [Bar(locale.toString(_qdate(b.start), "MMM yy" if b.start.month == 1 or i == 0
                                else "MMM"),
                _detail(locale.toString(_qdate(b.start), "MMMM yyyy"), b, unit), b.amount)
            for i, b in enumerate(buckets)]


def _detail(when: str, bucket: RewardBucket, unit: str) -> str:
    payments = "1 payment" if bucket.payments == 1 else f"{bucket.payments} payments"
    return f"{when}: {money(bucket.amount, unit)} ({payments})"


def empty_words(view: NodeView, estimate: RewardEstimate | None, monthly: bool) -> str:
    """Why the chart has no bar, from what is known: the node's state, its next payment, and
    how often a node of its tier is paid (the estimate's node count)."""
    if not view.series.empty:
        return (f"No rewards in the last {len(view.series.months)} months." if monthly
                else f"No rewards in the last {len(view.series.days)} days.")
    if estimate is not None:
        often = (f"a confirmed {view.tier} node is paid "
                 f"{describe_duration(estimate.payment_interval_seconds)}"
                 f" apart ({estimate.nodes} nodes in the tier, one paid per block)")
    else:
        often = (f"a confirmed node is paid once per turn through all nodes of its tier "
                 f"({view.tier or 'its tier'}), one node per block")
    words = f"No rewards yet: {often}."
    if view.status.state != NodeState.CONFIRMED:
        words += f" This node is not confirmed yet ({view.status.label})."
    elif view.status.next_payment_seconds is not None:
        words += (" Its next payment is expected in "
                  f"{describe_duration(view.status.next_payment_seconds)}.")
    return words


def totals_text(view: NodeView, unit: str) -> str:
    r, series = view.rewards, view.series

    def amount(sats: int) -> str:
        return money(sats, unit)

    parts = [f"24 h: {amount(r.day)}", f"30 days: {amount(r.month)}",
             f"all time: {amount(r.total)}",
             "1 payment" if r.payments == 1 else f"{r.payments} payments"]
    if r.last_paid_height is not None:
        when = f" ({local_date(series.last_paid_time)})" if series.last_paid_time else ""
        parts.append(f"last paid in block {r.last_paid_height}{when}")
    text = " · ".join(parts)
    if series.undated_payments:
        text += (f". {series.undated_payments} payment(s) of {amount(series.undated)} have no "
                 "block time yet and are not in the chart")
    return text


def estimate_text(view: NodeView, snapshot: NodesSnapshot, unit: str) -> str:
    found = snapshot.estimate(view.tier)
    if found is not None:
        return f"{view.tier.title()}: {found.describe(lambda s: money(s, unit))}."
    return "No estimate: " + (snapshot.estimate_problem or
                              f"no enabled {view.tier or 'tier'} node is counted.")


class RewardsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.daily = QRadioButton(self.tr("Daily"))
        self.daily.setToolTip(self.tr("The last 30 days, a bar a day (this computer's time zone)"))
        self.monthly = QRadioButton(self.tr("Monthly"))
        self.monthly.setToolTip(self.tr("The last 12 months, a bar a month"))
        self.group = QButtonGroup(self)
        for button in (self.daily, self.monthly):
            self.group.addButton(button)
        self.daily.setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self._draw())
        self.chart = RewardsChart()
        self.estimate = hint("")
        self.estimate.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("<b>Rewards</b>")))
        row.addWidget(self.daily)
        row.addWidget(self.monthly)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.totals)
        layout.addWidget(self.chart)
        layout.addWidget(self.estimate)
        self.view: NodeView | None = None
        self.snapshot: NodesSnapshot | None = None
        self.unit = ""

    def show_node(self, view: NodeView, snapshot: NodesSnapshot, unit: str) -> None:
        self.view, self.snapshot, self.unit = view, snapshot, unit
        self.totals.setText(totals_text(view, unit))
        self.estimate.setText(estimate_text(view, snapshot, unit))
        self._fit_labels()
        self._draw()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """A wrapped label tells the layout one line's height; at this width it needs more,
        and without this the chart is drawn under the estimate."""
        for label in (self.totals, self.estimate):
            label.setMinimumHeight(max(0, label.heightForWidth(max(1, self.width()))))

    def _draw(self) -> None:
        view, snapshot = self.view, self.snapshot
        if view is None or snapshot is None:
            return
        monthly = self.monthly.isChecked()
        buckets = view.series.months if monthly else view.series.days
        bars = (month_bars if monthly else day_bars)(buckets, self.unit)
        self.chart.set_bars(bars, self.unit,
                            empty_words(view, snapshot.estimate(view.tier), monthly))

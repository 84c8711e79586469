"""Widgets of the Benchmark page: per-step progress, the tier matrix and the history chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from flux.tiers import SOURCES, TIERS
from nodectl.bench import STEP_LABELS, STEPS
from nodectl.bench.models import BenchReport, Check, Outcome, Verdict

PASS_BG = QColor(46, 157, 79, 90)
FAIL_BG = QColor(208, 64, 58, 90)
UNKNOWN_BG = QColor(128, 128, 128, 40)
_SYMBOL = {Outcome.PASS: "✔", Outcome.FAIL: "✘", Outcome.UNKNOWN: "?"}

# One unit per figure for the table, the chart and the step list: binary units (GiB, MiB/s) as
# the tier table measures them, Mbit/s for the network.
UNITS: dict[str, str] = {
    "ram": "GiB",
    "ssd": "GiB",
    "eps": "events/s",
    "eps_single": "events/s",
    "eps_all": "events/s",
    "dws": "MiB/s",
    "download": "Mbit/s",
    "upload": "Mbit/s",
    "latency": "ms",
}

ROWS: tuple[tuple[str, str], ...] = (
    ("threads", "CPU threads"),
    ("cores", "CPU cores"),
    ("ram", f"RAM ({UNITS['ram']})"),
    ("ssd", f"SSD capacity ({UNITS['ssd']})"),
    ("eps", f"CPU {UNITS['eps']} (1 thread × 4/8/16)"),
    ("dws", f"Disk write speed ({UNITS['dws']})"),
    ("arch", "Architecture"),
    ("download", f"Download ({UNITS['download']})"),
    ("upload", f"Upload ({UNITS['upload']})"),
)


def number(value: float | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


class StepList(QWidget):
    """One row per benchmark step: name, progress bar, outcome in words.

    A step that failed or was skipped shows an empty bar and says so: a full bar means done.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(4)
        self.bars: dict[str, QProgressBar] = {}
        self.messages: dict[str, QLabel] = {}
        self.states: dict[str, str] = {}
        for row, step in enumerate(STEPS):
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(False)
            bar.setFixedHeight(10)
            bar.setFixedWidth(140)
            message = QLabel("")
            message.setProperty("role", "hint")
            message.setWordWrap(True)
            message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            grid.addWidget(QLabel(STEP_LABELS[step]), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(bar, row, 1, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(message, row, 2)
            self.bars[step] = bar
            self.messages[step] = message
            self.states[step] = ""
        grid.setColumnStretch(2, 1)

    def reset(self) -> None:
        for step in STEPS:
            self.bars[step].setValue(0)
            self._set_message(step, "", "")
            self.states[step] = ""

    def _set_message(self, step: str, text: str, state: str) -> None:
        label = self.messages[step]
        label.setText(text)
        label.setToolTip(text if len(text) > 60 else "")
        # "bad" shows a failure in the error colour; otherwise the quiet hint style.
        role, mark = ("", "bad") if state == "failed" else ("hint", "")
        if label.property("state") != mark or label.property("role") != role:
            label.setProperty("state", mark)
            label.setProperty("role", role)
            label.style().unpolish(label)
            label.style().polish(label)

    def update_step(self, step: str, state: str, fraction: float, message: str) -> None:
        if step not in self.bars:
            return
        self.states[step] = state
        if state in ("failed", "skipped"):
            self.bars[step].setValue(0)
        elif state == "done":
            self.bars[step].setValue(1000)
        else:
            self.bars[step].setValue(int(max(0.0, min(fraction, 1.0)) * 1000))
        if state == "started":
            self._set_message(step, self.tr("running…"), state)
        elif state == "running":
            self._set_message(
                step, self.tr("running… %1 %").replace("%1", f"{fraction * 100:.0f}"), state
            )
        elif state == "failed":
            self._set_message(step, self.tr("✘ Failed: %1").replace("%1", message), state)
        elif state == "skipped":
            reason = message.removeprefix("skipped: ").removeprefix("skipped")
            self._set_message(step, self.tr("Skipped: %1").replace("%1", reason), state)
        else:
            self._set_message(step, f"✔ {message}" if message else "✔", state)

    def show_report(self, report: BenchReport) -> None:
        """The outcome of every step of a finished (or saved) run."""
        self.reset()
        self.update_step("probes", "done", 1.0, "")
        for item in report.measurements:
            if item.key not in self.bars:
                continue
            if item.error is None and item.value is not None:
                self.update_step(item.key, "done", 1.0, f"{number(item.value)} {item.unit}")
            elif item.error is not None and item.error.startswith("skipped"):
                self.update_step(item.key, "skipped", 0.0, item.error)
            else:
                self.update_step(item.key, "failed", 0.0, item.error or "")
        doc = report.fluxbench
        if doc is None:
            self.update_step("fluxbench", "skipped", 0.0, "fluxbench is not installed here")
        elif "error" in doc and len(doc) == 1:
            self.update_step("fluxbench", "failed", 0.0, str(doc["error"]))
        else:
            self.update_step("fluxbench", "done", 1.0, str(doc.get("status", "")))
        for step in STEPS:
            if not self.states[step]:
                self.update_step(step, "done", 1.0, "")

    def failed_steps(self) -> list[str]:
        return [STEP_LABELS[s] for s in STEPS if self.states[s] == "failed"]


class TierMatrix(QTableWidget):
    """Requirements down, tiers across; each cell measured / required with its margin."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(len(ROWS), len(TIERS), parent)
        self.setVerticalHeaderLabels([label for _, label in ROWS])
        self.setHorizontalHeaderLabels([t.title for t in TIERS])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setMinimumSectionSize(self.fontMetrics().height() + 12)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # In a narrow window a cell's margin moves to a second line instead of being cut off.
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        self.resizeRowsToContents()
        height = self._full_height()
        if height != self.height():
            self.setFixedHeight(height)

    def show_verdict(self, verdict: Verdict) -> None:
        rows = {key: index for index, (key, _) in enumerate(ROWS)}
        for column, tier_verdict in enumerate(verdict.tiers):
            outcome = tier_verdict.outcome.value.upper()
            header = QTableWidgetItem(f"{TIERS[column].title}\n{outcome}")
            self.setHorizontalHeaderItem(column, header)
            for row in range(len(ROWS)):
                self.setItem(row, column, self._empty())
            for check in tier_verdict.checks:
                self.setItem(rows[check.requirement], column, self._cell(check))
        self._fit_rows()

    def _full_height(self) -> int:
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        return height + sum(self.rowHeight(r) for r in range(self.rowCount()))

    @staticmethod
    def _empty() -> QTableWidgetItem:
        item = QTableWidgetItem("any")
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        item.setToolTip("No requirement for this tier.")
        return item

    @staticmethod
    def _cell(check: Check) -> QTableWidgetItem:
        # Non-breaking spaces keep "✔ 939 / 240" on one line; only the margin may wrap.
        parts = (_SYMBOL[check.outcome], number(check.actual), "/", number(check.required))
        text = "\u00a0".join(parts)
        if check.margin is not None:
            sign = "+" if check.margin >= 0 else "−"
            text += f" ({sign}{number(abs(check.margin))})"
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        item.setBackground(
            {Outcome.PASS: PASS_BG, Outcome.FAIL: FAIL_BG}.get(check.outcome, UNKNOWN_BG)
        )
        source_key = (
            "bandwidth" if check.requirement in ("download", "upload") else check.requirement
        )
        tip = [check.hint or f"{check.label}: {check.outcome.value}"]
        if check.margin_pct is not None:
            tip.append(f"Margin: {check.margin_pct:+.1f} % of the requirement")
        if source_key in SOURCES:
            tip.append(f"Source: {SOURCES[source_key]}")
        item.setToolTip("\n".join(tip))
        item.setData(Qt.ItemDataRole.UserRole, check.outcome.value)
        return item


@dataclass(frozen=True)
class Series:
    unit: str
    points: tuple[tuple[str, float | None], ...]  # (x label, value); None: not measured that run
    thresholds: tuple[tuple[str, float], ...] = ()


class HistoryChart(QWidget):
    """A line chart of one figure over the saved runs, with tier thresholds as dashed lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series = Series("", ())
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_series(self, series: Series) -> None:
        self.series = series
        self.update()

    def values(self) -> list[float]:
        return [v for _, v in self.series.points if v is not None]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        faint = QColor(text)
        faint.setAlpha(60)
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        plot = QRectF(self.rect()).adjusted(56, 24, -16, -28)
        values = self.values()
        if not values:
            painter.setPen(text)
            painter.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("No saved runs yet — press Run to start the history."),
            )
            painter.end()
            return
        top = nice_ceiling(max([*values, *(t for _, t in self.series.thresholds)]) * 1.05)

        def y_of(value: float) -> float:
            return plot.bottom() - value / top * plot.height()

        painter.setPen(QPen(faint, 1))
        for step in range(5):
            level = top * step / 4
            y = y_of(level)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.save()
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y - 8, plot.left() - 6, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                number(level),
            )
            painter.restore()
        for order, (label, minimum) in enumerate(self.series.thresholds):
            pen = QPen(QColor(208, 64, 58, 170), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            y = y_of(minimum)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            # Staggered so close thresholds (60/80/95 EPS) keep readable labels.
            x = plot.right() - 95 * (order + 1)
            painter.drawText(QPointF(x, y - 3), f"{label} {number(minimum)}")
        count = len(self.series.points)

        def x_of(index: int) -> float:
            return (
                plot.center().x()
                if count == 1
                else plot.left() + index * plot.width() / (count - 1)
            )

        line = QPen(palette.color(QPalette.ColorRole.Highlight), 2)
        painter.setPen(line)
        previous: QPointF | None = None
        for index, (_, value) in enumerate(self.series.points):
            if value is None:
                previous = None
                continue
            point = QPointF(x_of(index), y_of(value))
            if previous is not None:
                painter.drawLine(previous, point)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawEllipse(point, 3.5, 3.5)
            previous = point
        painter.setPen(text)
        labels = {0, count - 1}
        for index in sorted(labels):
            label = self.series.points[index][0]
            x = x_of(index)
            align = (
                Qt.AlignmentFlag.AlignLeft
                if index == 0 and count > 1
                else Qt.AlignmentFlag.AlignRight
            )
            box = QRectF(
                x - 150 if align == Qt.AlignmentFlag.AlignRight else x, plot.bottom() + 6, 150, 18
            )
            if count == 1:
                box = QRectF(x - 75, plot.bottom() + 6, 150, 18)
                align = Qt.AlignmentFlag.AlignHCenter
            painter.drawText(box, align, label)
        painter.drawText(QRectF(4, 2, 200, 16), Qt.AlignmentFlag.AlignLeft, self.series.unit)
        painter.end()


def nice_ceiling(value: float) -> float:
    """The next round number (1, 1.5, 2, … 8 × 10ⁿ) at or above ``value``, for a readable axis."""
    if value <= 0:
        return 1.0
    magnitude: float = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def thresholds_for(key: str) -> tuple[tuple[str, float], ...]:
    """Tier minimums drawn on the chart for the figure ``key``."""
    if key == "eps_single":
        return tuple((t.title, t.min_eps / t.eps_threads) for t in TIERS)
    if key == "dws":
        return (("SSD", TIERS[0].min_dws_mib_s), (TIERS[-1].title, TIERS[-1].min_dws_mib_s))
    if key in ("download", "upload"):
        return tuple((t.title, t.min_bandwidth_mbit) for t in TIERS)
    return ()


def series_from(runs: Sequence[tuple[str, float | None]], unit: str, key: str) -> Series:
    return Series(unit=unit, points=tuple(runs), thresholds=thresholds_for(key))

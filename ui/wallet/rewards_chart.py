"""A plain bar chart of one node's rewards (QPainter, palette colours so both themes read).

The widget draws what it is given: bars with a short x label and a hover text, amounts on the
y axis in the app's one amount format (``money``). With no reward in the bars it shows words
instead of an empty grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QToolTip, QWidget

from ui.wallet.units import money

TICKS = 4  # horizontal grid lines above zero, fewer when the chart is low
GAP = 0.25  # of a bar's slot left empty between bars


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, short ("6 Dec")
    detail: str  # on hover, with the date in full and the amount
    amount: int  # satoshis


def nice_step(top: int, ticks: int = TICKS) -> int:
    """A round step (1, 2 or 5 × 10^k satoshis) so ``ticks`` steps reach at least ``top``."""
    raw = max(1, math.ceil(top / ticks))
    magnitude: int = 10 ** (len(str(raw)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


class RewardsChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: tuple[Bar, ...] = ()
        self.unit = ""
        self.empty_text = ""
        self.hovered: int | None = None
        self.setMouseTracking(True)
        # Low, so long totals or estimate words above and below squeeze the bars, not overlap them.
        self.setMinimumHeight(self.fontMetrics().height() * 4)

    def sizeHint(self) -> QSize:
        return QSize(360, self.fontMetrics().height() * 8)

    def set_bars(self, bars: Sequence[Bar], unit: str, empty_text: str) -> None:
        self.bars, self.unit, self.empty_text = tuple(bars), unit, empty_text
        self.hovered = None
        self.update()

    @property
    def is_empty(self) -> bool:
        return not any(b.amount for b in self.bars)

    # --- geometry --------------------------------------------------------------------------

    def ticks(self) -> int:
        """Grid lines above zero: as many as fit with a line and a half of room each."""
        room = self.height() - 2 * self.fontMetrics().height()
        return max(1, min(TICKS, int(room / (self.fontMetrics().height() * 1.5))))

    def _scale(self) -> tuple[int, int]:
        """(step, top) of the y axis in satoshis."""
        ticks = self.ticks()
        step = nice_step(max((b.amount for b in self.bars), default=0), ticks)
        return step, step * ticks

    def plot_rect(self) -> QRect:
        metrics = self.fontMetrics()
        step, _ = self._scale()
        widest = max(metrics.horizontalAdvance(money(step * i, self.unit))
                     for i in range(self.ticks() + 1))
        line = metrics.height()
        return self.rect().adjusted(widest + 12, line // 2 + 2, -6, -(line + 8))

    def bar_at(self, x: float) -> int | None:
        plot = self.plot_rect()
        if not self.bars or self.is_empty or not plot.left() <= x < plot.right():
            return None
        return min(int((x - plot.left()) * len(self.bars) / plot.width()), len(self.bars) - 1)

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if self.is_empty:
            painter.setPen(text)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(16, 8, -16, -8), int(flags), self.empty_text)
            return
        plot = self.plot_rect()
        self._axis(painter, plot, text)
        self._draw_bars(painter, plot)
        self._labels(painter, plot, text)

    def _axis(self, painter: QPainter, plot: QRect, text: QColor) -> None:
        step, _ = self._scale()
        ticks = self.ticks()
        grid = QColor(text)
        grid.setAlpha(50)
        metrics = self.fontMetrics()
        for i in range(ticks + 1):
            y = plot.bottom() - plot.height() * i / ticks
            painter.setPen(grid)
            painter.drawLine(QPoint(plot.left(), round(y)), QPoint(plot.right(), round(y)))
            painter.setPen(text)
            box = QRect(0, round(y - metrics.height() / 2), plot.left() - 6, metrics.height())
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             money(step * i, self.unit))

    def _draw_bars(self, painter: QPainter, plot: QRect) -> None:
        _, top = self._scale()
        slot = plot.width() / len(self.bars)
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        painter.setPen(Qt.PenStyle.NoPen)
        for i, bar in enumerate(self.bars):
            if not bar.amount:
                continue
            height = max(2.0, plot.height() * bar.amount / top)
            shade = colour.lighter(130) if i == self.hovered else colour
            painter.setBrush(shade)
            painter.drawRect(QRectF(plot.left() + slot * (i + GAP / 2), plot.bottom() - height,
                                    slot * (1 - GAP), height))

    def labelled(self) -> range:
        """The bars that get a label: every k-th, counted from the newest, so none overlap."""
        slot = self.plot_rect().width() / max(1, len(self.bars))
        widest = max((self.fontMetrics().horizontalAdvance(b.label) for b in self.bars),
                     default=0) + 10
        return range(len(self.bars) - 1, -1, -max(1, math.ceil(widest / slot)))

    def _labels(self, painter: QPainter, plot: QRect, text: QColor) -> None:
        metrics = self.fontMetrics()
        slot = plot.width() / len(self.bars)
        painter.setPen(text)
        for i in self.labelled():
            width = metrics.horizontalAdvance(self.bars[i].label)
            centre = plot.left() + slot * (i + 0.5)
            left = min(max(0, round(centre - width / 2)), self.width() - width)
            painter.drawText(QRect(left, plot.bottom() + 4, width, metrics.height()),
                             int(Qt.AlignmentFlag.AlignCenter), self.bars[i].label)

    # --- hover -----------------------------------------------------------------------------

    def detail_at(self, x: float) -> str:
        """The hover text at ``x``: the bar's date and amount, or nothing between bars."""
        index = self.bar_at(x)
        return "" if index is None else self.bars[index].detail

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.detail_at(event.pos().x())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position().x())
        if index != self.hovered:
            self.hovered = index
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hovered = None
        self.update()
        super().leaveEvent(event)

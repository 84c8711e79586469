"""A QR code widget: segno computes the module matrix, Qt paints it crisp at any scale."""

from __future__ import annotations

import segno
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white border the QR spec asks for


def qr_matrix(text: str) -> list[list[bool]]:
    """Dark/light modules of the smallest QR code for `text` (error correction M, boosted)."""
    code = segno.make_qr(text, error="m", boost_error=True)
    return [[bool(cell) for cell in row] for row in code.matrix]


class QrWidget(QWidget):
    """Paints the QR code of `text`, black on white in every theme (scanners need contrast)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(180, 180)
        self.set_text(text)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self._matrix = qr_matrix(text) if text else []
        self.setAccessibleName(f"QR code for {text}" if text else "QR code")
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height())
        painter.fillRect(0, 0, side, side, QColor("white"))
        if not self._matrix:
            return
        count = len(self._matrix) + 2 * QUIET_ZONE
        module = side / count
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    # Slight overlap hides hairline seams between modules at fractional scales.
                    painter.drawRect(
                        QRectF(
                            (x + QUIET_ZONE) * module,
                            (y + QUIET_ZONE) * module,
                            module + 0.5,
                            module + 0.5,
                        )
                    )
        painter.end()

"""Seed words as a numbered grid, read down the columns (as on a paper backup card); the wizard
and the Security page show them the same way."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

COLUMNS = 3


def grid_position(index: int, count: int, columns: int = COLUMNS) -> tuple[int, int]:
    """(row, column) of word `index` when `count` words fill `columns` columns top-down."""
    rows = (count + columns - 1) // columns
    return index % rows, index // rows


class SeedGrid(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(24)
        self._words: list[str] = []

    def set_words(self, words: Sequence[str]) -> None:
        self.clear()
        self._words = list(words)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for index, word in enumerate(self._words):
            label = QLabel(f"{index + 1:>2}. {word}")
            label.setObjectName("seedWord")
            label.setFont(mono)
            row, column = grid_position(index, len(self._words))
            self._grid.addWidget(label, row, column)

    def words(self) -> list[str]:
        return list(self._words)

    def clear(self) -> None:
        self._words = []
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()

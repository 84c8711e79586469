"""The frame both broadcast reviews share: selectable fields in a form, a warning, and buttons
where Cancel is the default so that Enter never broadcasts by accident."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.pages.base import heading, hint


def mono() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class ConfirmDialog(QDialog):
    """A modal review of `review`; `broadcast_requested` carries it when the person confirms."""

    broadcast_requested = Signal(object)

    def __init__(self, review: object, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.setWindowTitle(title)
        self.setModal(True)
        self.fields: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.broadcast_button = QPushButton()
        self.cancel_button = QPushButton()

    def add(self, key: str, label: str, text: str, *, fixed: bool = False,
            wrap: bool = False) -> QLabel:
        """One row; `fixed` for ids and keys (monospace), `wrap` for sentences."""
        value = QLabel(text)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setWordWrap(wrap)
        if fixed:
            value.setFont(mono())
        self.fields[key] = value
        self.form.addRow(label, value)
        return value

    def finish(self, heading_text: str, warning: str, confirm: str) -> None:
        """Lay out the heading, the form, the warning and the buttons (Cancel the default)."""
        buttons = QDialogButtonBox()
        self.broadcast_button = buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)
        self.broadcast_button.setAutoDefault(False)
        self.broadcast_button.clicked.connect(self._broadcast)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(heading_text))
        layout.addLayout(self.form)
        layout.addWidget(hint(warning))
        layout.addWidget(buttons)

    def _broadcast(self) -> None:
        self.broadcast_requested.emit(self.review)
        self.accept()

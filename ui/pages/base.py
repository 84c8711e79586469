"""Base class of a main-window page."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QLabel, QWidget


class Page(QWidget):
    """A page in the sidebar. Subclasses set ``page_id`` and ``order`` and implement ``title``."""

    page_id: ClassVar[str] = ""
    order: ClassVar[int] = 100

    def title(self) -> str:
        # Subclasses return a translated title; this fallback keeps a forgotten override readable.
        return self.page_id.replace("_", " ").capitalize()

    def page_shown(self) -> None:
        """Called when the page becomes the visible one (refresh cheap state here)."""


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label

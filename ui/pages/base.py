"""Base class of a main-window page, and the one layout every page uses."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

# Left, top, right, bottom: the same on every page, so switching pages never makes the title jump.
PAGE_MARGINS = (24, 20, 24, 20)
PAGE_SPACING = 10


class Page(QWidget):
    """A page in the sidebar. Subclasses set ``page_id`` and ``order`` and implement ``title``."""

    page_id: ClassVar[str] = ""
    order: ClassVar[int] = 100

    def title(self) -> str:
        # Subclasses return a translated title; this fallback keeps a forgotten override readable.
        return self.page_id.replace("_", " ").capitalize()

    def page_shown(self) -> None:
        """Called when the page becomes the visible one (refresh cheap state here)."""

    def page_content(self, title: str) -> QVBoxLayout:
        """Lay the page out as every page is: a vertical scroll area (never sideways) holding
        the title as a heading; returns the layout to add the page's widgets to."""
        content = QWidget()
        content.setObjectName("pageContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.setSpacing(PAGE_SPACING)
        self.title_label = heading(title)
        layout.addWidget(self.title_label)
        scroll = QScrollArea()
        scroll.setObjectName("pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Content wraps or elides to the window's width; a sideways scroll bar would hide
        # half of every row.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        return layout


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    # The stylesheet's padding gives the label a frame, and a framed QLabel indents its text by
    # half an "x" unless told not to: the title would start right of everything under it.
    label.setIndent(0)
    return label


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label

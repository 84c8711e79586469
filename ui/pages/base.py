"""Base class of a main-window page, and the one layout every page uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, Qt
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


class PageEntry:
    """A sidebar entry whose page is built on first use (``page()``), not before the window shows.

    ``kind`` gives the id, order and sidebar title; ``build`` makes the page once. A composition
    adds a page by adding one ``PageEntry(SendPage, lambda: SendPage(model))``.
    """

    def __init__(self, kind: type[Page], build: Callable[[], Page]) -> None:
        self.kind = kind
        self.page_id = kind.page_id
        self.order = kind.order
        self._build = build
        self._page: Page | None = None

    @classmethod
    def built(cls, page: Page) -> PageEntry:
        entry = cls(type(page), lambda: page)
        entry.page_id, entry.order, entry._page = page.page_id, page.order, page
        return entry

    @property
    def is_built(self) -> bool:
        return self._page is not None

    def page(self) -> Page:
        if self._page is None:
            self._page = self._build()
        return self._page

    def title(self) -> str:
        if self._page is not None:
            return self._page.title()
        # A page's title() only translates a literal in its class's context: ask it through a
        # stand-in with the same tr(), so the sidebar is labelled without building the page.
        return self.kind.title(_TitleContext(self.kind))  # type: ignore[arg-type]


class _TitleContext:
    def __init__(self, kind: type[Page]) -> None:
        self.page_id = kind.page_id
        self._context = kind.__name__

    def tr(self, text: str) -> str:
        return QCoreApplication.translate(self._context, text)


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

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

    A composition adds a page with one entry: ``PageEntry.of(SendPage, lambda: SendPage(model))``
    when the page's module is loaded anyway, or ``PageEntry(id, order, title, build)`` with a
    ``build`` that imports the page's module itself, so a page nobody opens costs no import.
    The id is checked against the built page's.
    """

    def __init__(self, page_id: str, order: int, title: Callable[[], str],
                 build: Callable[[], Page]) -> None:
        self.page_id = page_id
        self.order = order
        self._title = title
        self._build = build
        self._page: Page | None = None
        self._when_built: list[Callable[[Page], None]] = []

    @classmethod
    def of(cls, kind: type[Page], build: Callable[[], Page]) -> PageEntry:
        return cls(kind.page_id, kind.order, lambda: class_title(kind), build)

    @classmethod
    def built(cls, page: Page) -> PageEntry:
        entry = cls(page.page_id, page.order, page.title, lambda: page)
        entry._page = page
        return entry

    @property
    def is_built(self) -> bool:
        return self._page is not None

    def page(self) -> Page:
        if self._page is None:
            page = self._build()
            if page.page_id != self.page_id:
                raise ValueError(f"the entry {self.page_id!r} built the page {page.page_id!r}")
            self._page = page
            for hook in self._when_built:
                hook(page)
            self._when_built.clear()
        return self._page

    def when_built(self, hook: Callable[[Page], None]) -> None:
        """Runs ``hook`` with the page once it exists: now if it is built, else when it is (links
        between pages are made without building a page nobody opened)."""
        if self._page is not None:
            hook(self._page)
        else:
            self._when_built.append(hook)

    def title(self) -> str:
        return self._page.title() if self._page is not None else self._title()


def translated(context: type[Page] | str, text: str) -> str:
    """``text`` translated as ``tr()`` in the page class ``context`` (or a class of that name)
    translates it, for titles shown before the page is built."""
    return QCoreApplication.translate(context if isinstance(context, str) else context.__name__,
                                      text)


def class_title(kind: type[Page]) -> str:
    """A page class's title without building the page: its title() only translates a literal,
    so it is asked through a stand-in with the same tr()."""
    return kind.title(_TitleContext(kind))  # type: ignore[arg-type]


class _TitleContext:
    def __init__(self, kind: type[Page]) -> None:
        self.page_id = kind.page_id
        self._kind = kind

    def tr(self, text: str) -> str:
        return translated(self._kind, text)


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

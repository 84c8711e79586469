"""Start-up: work deferred until a window has first painted, and the probe `make bench` reads
(when the window first painted, and the idle RSS after).

The probe is shared by the app (`fluxdesk --startup-probe`) and the bare PySide6 window the
benchmark compares it with, so both are measured by the same code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import psutil
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    """Watches ``window`` for its first paint; ``first`` watches from the application, whose
    filters Qt calls before any object's, so ``then`` is queued ahead of every hook
    ``after_first_paint`` set on the window (whatever the order they were set in)."""

    def __init__(self, window: QWidget, then: Callable[[], None], *, first: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        app = QCoreApplication.instance()
        self._watched: QObject = app if first and app is not None else window
        self._watched.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._window and event.type() == QEvent.Type.Paint and self._then is not None:
            # Run once the paint event is handled, i.e. when the loop is next free.
            QTimer.singleShot(0, self._then)
            self._then = None
            self._watched.removeEventFilter(self)
        return False


def after_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, on the event loop, right after ``window`` first painted."""
    _FirstPaint(window, then)


class StartupProbe(QObject):
    """Notes the wall-clock time of ``window``'s first paint, waits ``idle_seconds`` with the event
    loop running, then prints ``{"painted_at": epoch seconds, "idle_rss_mb": MiB}`` (one JSON
    line) and calls ``quit``.

    The caller takes the start time itself: psutil's process create time is only as precise as the
    kernel's whole-second boot time, which is too coarse for a start-up benchmark. The paint is
    noted before the work the app defers until after it (``after_first_paint``) runs: that work
    happens with the window already on screen, and its memory still counts in the idle RSS.
    """

    def __init__(self, window: QWidget, idle_seconds: float, quit: Callable[[], None]) -> None:
        super().__init__(window)
        self.painted_at: float | None = None
        self._quit = quit
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(idle_seconds * 1000))
        self._idle.timeout.connect(self._report)
        _FirstPaint(window, self._painted, first=True)

    def _painted(self) -> None:
        self.painted_at = time.time()
        self._idle.start()

    def _report(self) -> None:
        rss_mb = psutil.Process().memory_info().rss / 2**20
        print(json.dumps({"painted_at": self.painted_at, "idle_rss_mb": round(rss_mb, 1)}),
              flush=True)
        self._quit()

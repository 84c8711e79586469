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
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            # Run once the paint event is handled, i.e. when the loop is next free.
            QTimer.singleShot(0, self._then)
            self._then = None
            obj.removeEventFilter(self)
        return False


def after_first_paint(window: QWidget, then: Callable[[], None]) -> None:
    """Call ``then`` once, on the event loop, right after ``window`` first painted."""
    _FirstPaint(window, then)


class StartupProbe(QObject):
    """Notes the wall-clock time of ``window``'s first paint, waits ``idle_seconds`` with the event
    loop running, then prints ``{"painted_at": epoch seconds, "idle_rss_mb": MiB}`` (one JSON
    line) and calls ``quit``.

    The caller takes the start time itself: psutil's process create time is only as precise as the
    kernel's whole-second boot time, which is too coarse for a start-up benchmark.
    """

    def __init__(self, window: QWidget, idle_seconds: float, quit: Callable[[], None]) -> None:
        super().__init__(window)
        self.painted_at: float | None = None
        self._quit = quit
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(idle_seconds * 1000))
        self._idle.timeout.connect(self._report)
        after_first_paint(window, self._painted)

    def _painted(self) -> None:
        self.painted_at = time.time()
        self._idle.start()

    def _report(self) -> None:
        rss_mb = psutil.Process().memory_info().rss / 2**20
        print(json.dumps({"painted_at": self.painted_at, "idle_rss_mb": round(rss_mb, 1)}),
              flush=True)
        self._quit()

"""Cyclic garbage collection only on the GUI thread.

With the wallet engine on a worker thread, Python's automatic collector can run on that thread
and destroy unreachable Qt objects there; Qt then stops timers from the wrong thread and may
crash. So, once per application, automatic collection is switched off and a Qt timer on the GUI
thread collects instead, with the interpreter's own thresholds (the approach qutebrowser uses).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

_PROPERTY = "fluxdesk_gui_gc"
INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        # The same rule the interpreter applies on allocation: a generation is collected once
        # its count passes its threshold.
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


def collect_on_gui_thread(app: QApplication) -> None:
    """Idempotent: the first call per QApplication takes collection over from the interpreter."""
    if app.property(_PROPERTY):
        return
    app.setProperty(_PROPERTY, True)
    gc.disable()
    GuiThreadCollector(app)

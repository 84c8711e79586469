"""Keyboard and mouse input anywhere in the app counts as wallet activity (for auto-lock)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject

from ui.wallet.wallet_model import WalletModel


class ActivityWatcher(QObject):
    """Counts keyboard and mouse input anywhere in the app as wallet activity (auto-lock idles
    from the last input, not from the last wallet request); at most one touch per interval."""

    def __init__(self, model: WalletModel, interval: float = 15.0) -> None:
        super().__init__(model)
        self._model = model
        self._interval = interval
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            now = time.monotonic()
            if now - self._last >= self._interval:
                self._last = now
                self._model.touch()
        return False


_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
})

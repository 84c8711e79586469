"""Log viewer: the tail of one component's log on this machine, with follow and search."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from nodectl.monitor.errors import MonitorError
from nodectl.monitor.logs import LogLine, LogTail

FOLLOW_MS = 2000
SHOWN_LINES = 2000
ReadLog = Callable[[str, str], Awaitable[list[LogLine]]]


class LogViewer(QWidget):
    def __init__(self, read: ReadLog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read = read
        self._key = ""
        self._tails: Mapping[str, LogTail] = {}
        self._reading = False
        self.component = QComboBox()
        self.follow = QCheckBox(self.tr("Follow"))
        self.follow.setChecked(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search (case-insensitive)"))
        self.search.setClearButtonEnabled(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.hide()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(SHOWN_LINES)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setStyleSheet("font-family: monospace;")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Log:")))
        top.addWidget(self.component)
        top.addWidget(self.follow)
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.text, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(FOLLOW_MS)
        self.timer.timeout.connect(self.read_more)
        self.component.currentIndexChanged.connect(self._switch)
        self.follow.toggled.connect(self._follow_changed)
        self.search.textChanged.connect(self._render)

    def set_node(self, key: str, tails: Mapping[str, LogTail]) -> None:
        self._key, self._tails = key, tails
        self.component.blockSignals(True)
        self.component.clear()
        self.component.addItems(list(tails))
        self.component.blockSignals(False)
        if not tails:
            self._say(self.tr("Logs are only readable for the node on this machine."))
            self.text.clear()
            self.timer.stop()
            return
        self._switch()

    def _say(self, words: str) -> None:
        self.status.setText(words)
        self.status.setVisible(bool(words))

    def _switch(self) -> None:
        self.text.clear()
        self._say("")
        self._render()
        if self.isVisible():  # a hidden viewer reads when it is shown
            self.read_more()
        self._follow_changed(self.follow.isChecked())

    def _follow_changed(self, on: bool) -> None:
        if on and self._tails and self.isVisible():
            self.timer.start()
        else:
            self.timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._tails:
            self.read_more()
        self._follow_changed(self.follow.isChecked())

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.timer.stop()

    @asyncSlot()
    async def read_more(self) -> None:
        name = self.component.currentText()
        if not name or self._reading:
            return
        self._reading = True
        try:
            fresh = await self._read(self._key, name)
        except MonitorError as exc:
            self._say(str(exc))
            return
        finally:
            self._reading = False
        if name != self.component.currentText():
            return
        if self.search.text():
            if fresh:
                self._render()
        elif fresh:
            self.text.appendPlainText("\n".join(line.text for line in fresh))

    def _render(self) -> None:
        tail = self._tails.get(self.component.currentText())
        if tail is None:
            return
        pattern = self.search.text()
        lines = tail.search(pattern) if pattern else list(tail.lines)
        if not pattern:
            self._say("")
        self.text.setPlainText("\n".join(line.text for line in lines))
        if pattern:
            self._say(self.tr("{0} matching line(s) of the last {1}.").format(
                len(lines), len(tail.lines)))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())

"""Tray icon with show/hide and quit."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget


class Tray(QObject):
    quit_requested = Signal()

    def __init__(self, window: QWidget, icon: QIcon) -> None:
        super().__init__(window)
        self._window = window
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip("FluxDesk")
        menu = QMenu(window)
        self.toggle_action = QAction(self.tr("Show / hide"), self)
        self.toggle_action.triggered.connect(self.toggle)
        quit_action = QAction(self.tr("Quit FluxDesk"), self)
        quit_action.triggered.connect(self.quit_requested)
        menu.addAction(self.toggle_action)
        menu.addAction(quit_action)
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self._menu = menu

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle()

    def toggle(self) -> None:
        if self._window.isVisible():
            self._window.hide()
        else:
            self._window.show()
            self._window.raise_()
            self._window.activateWindow()

    def show(self) -> None:
        self.icon.show()

    def notify(self, title: str, text: str, severity: str) -> None:
        """A desktop notification (the node monitor's alerts)."""
        icon = {"bad": QSystemTrayIcon.MessageIcon.Critical,
                "warn": QSystemTrayIcon.MessageIcon.Warning}.get(
            severity, QSystemTrayIcon.MessageIcon.Information)
        self.icon.showMessage(title, text, icon)

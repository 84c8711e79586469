"""Alert settings: desktop notifications, a Telegram bot, a Discord webhook.

The bot token and webhook URL go to the OS keyring through the service; the fields are never
filled back in (they show whether one is saved). An empty field keeps what is saved.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nodectl.monitor.alerts.events import Event
from ui.monitor_service import AlertForm
from ui.pages.base import hint


def _secret_field(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class AlertSettings(QWidget):
    # chat id, telegram token (None keeps, "" forgets), discord webhook (same), desktop
    save_requested = Signal(str, object, object, bool)
    test_requested = Signal()
    watchdog_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._forget = False
        self.desktop = QCheckBox(self.tr("Desktop notifications from the tray"))
        self.desktop.setChecked(True)
        self.chat_id = QLineEdit()
        self.chat_id.setPlaceholderText(self.tr("e.g. 123456789"))
        self.token = _secret_field(self.tr("from @BotFather"))
        self.webhook = _secret_field(self.tr("https://discord.com/api/webhooks/…"))
        self.saved = QLabel("")
        self.saved.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"))
        self.forget_button = QPushButton(self.tr("Forget saved tokens"))
        self.test_button = QPushButton(self.tr("Send test alert"))
        self.watchdog_button = QPushButton(self.tr("Write these to the watchdog's config.js"))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        telegram = QGroupBox(self.tr("Telegram"))
        form = QFormLayout(telegram)
        form.addRow(self.tr("Bot token"), self.token)
        form.addRow(self.tr("Chat ID"), self.chat_id)
        discord = QGroupBox(self.tr("Discord"))
        QFormLayout(discord).addRow(self.tr("Webhook URL"), self.webhook)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.test_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(hint(self.tr(
            "FluxDesk sends alerts while it runs: when the node's state changes or the doctor "
            "finds something, at most once per 15 minutes for a state that flaps. Tokens are "
            "kept in the system keyring, never in the settings file.")))
        layout.addWidget(self.desktop)
        layout.addWidget(telegram)
        layout.addWidget(discord)
        layout.addWidget(self.saved)
        layout.addLayout(buttons)
        layout.addWidget(hint(self.tr(
            "While FluxDesk is closed, the node's own watchdog can send the same alerts: write "
            "these settings into its config.js (it keeps updating the node software on its own "
            "either way).")))
        row = QHBoxLayout()
        row.addWidget(self.watchdog_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(QLabel(self.tr("Recent alerts for this node")))
        self.history = QListWidget()
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(120)
        layout.addWidget(self.history, 1)
        self.save_button.clicked.connect(self._save)
        self.forget_button.clicked.connect(self._forget_tokens)
        self.test_button.clicked.connect(self.test_requested)
        self.watchdog_button.clicked.connect(self.watchdog_requested)

    def show_form(self, form: AlertForm) -> None:
        self.chat_id.setText(form.chat_id)
        self.desktop.setChecked(form.desktop)
        self.token.clear()
        self.webhook.clear()
        saved = [name for name, yes in (("Telegram bot token", form.has_telegram_token),
                                        ("Discord webhook", form.has_discord_webhook)) if yes]
        self.saved.setText(self.tr("Saved in the keyring: {0}.").format(", ".join(saved))
                           if saved else self.tr("No token saved yet."))
        self.watchdog_button.setEnabled(form.watchdog_dir is not None)

    def show_history(self, events: Sequence[Event]) -> None:
        """Newest first; the history itself is kept by the monitor (last 500 events)."""
        self.history.clear()
        for event in reversed(events):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(event.at))
            item = QListWidgetItem(f"{when}  {event.text}")
            item.setData(Qt.ItemDataRole.UserRole, event.severity)
            self.history.addItem(item)
        if not events:
            self.history.addItem(self.tr("No alert yet: the first check is the baseline."))

    def _save(self) -> None:
        token = "" if self._forget else (self.token.text().strip() or None)
        webhook = "" if self._forget else (self.webhook.text().strip() or None)
        self._forget = False
        self.save_requested.emit(self.chat_id.text().strip(), token, webhook,
                                 self.desktop.isChecked())

    def _forget_tokens(self) -> None:
        self._forget = True
        self._save()

    def show_result(self, ok: bool, words: str) -> None:
        self.status.setText(words)
        self.status.setProperty("state", "ok" if ok else "bad")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

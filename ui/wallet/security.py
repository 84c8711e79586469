"""Security: lock now, auto-lock, change password, show the seed (password first), backup export."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.seedgrid import SeedGrid
from ui.wallet.wallet_model import WalletModel
from wallet.errors import WalletError
from wallet.password import password_feedback

# (strength 0–4, sentence, acceptable?) — the same rule the first-run wizard applies.


def _password_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    edit.setMaximumWidth(420)
    return edit


class SecurityPage(WalletPage):
    page_id: ClassVar[str] = "wallet-security"
    order: ClassVar[int] = 160

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.lock_button = QPushButton(self.tr("Lock now"))
        self.lock_button.clicked.connect(service.lock)
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 240)
        self.auto_lock.setSuffix(self.tr(" min"))
        self.auto_lock.setSpecialValueText(self.tr("never"))
        self.auto_lock.valueChanged.connect(self._auto_lock_changed)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock_button)
        lock_row.addSpacing(16)
        lock_row.addWidget(QLabel(self.tr("Lock after being idle for")))
        lock_row.addWidget(self.auto_lock)
        lock_row.addStretch(1)

        self.old_password = _password_edit(self.tr("Current password"))
        self.new_password = _password_edit(self.tr("New password"))
        self.new_again = _password_edit(self.tr("New password again"))
        self.new_password.textChanged.connect(self._new_changed)
        self.new_again.textChanged.connect(self._new_changed)
        self.change_button = QPushButton(self.tr("Change password"))
        self.change_button.clicked.connect(self.change_password)
        self.change_note = hint("")
        change = QFormLayout()
        change.addRow(self.tr("Current"), self.old_password)
        change.addRow(self.tr("New"), self.new_password)
        change.addRow(self.tr("New again"), self.new_again)
        change_row = QHBoxLayout()
        change_row.addWidget(self.change_note, 1)
        change_row.addWidget(self.change_button)
        change.addRow("", change_row)
        change_box = QGroupBox(self.tr("Password"))
        change_box.setLayout(change)

        self.seed_password = _password_edit(self.tr("Password"))
        self.seed_button = QPushButton(self.tr("Show seed words"))
        self.seed_button.clicked.connect(self.reveal_seed)
        self.seed = SeedGrid()
        self.seed_note = hint("")
        self.copy_warning = hint(self.tr(
            "Write the words on paper, in this order. Do not copy them to the clipboard, a "
            "screenshot, a photo, a chat or a cloud note: other programs and services can read "
            "those, and anyone with the words can take your coins."))
        self.copy_warning.setProperty("state", "warn")
        self.copy_warning.hide()
        self.hide_seed = QPushButton(self.tr("Hide"))
        self.hide_seed.clicked.connect(self.clear_seed)
        self.hide_seed.hide()
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_password)
        seed_row.addWidget(self.seed_button)
        seed_row.addWidget(self.hide_seed)
        seed_row.addStretch(1)
        seed_box = QGroupBox(self.tr("Seed words"))
        seed_layout = QVBoxLayout(seed_box)
        seed_layout.addWidget(hint(self.tr(
            "Anyone who sees these words can take your coins. Make sure nobody is watching.")))
        seed_layout.addLayout(seed_row)
        seed_layout.addWidget(self.seed_note)
        seed_layout.addWidget(self.copy_warning)
        seed_layout.addWidget(self.seed)

        self.backup_password = _password_edit(self.tr("Password"))
        self.backup_button = QPushButton(self.tr("Export encrypted backup…"))
        self.backup_button.clicked.connect(self.choose_backup)
        self.backup_note = hint(self.tr(
            "A copy of the encrypted wallet file (labels, contacts, nodes included). It opens "
            "with the wallet password."))
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_password)
        backup_row.addWidget(self.backup_button)
        backup_row.addStretch(1)
        backup_box = QGroupBox(self.tr("Backup"))
        backup_layout = QVBoxLayout(backup_box)
        backup_layout.addLayout(backup_row)
        backup_layout.addWidget(self.backup_note)
        self.file_dialog: QFileDialog | None = None

        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(lock_row)
        layout.addWidget(change_box)
        layout.addWidget(seed_box)
        layout.addWidget(backup_box)
        layout.addStretch(1)
        self._new_changed()
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Security")

    def refresh(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        self.auto_lock.blockSignals(True)
        self.auto_lock.setValue(snapshot.auto_lock_minutes)
        self.auto_lock.blockSignals(False)
        self.seed_button.setEnabled(snapshot.has_seed)

    def _auto_lock_changed(self, minutes: int) -> None:
        self.service.set_auto_lock_minutes(minutes)

    def _new_changed(self) -> None:
        _, message, ok = password_feedback(self.new_password.text())
        if ok and self.new_password.text() != self.new_again.text():
            message, ok = self.tr("The two new passwords differ."), False
        self.change_note.setText(message if self.new_password.text() else "")
        self.change_button.setEnabled(ok)

    @asyncSlot()
    async def change_password(self) -> None:
        self.change_button.setEnabled(False)
        self.change_note.setText(self.tr("Re-encrypting the wallet…"))
        try:
            await self.service.change_password(self.old_password.text(), self.new_password.text())
        except WalletError as exc:
            self.change_note.setText(str(exc))
            self.change_button.setEnabled(True)
            return
        for edit in (self.old_password, self.new_password, self.new_again):
            edit.clear()
        self.change_note.setText(self.tr("Password changed."))

    @asyncSlot()
    async def reveal_seed(self) -> None:
        try:
            words = await self.service.reveal_seed(self.seed_password.text())
        except WalletError as exc:
            self.seed_note.setText(str(exc))
            return
        finally:
            self.seed_password.clear()
        self.seed_note.setText("")
        self.seed.set_words(words.split())
        self.copy_warning.show()
        self.hide_seed.show()

    def clear_seed(self) -> None:
        self.seed.clear()
        self.copy_warning.hide()
        self.hide_seed.hide()

    def hideEvent(self, event: QHideEvent) -> None:
        # Seed words never stay on screen behind the user's back.
        self.clear_seed()
        super().hideEvent(event)

    def choose_backup(self) -> None:
        self.file_dialog = QFileDialog(self, self.tr("Export backup"), "wallet-backup.fluxwallet",
                                       self.tr("FluxDesk wallet (*.fluxwallet)"))
        self.file_dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.file_dialog.fileSelected.connect(self.export_backup)
        self.file_dialog.open()

    @asyncSlot(str)
    async def export_backup(self, path: str) -> None:
        try:
            await self.service.export_backup(Path(path), self.backup_password.text())
        except (WalletError, OSError) as exc:
            self.backup_note.setText(str(exc))
            return
        finally:
            self.backup_password.clear()
        self.backup_note.setText(self.tr("Backup written to %s") % path)

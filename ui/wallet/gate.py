"""What a wallet page shows before it can show its content: the way to a wallet, or an unlock form.

Every wallet page is a WalletPage: with no wallet it offers the first-run wizard, while locked it
asks for the password, and once unlocked it shows its own content widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import Page, heading, hint
from ui.wallet.wallet_model import WalletModel
from wallet.errors import WalletError
from wallet.state import WalletStatus


class _NoWallet(QWidget):
    def __init__(self, service: WalletModel) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = heading(self.tr("No wallet yet"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = text = hint(
            self.tr(
                "Create a new wallet, restore one from its seed words, import a key or watch an "
                "address. Your keys stay on this computer, encrypted with your password."
            )
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton(self.tr("Create or restore a wallet"))
        self.button.setDefault(True)
        self.button.clicked.connect(service.wizard_requested)
        # The fresh-install choice's other half, shown once the app offers the node setup.
        self.setup_button = QPushButton(self.tr("Set up a FluxNode"))
        self.setup_button.hide()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addWidget(self.setup_button)
        row.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(2)

    def offer_setup(self, open_setup: Callable[[], None]) -> None:
        self.text.setText(self.text.text() + " " + self.tr(
            "Or set up a FluxNode on this machine: it starts with a wallet for its collateral."))
        self.setup_button.clicked.connect(open_setup)
        self.setup_button.show()


class UnlockForm(QWidget):
    def __init__(self, service: WalletModel) -> None:
        super().__init__()
        self._service = service
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Wallet password"))
        self.password.setMinimumWidth(260)
        self.password.setMaximumWidth(360)
        self.password.returnPressed.connect(self.unlock)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock)
        self.device_button = QPushButton(self.tr("Unlock with this device"))
        self.device_button.clicked.connect(self.unlock_remembered)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = heading(self.tr("Wallet locked"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.which = hint("")
        self.which.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lost = hint(self.tr(
            "Forgot the password? Nobody can reset it. Restore the wallet from its seed words "
            "instead: close FluxDesk, move this wallet file aside (keep it), start FluxDesk "
            "again and choose Create or restore → Restore from seed words, with a new "
            "password."))
        self.lost.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.password)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        device_row = QHBoxLayout()
        device_row.addStretch(1)
        device_row.addWidget(self.device_button)
        device_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.which)
        layout.addLayout(row)
        layout.addLayout(device_row)
        layout.addWidget(self.message)
        layout.addSpacing(16)
        layout.addWidget(self.lost)
        layout.addStretch(2)

    def refresh(self) -> None:
        self.device_button.setVisible(self._service.is_remembered())
        path = self._service.wallet_path
        self.which.setText(self.tr("Wallet “%s” (%s)") % (path.stem, self._service.network.name))
        self.which.setToolTip(str(path))
        self.password.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.password.setFocus()

    @asyncSlot()
    async def unlock(self) -> None:
        await self._unlock(remembered=False)

    @asyncSlot()
    async def unlock_remembered(self) -> None:
        await self._unlock(remembered=True)

    async def _unlock(self, *, remembered: bool) -> None:
        self.unlock_button.setEnabled(False)
        self.message.setText(self.tr("Unlocking…"))
        try:
            await self._service.unlock(self.password.text(), remembered=remembered)
        except WalletError as exc:
            self.message.setText(str(exc))
            self.message.setProperty("state", "bad")
        else:
            self.message.setText("")
        finally:
            self.password.clear()
            self.unlock_button.setEnabled(True)
            self.message.style().polish(self.message)


class WalletPage(Page):
    """A page whose content needs an unlocked wallet. Subclasses build `content` and refresh it."""

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._stale = True
        self.gate = QStackedWidget()
        self.no_wallet = _NoWallet(service)
        self.unlock_form = UnlockForm(service)
        self.content = QWidget()
        for widget in (self.no_wallet, self.unlock_form, self.content):
            self.gate.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 16)
        outer.addWidget(heading(self.title()))
        outer.addWidget(self.gate, 1)
        service.state_changed.connect(self._state_changed)
        service.data_changed.connect(self._maybe_refresh)

    def finish_setup(self) -> None:
        """Subclasses call this at the end of __init__ once `content` is built."""
        self._state_changed(str(self.service.state))

    def _state_changed(self, state: str) -> None:
        if state == WalletStatus.NONE:
            self.gate.setCurrentWidget(self.no_wallet)
        elif state == WalletStatus.LOCKED:
            self.unlock_form.refresh()
            self.gate.setCurrentWidget(self.unlock_form)
        else:
            self.gate.setCurrentWidget(self.content)
            self._maybe_refresh()

    def _maybe_refresh(self) -> None:
        # Hidden pages only note that they are stale: rebuilding a coins table of thousands of
        # rows for a page nobody looks at would stall the window after every sync.
        if self.service.state != WalletStatus.UNLOCKED:
            return
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def page_shown(self) -> None:
        if self._stale:
            self._maybe_refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._maybe_refresh()

    def refresh(self) -> None:
        """Re-read what the page shows from the service (cheap; called on every change)."""

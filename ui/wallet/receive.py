"""Receive: the current unused address as text and QR code, copy, label, and a fresh address."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.qr import QrWidget
from ui.wallet.wallet_model import WalletModel
from wallet.amounts import parse_amount
from wallet.errors import WalletError
from wallet.payuri import payment_uri, zelcore_link


class ReceivePage(WalletPage):
    page_id: ClassVar[str] = "wallet-receive"
    order: ClassVar[int] = 120

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self.address = QLabel()
        self.address.setObjectName("receiveAddress")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.1)
        self.address.setFont(mono)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr = QrWidget()
        self.qr.setFixedSize(220, 220)
        self.copy_button = QPushButton(self.tr("Copy address"))
        self.copy_button.clicked.connect(self.copy)
        self.new_button = QPushButton(self.tr("New address"))
        self.new_button.setToolTip(self.tr("A fresh address, so payers cannot link your payments"))
        self.new_button.clicked.connect(self.new_address)
        self.label = QLineEdit()
        self.label.setPlaceholderText(self.tr("Who is paying, what for (only stored here)"))
        self.label.editingFinished.connect(self.save_label)
        # A payment request: what the payer's wallet fills in after scanning the QR code.
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(self.tr("Optional, in %s") % service.currency)
        self.description = QLineEdit()
        self.description.setPlaceholderText(self.tr("Optional, shown to the payer"))
        for field in (self.amount, self.description):
            field.textChanged.connect(self.update_request)
        self.link_button = QPushButton(self.tr("Copy payment link"))
        self.link_button.clicked.connect(self.copy_link)
        self.zelcore_button = QPushButton(self.tr("Copy Zelcore link"))
        self.zelcore_button.setToolTip(self.tr("A zel: link that opens Zelcore's send screen"))
        self.zelcore_button.clicked.connect(self.copy_zelcore)
        self.request_note = hint("")
        self.request_note.setWordWrap(True)
        self.status = hint("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("Label"), self.label)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Description"), self.description)
        links = QHBoxLayout()
        links.addWidget(self.link_button)
        links.addWidget(self.zelcore_button)
        links.addStretch(1)
        form.addRow("", links)
        form.addRow("", self.request_note)
        side = QVBoxLayout()
        side.addWidget(hint(self.tr("Your address")))
        side.addWidget(self.address)
        side.addLayout(buttons)
        side.addSpacing(8)
        side.addLayout(form)
        side.addWidget(self.status)
        side.addStretch(1)
        row = QHBoxLayout(self.content)
        row.setContentsMargins(0, 8, 0, 0)
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        row.addSpacing(20)
        row.addLayout(side, 1)
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Receive")

    def refresh(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is not None and snapshot.receive_address:
            self.show_address(snapshot.receive_address)

    def show_address(self, address: str) -> None:
        if address == self.address.text():
            return
        self.address.setText(address)
        self.update_request()
        snapshot = self.service.snapshot
        self.label.setText(snapshot.labels.get(address, "") if snapshot else "")
        self.status.setText("")

    def requested(self) -> tuple[int | None, str]:
        """(amount in satoshis or None, description); InvalidAmount for a bad amount."""
        text = self.amount.text().strip()
        satoshis = parse_amount(text, unit=self.service.currency) if text else None
        assert satoshis is None or isinstance(satoshis, int)
        return satoshis, self.description.text().strip()

    def update_request(self) -> None:
        address = self.address.text()
        if not address:
            return
        try:
            satoshis, message = self.requested()
        except WalletError as exc:
            self.request_note.setText(str(exc))
            self.request_note.setProperty("state", "bad")
            self.qr.set_text(address)
            return
        self.request_note.setProperty("state", "")
        uri = payment_uri(address, satoshis, message)
        self.qr.set_text(uri)
        self.request_note.setText(uri if uri != address else self.tr(
            "Add an amount or a description to make a payment request."))

    def copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self.qr.text())
        self.status.setText(self.tr("Payment link copied."))

    def copy_zelcore(self) -> None:
        try:
            satoshis, message = self.requested()
        except WalletError as exc:
            self.status.setText(str(exc))
            return
        QGuiApplication.clipboard().setText(zelcore_link(self.address.text(), satoshis, message))
        self.status.setText(self.tr("Zelcore link copied."))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text())
        self.status.setText(self.tr("Address copied."))

    @asyncSlot()
    async def new_address(self) -> None:
        try:
            address = await self.service.new_receive_address()
        except WalletError as exc:
            self.status.setText(str(exc))
            return
        self.show_address(address)

    def save_label(self) -> None:
        if self.address.text():
            self.service.set_label(self.address.text(), self.label.text().strip())

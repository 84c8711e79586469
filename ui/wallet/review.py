"""The review dialog before broadcast, and the result panel after it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.wallet.confirm_dialog import ConfirmDialog, mono
from ui.wallet.units import money
from wallet.send import Review

# Target block spacing since PON (docs/protocol-fluxnode.md: 30 s); only used for the estimate.
BLOCK_SECONDS = 30


def sat_per_byte(fee: int, size: int) -> str:
    """Fee rate to one decimal, rounded half up, in integer math: 226 sat / 225 B -> "1.0"."""
    if size <= 0:
        return "0"
    tenths = (fee * 10 * 2 + size) // (2 * size)
    return f"{tenths // 10}.{tenths % 10}"


class ReviewDialog(ConfirmDialog):
    """Shows what will happen; only the explicit Broadcast button sends anything."""

    def __init__(self, review: Review, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(review, self.tr("Review transaction"), parent)
        add = self.add
        recipients = [(o.address or "", o.satoshis) for o in review.outputs
                      if o.role == "recipient"]
        for number, (address, amount) in enumerate(recipients, start=1):
            prefix = self.tr("To") if len(recipients) == 1 else self.tr("To #%d") % number
            add(f"to{number}", prefix, f"{address}\n{money(amount, unit)}", fixed=True)
        add("amount", self.tr("Amount"), money(review.amount, unit))
        add("fee", self.tr("Fee"), self.tr("%s  (%s sat/byte · %d bytes · coins spent: %d)")
            % (money(review.fee, unit), sat_per_byte(review.fee, review.size),
               review.size, len(review.inputs)))
        change = money(review.change, unit)
        if review.change and review.change_address:
            # What is signed pays the change here; show it so nothing leaves the wallet unseen.
            change = f"{change}\n{review.change_address}"
        add("change", self.tr("Change back to you"), change)
        add("total", self.tr("Total leaving the wallet"), money(review.total, unit))
        minutes = max(0, review.expiry_height - review.tip_height) * BLOCK_SECONDS // 60
        add("expiry", self.tr("Expires"), self.tr(
            "at block %d (about %d minutes from now if not mined)") % (
            review.expiry_height, minutes))
        if review.message:
            add("message", self.tr("Message (public, on chain)"), review.message)
        self.fields["total"].setProperty("role", "heading")
        self.finish(self.tr("Check before sending"), self.tr(
            "A broadcast transaction cannot be called back. Check the address on another "
            "channel if someone sent it to you."), self.tr("Broadcast"))


class SentPanel(QWidget):
    """After a broadcast: the txid with copy and explorer buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.txid = QLabel()
        self.txid.setFont(mono())
        self.txid.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.txid.setWordWrap(True)
        self.copy_button = QPushButton(self.tr("Copy transaction ID"))
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.txid.text()))
        self.explorer_button = QPushButton(self.tr("Open in explorer"))
        self.explorer_button.clicked.connect(self._open)
        self.url = ""
        title = QLabel(self.tr("Sent. The transaction is on its way to the network."))
        title.setProperty("state", "ok")
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.explorer_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.txid)
        layout.addLayout(row)

    def show_txid(self, txid: str, url: str) -> None:
        self.txid.setText(txid)
        self.url = url
        self.explorer_button.setEnabled(bool(url))
        self.show()

    def _open(self) -> None:
        if self.url:
            QDesktopServices.openUrl(QUrl(self.url))

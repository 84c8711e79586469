"""The banner that says the figures on screen are not live: when they were last true, why no server
answered (in full, wrapped to the window's width) and a Retry."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.wallet.wallet_model import WalletModel
from wallet.dates import local_date


def stale_since(model: WalletModel) -> float | None:
    """When the figures on screen were last known true, or None when they are live (or empty)."""
    snapshot = model.snapshot
    if snapshot is None:
        return None
    if snapshot.as_of is not None:
        return float(snapshot.as_of)
    if model.sync_error and model.last_synced:
        return model.last_synced
    return None


def stale_text(model: WalletModel) -> str:
    """One line for the top of the banner ("" when the figures are live and the server answers)."""
    since = stale_since(model)
    if not model.sync_error:
        if since is not None:
            return f"Last known balances as of {local_date(int(since))}; checking the server…"
        return ""
    if since is not None:
        return f"Balances as of {local_date(int(since))}, server unreachable."
    return "Server unreachable: no balances known yet for this wallet."


class StaleBanner(QFrame):
    def __init__(self, model: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._model = model
        self.headline = QLabel()
        self.headline.setObjectName("staleHeadline")
        self.headline.setProperty("state", "warn")
        self.headline.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("staleDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped text must not ask for more width than the window has.
        for label in (self.headline, self.detail):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(1)
        self.retry = QPushButton(self.tr("Retry"))
        self.retry.clicked.connect(model.sync)
        lines = QVBoxLayout()
        lines.setContentsMargins(0, 0, 0, 0)
        lines.addWidget(self.headline)
        lines.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.addLayout(lines, 1)
        row.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def refresh(self) -> None:
        headline = stale_text(self._model)
        self.headline.setText(headline)
        error = self._model.sync_error
        self.detail.setText(error)
        self.detail.setVisible(bool(error))
        self.retry.setVisible(bool(error))
        self.setVisible(bool(headline))

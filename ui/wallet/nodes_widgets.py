"""Small pieces of the Nodes page: the empty state, the Flux ID panel and text helpers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from flux.networks import Network
from flux.tiers import tier_spec, valid_collateral_amounts
from ui.pages.base import hint
from ui.wallet.confirm_dialog import mono
from ui.wallet.qr import QrWidget
from ui.wallet.units import money
from wallet.nodes.timing import PON_TIMING, blocks_to_seconds, describe_duration

Outpoint = tuple[str, int]
# Colours of a node state chip, shared by light and dark themes (white text on each).
STATE_COLOURS = {
    "confirmed": "#2e9d4f",
    "started": "#2f6fb5",
    "starting": "#2f6fb5",
    "dos": "#d0403a",
    "not-started": "#7a7f87",
}


def short_outpoint(outpoint: Outpoint) -> str:
    """"1a2b3c4d5e…:1": enough to tell collaterals apart; the full one is in the tooltip."""
    txid, index = outpoint
    return f"{txid[:10]}…:{index}"


def full_outpoint(outpoint: Outpoint) -> str:
    return f"{outpoint[0]}:{outpoint[1]}"


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def tier_amounts(network: Network) -> str:
    """"1,000 FLUX (Cumulus), 12,500 FLUX (Nimbus) or 40,000 FLUX (Stratus)" from the tier
    table, in the app's one amount format."""
    parts = [f"{money(sats, network.currency_unit)} ({tier_spec(tier).title})"
             for sats, tier in sorted(valid_collateral_amounts(network).items())]
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


class EmptyNodes(QWidget):
    """What a node needs, shown while the wallet has no node entry."""

    add_requested = Signal()
    setup_requested = Signal()
    prepare_requested = Signal()

    def __init__(self, network: Network, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("No nodes yet"))
        title.setObjectName("emptyTitle")
        bold = title.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        title.setFont(bold)
        needed = PON_TIMING.collateral_confirmations
        self.text = hint(self.tr(
            "A FluxNode is backed by a collateral: one coin in this wallet of exactly %s. "
            "The coin stays yours and stays in this wallet; it is locked so no send spends it, "
            "and it needs %d confirmations (%s) before the node can start. "
            "The node itself runs on a computer that is online all day, with a public IP "
            "address, and proves its hardware with a benchmark.") % (
            tier_amounts(network), needed, describe_duration(blocks_to_seconds(needed))))
        self.steps = hint(self.tr(
            "1. Send the exact amount to one of your own addresses, in one payment "
            "(Prepare collateral… does it for you).\n"
            "2. Add the node here: pick that coin and give the node a name; FluxDesk makes "
            "its identity key.\n"
            "3. Put the identity key and the collateral into the node's flux.conf.\n"
            "4. Start the node from this page once the coin has %d confirmations.") % needed)
        self.add_button = QPushButton(self.tr("Add node…"))
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_requested)
        self.setup_button = QPushButton(self.tr("Set up a node on this computer…"))
        self.setup_button.setToolTip(self.tr(
            "The one-click setup: benchmark, install, collateral and start"))
        self.setup_button.clicked.connect(self.setup_requested)
        self.setup_button.hide()
        self.prepare_button = QPushButton(self.tr("Prepare collateral…"))
        self.prepare_button.setToolTip(self.tr(
            "Send exactly a tier's collateral to yourself in one payment (reviewed first)"))
        self.prepare_button.clicked.connect(self.prepare_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.prepare_button)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.setup_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.text)
        layout.addWidget(self.steps)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_setup_available(self, available: bool) -> None:
        self.setup_button.setVisible(available)


class FluxIdPanel(QFrame):
    """The wallet's Flux ID (a Bitcoin-style "1…" address) with copy and QR."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fluxIdPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.qr = QrWidget()
        self.qr.setMinimumSize(96, 96)
        self.qr.setFixedSize(112, 112)
        self.address = QLabel()
        self.address.setFont(mono())
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = hint("")
        self.copy_button = QPushButton(self.tr("Copy Flux ID"))
        self.copy_button.clicked.connect(lambda: copy_text(self.address.text()))
        self.copy_button.setEnabled(False)
        title = QLabel(self.tr("Flux ID"))
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        side = QVBoxLayout()
        side.addWidget(title)
        side.addWidget(self.address)
        side.addWidget(self.note)
        side.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 8, 8, 8)
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(side, 1)

    def show_id(self, address: str, source: str) -> None:
        self.address.setText(address)
        # A Flux ID is never broken over two lines: it would be copied by hand wrongly.
        self.address.setMinimumWidth(self.address.fontMetrics().horizontalAdvance(address) + 4)
        self.qr.set_text(address)
        self.copy_button.setEnabled(bool(address))
        if source == "seed":
            note = self.tr(
                "Derived from your seed words: the owner ID to enter when installing a node "
                "and to log in to FluxOS. Zelcore and SSP make a different one from the same "
                "words.")
        elif source:
            note = self.tr("Imported from a private key.")
        else:
            note = ""
        self.note.setText(note)

    def show_problem(self, message: str) -> None:
        self.address.setText("")
        self.qr.set_text("")
        self.copy_button.setEnabled(False)
        self.note.setText(message)

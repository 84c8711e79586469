"""Dialogs of the Nodes page: add a node, and the values to put into the node's configuration."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from flux.fluxconf import render_conf
from flux.networks import Network, same_encoding
from ui.pages.base import heading, hint
from ui.wallet.confirm_dialog import mono
from ui.wallet.nodes_widgets import copy_text, full_outpoint, short_outpoint
from ui.wallet.units import money
from wallet.errors import InvalidKey
from wallet.keys import PrivateKey
from wallet.nodes.collateral import CollateralCoin
from wallet.nodes.conf import format_conf
from wallet.nodes.timing import describe_duration
from wallet.storage.model import NodeEntry

Outpoint = tuple[str, int]
CANDIDATE_COLUMNS = ("Collateral", "Amount", "Confirmations", "Status")
NAME_CHARS = "letters, digits, '.', '-' and '_'"


def check_identity_wif(text: str, network: Network) -> str:
    """"" when ``text`` is a usable identity key for ``network``, else what is wrong."""
    try:
        key = PrivateKey.from_wif(text.strip())
    except InvalidKey:
        return ("That is not a WIF private key. Paste the node's identity key as "
                "createfluxnodekey printed it (the zelnodeprivkey of its flux.conf).")
    if key.network is not None and not same_encoding(key.network, network):
        return f"That is a {key.network.name} key; this wallet is on {network.name}."
    return ""


def maturity_text(coin: CollateralCoin) -> str:
    ripe = coin.maturity
    if ripe.mature:
        return "Ready"
    return (f"{ripe.confirmations}/{ripe.needed}: ready in {ripe.blocks_left} blocks "
            f"({describe_duration(ripe.eta_seconds)})")


class AddNodeDialog(QDialog):
    """Pick a collateral candidate, name the node and choose its identity key."""

    add_requested = Signal(str, object, object)  # name, outpoint, identity WIF or None

    def __init__(
        self, candidates: Sequence[CollateralCoin], network: Network, taken: Sequence[str],
        *, chosen: Outpoint | None = None, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add node"))
        self.setModal(True)
        self.network = network
        self.taken = set(taken)
        self.candidates = [c for c in candidates if c.node is None and c.tier is not None]
        unit = network.currency_unit
        self.table = QTableWidget(len(self.candidates), len(CANDIDATE_COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in CANDIDATE_COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, coin in enumerate(self.candidates):
            tier = coin.tier.name.title() if coin.tier is not None else ""
            texts = (short_outpoint(coin.outpoint), f"{money(coin.satoshis, unit)}"
                     f" ({tier})", str(coin.maturity.confirmations), maturity_text(coin))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(full_outpoint(coin.outpoint))
                self.table.setItem(row, column, item)
        self.table.setMaximumHeight(40 + 28 * max(1, min(5, len(self.candidates))))
        self.none_note = hint(self.tr(
            "No coin of this wallet is a free collateral candidate. Send the exact tier amount "
            "to one of your own addresses in one payment, then come back."))
        self.none_note.setVisible(not self.candidates)
        self.table.setVisible(bool(self.candidates))
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. node1 (%s)") % NAME_CHARS)
        self.name.setMaxLength(64)
        self.new_key = QRadioButton(self.tr("Make a new identity key (recommended)"))
        self.paste_key = QRadioButton(self.tr("Use the identity key the node already has"))
        self.new_key.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_key)
        group.addButton(self.paste_key)
        self.wif = QLineEdit()
        self.wif.setEchoMode(QLineEdit.EchoMode.Password)
        self.wif.setPlaceholderText(self.tr("identity private key (WIF), kept encrypted here"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setProperty("state", "bad")
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Identity"), self.new_key)
        form.addRow("", self.paste_key)
        form.addRow("", self.wif)
        buttons = QDialogButtonBox()
        self.add_button = buttons.addButton(self.tr("Add node"),
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.add_button.clicked.connect(self._add)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Add a node")))
        layout.addWidget(hint(self.tr("Collateral: one coin of exactly a tier's amount.")))
        layout.addWidget(self.table)
        layout.addWidget(self.none_note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for signal in (self.name.textChanged, self.wif.textChanged, self.new_key.toggled,
                       self.table.itemSelectionChanged):
            signal.connect(self._check)
        self._select(chosen)
        self.resize(620, self.sizeHint().height())
        self._check()

    def _select(self, chosen: Outpoint | None) -> None:
        rows = [n for n, c in enumerate(self.candidates) if c.outpoint == chosen]
        if rows or len(self.candidates) == 1:
            self.table.selectRow(rows[0] if rows else 0)

    def chosen(self) -> CollateralCoin | None:
        rows = self.table.selectionModel().selectedRows()
        return self.candidates[rows[0].row()] if rows else None

    def problems(self) -> str:
        """The first thing that keeps the node from being added, in words ("" = none)."""
        name = self.name.text().strip()
        if self.chosen() is None:
            return self.tr("Pick the collateral coin.") if self.candidates else ""
        if not name:
            return self.tr("Give the node a name.")
        if not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
            return self.tr("The name may use %s only.") % NAME_CHARS
        if name in self.taken:
            return self.tr("A node named %s already exists.") % name
        if self.paste_key.isChecked():
            if not self.wif.text().strip():
                return self.tr("Paste the node's identity key, or make a new one.")
            return check_identity_wif(self.wif.text(), self.network)
        return ""

    def _check(self) -> None:
        self.wif.setEnabled(self.paste_key.isChecked())
        problem = self.problems()
        touched = bool(self.name.text() or self.wif.text())
        self.problem.setText(problem if touched else "")
        self.add_button.setEnabled(not problem and self.chosen() is not None)

    def _add(self) -> None:
        coin = self.chosen()
        if coin is None or self.problems():
            return
        wif = self.wif.text().strip() if self.paste_key.isChecked() else None
        self.add_requested.emit(self.name.text().strip(), coin.outpoint, wif)
        self.wif.clear()
        self.accept()


def fluxnode_conf_line(entry: NodeEntry, network: Network) -> str:
    """The node's line of fluxnode.conf (the header comment left out)."""
    return format_conf([entry], network).splitlines()[-1]


def flux_conf_values(entry: NodeEntry) -> str:
    """The four lines the node's own flux.conf needs for this collateral and identity."""
    return render_conf([
        ("zelnode", "1"),
        ("zelnodeprivkey", entry.identity_wif),
        ("zelnodeoutpoint", entry.collateral_txid),
        ("zelnodeindex", str(entry.collateral_vout)),
    ])


class NodeConfigDialog(QDialog):
    """The node's identity key and collateral, as its flux.conf and fluxnode.conf want them."""

    def __init__(self, entry: NodeEntry, network: Network, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Node %s: configuration") % entry.name)
        self.setModal(True)
        self.flux_conf = self._text(flux_conf_values(entry))
        self.conf_line = self._text(fluxnode_conf_line(entry, network) + "\n")
        self.copy_flux = QPushButton(self.tr("Copy flux.conf lines"))
        self.copy_flux.clicked.connect(lambda: copy_text(self.flux_conf.toPlainText()))
        self.copy_line = QPushButton(self.tr("Copy fluxnode.conf line"))
        self.copy_line.clicked.connect(lambda: copy_text(self.conf_line.toPlainText()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Configure node %s") % entry.name))
        layout.addWidget(hint(self.tr(
            "On the node, put these lines into ~/.flux/flux.conf (replacing any older "
            "zelnodeprivkey, zelnodeoutpoint and zelnodeindex) and restart fluxd. The "
            "identity key is a secret of the node: anyone holding it can make the node "
            "misbehave, but it cannot move your collateral.")))
        layout.addWidget(self.flux_conf)
        layout.addWidget(self.copy_flux, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(hint(self.tr(
            "The same node as a fluxnode.conf / zelnode.conf line (for fluxd's own wallet or "
            "Zelcore):")))
        layout.addWidget(self.conf_line)
        layout.addWidget(self.copy_line, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)
        self.resize(680, self.sizeHint().height())

    @staticmethod
    def _text(text: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setReadOnly(True)
        box.setFont(mono())
        box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lines = max(1, text.count("\n"))
        margins = 2 * (box.frameWidth() + int(box.document().documentMargin()))
        scroll = box.horizontalScrollBar().sizeHint().height()
        box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + margins + scroll + 4)
        return box

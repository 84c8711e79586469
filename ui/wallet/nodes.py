"""Nodes: the wallet's FluxNodes with their state in words and next step, add / start / remove,
start all (node_batch.py), prepare collateral (collateral_prep.py) and the collateral coins no
node uses yet, fluxnode.conf import and export, and the wallet's Flux ID with QR."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import hint
from ui.wallet.collateral_prep import CollateralPrep
from ui.wallet.confirm_dialog import mono
from ui.wallet.gate import WalletPage
from ui.wallet.node_batch import StartAll
from ui.wallet.node_candidates import CandidatesPanel
from ui.wallet.node_dialogs import AddNodeDialog, NodeConfigDialog
from ui.wallet.node_review import StartReviewDialog, start_outcome
from ui.wallet.nodes_model import SETUP_PAGE, NodesModel
from ui.wallet.nodes_table import NodesTable, next_step_text
from ui.wallet.nodes_widgets import EmptyNodes, FluxIdPanel, copy_text, full_outpoint
from ui.wallet.rewards_panel import RewardsPanel
from wallet.errors import WalletError
from wallet.nodes.state import NodeState
from wallet.nodes.views import NodeView, StartReview

Outpoint = tuple[str, int]


class NodesPage(WalletPage):
    page_id: ClassVar[str] = "nodes"
    order: ClassVar[int] = 145

    def __init__(self, nodes: NodesModel, parent: QWidget | None = None) -> None:
        super().__init__(nodes.wallet, parent)
        self.nodes = nodes
        self.dialog: QWidget | None = None
        self.add_button = QPushButton(self.tr("Add node…"))
        self.start_button = QPushButton(self.tr("Start…"))
        self.start_button.setToolTip(self.tr("Check, sign and review a START for this node"))
        self.import_button = QPushButton(self.tr("Import conf…"))
        self.import_button.setToolTip(self.tr("Add the nodes of a fluxnode.conf / zelnode.conf"))
        self.export_button = QPushButton(self.tr("Export conf…"))
        self.export_button.setToolTip(self.tr(
            "Write this wallet's nodes as a fluxnode.conf (holds identity keys; written 0600)"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.start_all_button = QPushButton(self.tr("Start all…"))
        self.start_all_button.setToolTip(self.tr(
            "Start every node that may start; confirmed, started, DOS and starting nodes are "
            "skipped"))
        self.prepare_button = QPushButton(self.tr("Prepare collateral…"))
        self.prepare_button.setToolTip(self.tr(
            "Send exactly a tier's collateral to yourself in one payment (reviewed first)"))
        self.start_all = StartAll(nodes, self, self.open_dialog, self.say)
        self.prep = CollateralPrep(nodes, self, self.open_dialog, self.say)
        self.add_button.clicked.connect(self.add_clicked)
        self.start_button.clicked.connect(self.start_selected)
        self.start_all_button.clicked.connect(self.start_all.begin)
        self.prepare_button.clicked.connect(self.prep.begin)
        self.import_button.clicked.connect(self.choose_import)
        self.export_button.clicked.connect(self.choose_export)
        self.refresh_button.clicked.connect(self.refresh_clicked)
        tools = QHBoxLayout()
        for button in (self.add_button, self.start_button, self.start_all_button,
                       self.prepare_button):
            tools.addWidget(button)
        tools.addStretch(1)
        for button in (self.import_button, self.export_button, self.refresh_button):
            tools.addWidget(button)
        self.empty = EmptyNodes(nodes.network)
        self.empty.add_requested.connect(self.add_clicked)
        self.empty.setup_requested.connect(lambda: self.nodes.page_requested.emit(SETUP_PAGE))
        self.empty.prepare_requested.connect(self.prep.begin)
        self.candidates = CandidatesPanel()
        self.candidates.add_requested.connect(self.open_add)
        self.candidates.hide()
        self.table = NodesTable()
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.detail = self._detail_panel()
        self.flux_id = FluxIdPanel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.flux_id)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.candidates)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        nodes.changed.connect(self._maybe_refresh)
        nodes.failed.connect(lambda words: self.say("bad", words))
        nodes.add_requested.connect(self.open_add)
        self.finish_setup()

    def _detail_panel(self) -> QWidget:
        panel = QWidget()
        self.detail_summary = QLabel()
        self.detail_summary.setWordWrap(True)
        self.detail_step = hint("")
        # A txid does not wrap: a read-only line scrolls instead of being cut off.
        self.detail_outpoint = QLineEdit()
        self.detail_outpoint.setReadOnly(True)
        self.detail_outpoint.setFont(mono())
        self.copy_button = QPushButton(self.tr("Copy collateral"))
        self.copy_button.clicked.connect(lambda: copy_text(self.detail_outpoint.text()))
        self.config_button = QPushButton(self.tr("Node config…"))
        self.config_button.setToolTip(self.tr("The lines for the node's flux.conf"))
        self.config_button.clicked.connect(self.show_config)
        self.remove_button = QPushButton(self.tr("Remove…"))
        self.remove_button.clicked.connect(self.ask_remove)
        buttons = QHBoxLayout()
        for button in (self.copy_button, self.config_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.detail_summary)
        layout.addWidget(self.detail_step)
        layout.addWidget(self.detail_outpoint)
        layout.addLayout(buttons)
        self.rewards = RewardsPanel()
        layout.addWidget(self.rewards)
        layout.addStretch(1)
        return panel

    def title(self) -> str:
        return self.tr("Nodes")

    # --- showing ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.nodes.watch(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.nodes.watch(False)

    def set_setup_available(self, available: bool) -> None:
        self.empty.set_setup_available(available)

    def refresh(self) -> None:
        snapshot = self.nodes.snapshot
        reading = self.tr("Reading the node lists…")
        if snapshot is None:
            self.status.setText(self.nodes.problem or reading)
            self._enable(None)
            self.start_all_button.setEnabled(False)
            self.candidates.hide()
            return
        if self.status.text() == reading:  # read now; a result said since stays
            self.status.setText(self.nodes.problem or "")
        if snapshot.flux_id:
            self.flux_id.show_id(snapshot.flux_id, "seed")
        else:
            self.flux_id.show_problem(snapshot.flux_id_problem)
        self.stack.setCurrentWidget(self.table if snapshot.nodes else self.empty)
        self.table.show_nodes(snapshot.nodes, self.nodes.wallet.currency)
        self.candidates.show_coins(snapshot.candidates, self.nodes.wallet.currency)
        self.start_all_button.setEnabled(bool(snapshot.nodes))
        self.detail.setVisible(bool(snapshot.nodes))
        self._show_detail()

    def selected(self) -> NodeView | None:
        name = self.table.selected_name()
        snapshot = self.nodes.snapshot
        return None if name is None or snapshot is None else snapshot.node(name)

    def _show_detail(self) -> None:
        view = self.selected()
        self._enable(view)
        if view is None:
            return
        self.detail_summary.setText(f"<b>{view.name}</b> — {view.status.summary}")
        self.detail_step.setText(next_step_text(view))
        self.detail_outpoint.setText(full_outpoint(view.outpoint))
        self.detail_outpoint.setCursorPosition(0)
        if self.nodes.snapshot is not None:
            self.rewards.show_node(view, self.nodes.snapshot, self.nodes.wallet.currency)

    def _enable(self, view: NodeView | None) -> None:
        for button in (self.start_button, self.copy_button, self.config_button,
                       self.remove_button):
            button.setEnabled(view is not None)
        again = view is not None and view.status.state == NodeState.STARTING
        self.start_button.setText(self.tr("Start again…") if again else self.tr("Start…"))

    def open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def say(self, state: str, words: str) -> None:
        self.status.setText(words)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    # --- adding and removing ---------------------------------------------------------------

    def add_clicked(self) -> None:
        self.open_add()

    def refresh_clicked(self) -> None:
        self.say("", self.tr("Refreshing…"))
        self.nodes.refresh()

    def open_add(self, chosen: Outpoint | None = None) -> None:
        snapshot = self.nodes.snapshot
        if snapshot is None:
            self.say("bad", self.tr("The node lists are not read yet; refresh first."))
            return
        dialog = AddNodeDialog(snapshot.candidates, self.nodes.network,
                               [n.name for n in snapshot.nodes], chosen=chosen, parent=self)
        dialog.add_requested.connect(self.add)
        self.dialog = dialog
        dialog.open()

    @asyncSlot(str, object, object)
    async def add(self, name: str, outpoint: Outpoint, wif: str | None) -> None:
        try:
            entry = await self.nodes.add_node(name, outpoint, wif)
        except WalletError as exc:
            self.say("bad", self.tr("Node not added: %s") % exc)
            return
        self.say("ok", self.tr("Node %s added. Put its identity key and collateral into the "
                               "node's flux.conf, then start it.") % entry.name)
        self.dialog = NodeConfigDialog(entry, self.nodes.network, self)
        self.dialog.open()

    @asyncSlot()
    async def show_config(self) -> None:
        view = self.selected()
        if view is None:
            return
        try:
            entry = await self.nodes.node_entry(view.name)
        except WalletError as exc:
            self.say("bad", str(exc))
            return
        self.dialog = NodeConfigDialog(entry, self.nodes.network, self)
        self.dialog.open()

    def ask_remove(self) -> None:
        view = self.selected()
        if view is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove node"), self.tr(
            "Forget node %s in this wallet? The node itself keeps running until its "
            "collateral is spent. Keep the coin locked as a collateral, or make it "
            "spendable (spending it stops the node)?") % view.name,
            QMessageBox.StandardButton.Cancel, self)
        keep = box.addButton(self.tr("Remove, keep coin locked"),
                             QMessageBox.ButtonRole.AcceptRole)
        free = box.addButton(self.tr("Remove and unlock coin"),
                             QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        keep.clicked.connect(lambda: self.remove(view.name, False))
        free.clicked.connect(lambda: self.remove(view.name, True))
        self.dialog = box
        box.open()

    @asyncSlot(str, bool)
    async def remove(self, name: str, not_collateral: bool) -> None:
        try:
            await self.nodes.remove_node(name, not_collateral=not_collateral)
        except WalletError as exc:
            self.say("bad", str(exc))
            return
        self.say("ok", self.tr("Node %s removed.") % name)

    # --- starting --------------------------------------------------------------------------

    @asyncSlot()
    async def start_selected(self) -> None:
        view = self.selected()
        if view is None:
            return
        again = view.status.state == NodeState.STARTING
        self.say("", self.tr("Checking node %s…") % view.name)
        try:
            review = await self.nodes.review_start(view.name, replace_pending=again)
        except WalletError as exc:
            self.say(*start_outcome(exc))
            return
        self.say("", self.tr("Review the START of node %s.") % view.name)
        dialog = StartReviewDialog(review, network=self.nodes.network.name, parent=self)
        dialog.broadcast_requested.connect(self.broadcast)
        self.dialog = dialog
        dialog.open()

    @asyncSlot(object)
    async def broadcast(self, review: StartReview) -> None:
        self.say("", self.tr("Broadcasting the START of node %s…") % review.name)
        try:
            record = await self.nodes.send_start(review)
        except WalletError as exc:
            self.say(*start_outcome(exc))
            return
        self.say("ok", self.tr(
            "START %s broadcast. Node %s shows as starting until the network lists it; "
            "then it must confirm from the node itself.") % (record.txid, review.name))

    # --- fluxnode.conf ---------------------------------------------------------------------

    def choose_import(self) -> None:
        dialog = QFileDialog(self, self.tr("Import fluxnode.conf"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Node lists (*.conf);;All files (*)"))
        dialog.fileSelected.connect(self.import_conf)
        self.dialog = dialog
        dialog.open()

    @asyncSlot(str)
    async def import_conf(self, path: str) -> None:
        try:
            result = await self.nodes.import_conf(Path(path))
        except (WalletError, OSError) as exc:
            self.say("bad", self.tr("Nothing imported: %s") % exc)
            return
        words = self.tr("Imported %d node(s)") % len(result.added)
        if result.skipped:
            words += self.tr("; skipped: ") + "; ".join(f"{a} ({why})" for a, why in
                                                       result.skipped)
        self.say("ok" if result.added else "warn", words + ".")

    def choose_export(self) -> None:
        dialog = QFileDialog(self, self.tr("Export fluxnode.conf"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile("fluxnode.conf")
        dialog.fileSelected.connect(self.export_conf)
        self.dialog = dialog
        dialog.open()

    @asyncSlot(str)
    async def export_conf(self, path: str) -> None:
        try:
            count = await self.nodes.export_conf(Path(path))
        except (WalletError, OSError) as exc:
            self.say("bad", self.tr("Not written: %s") % exc)
            return
        self.say("ok", self.tr("Wrote %d node(s) to %s (readable only by you: it holds the "
                               "identity keys).") % (count, path))

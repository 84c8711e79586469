""""Start all" on the Nodes page: one dialog that first lists what will be started and what is
skipped or refused (and why), then — after the one explicit confirmation — what happened to
each node. The planning and sending run on the engine through NodesModel; this only shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import heading, hint
from ui.wallet.nodes_model import NodesModel
from ui.wallet.nodes_widgets import STATE_COLOURS
from ui.wallet.page_action import PageAction
from wallet.errors import WalletError
from wallet.nodes.batch import BatchItem, Outcome
from wallet.nodes.state import LABELS

# What "start all" does with a node, in the words of the dialog, and the colour of that word.
WORDS = {
    Outcome.SENT: ("Started", "ok"),
    Outcome.MAYBE_SENT: ("Maybe sent", "warn"),
    Outcome.READY: ("Will start", "ok"),
    Outcome.SKIPPED: ("Skipped", ""),
    Outcome.REFUSED: ("Not started", "bad"),
    Outcome.FAILED: ("Failed", "bad"),
}


def summary(items: Sequence[BatchItem]) -> str:
    """"2 started, 1 skipped, 1 not started" in the order of WORDS."""
    counts = [(WORDS[o][0].lower(), sum(1 for i in items if i.outcome == o)) for o in WORDS]
    return ", ".join(f"{n} {word}" for word, n in counts if n)


class StartAllDialog(QDialog):
    """The plan, then the result, node by node. Cancel is the default: Enter never starts."""

    start_requested = Signal(object)  # the plan (list[BatchItem])

    def __init__(self, plan: Sequence[BatchItem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Start all nodes"))
        self.setModal(True)
        self.plan = list(plan)
        self.items = list(plan)
        self.title = heading("")
        self.note = hint("")
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        self.grid.setColumnStretch(3, 1)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(8)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.buttons = QDialogButtonBox()
        ready = sum(1 for i in plan if i.outcome == Outcome.READY)
        self.start_button = self.buttons.addButton(
            self.tr("Start %d node(s)") % ready, QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setEnabled(ready > 0)
        self.start_button.setAutoDefault(False)
        self.start_button.clicked.connect(self._start)
        self.close_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._show(self.plan)
        self.title.setText(self.tr("Start all: %s") % (summary(plan) or self.tr("no nodes")))
        self.note.setText(self.tr(
            "Each START is checked and signed; nothing is sent until you press Start. Confirmed, "
            "started, DOS and starting nodes are skipped. A START costs no fee.")
            if ready else self.tr("No node can start now; the reasons are below."))
        self.resize(720, min(560, self.sizeHint().height() + 40))

    def _show(self, items: Sequence[BatchItem]) -> None:
        self.items = list(items)
        while self.grid.count():
            taken = self.grid.takeAt(0)
            old = taken.widget() if taken is not None else None
            if old is not None:
                old.hide()  # until deleted it would still paint under the new rows
                old.deleteLater()
        for column, text in enumerate((self.tr("Node"), self.tr("Now"), self.tr("Start all"),
                                       self.tr("Why / what happened"))):
            label = QLabel(f"<b>{text}</b>")
            self.grid.addWidget(label, 0, column)
        top = Qt.AlignmentFlag.AlignTop
        chip = top | Qt.AlignmentFlag.AlignLeft  # as wide as its words, not the column
        for row, item in enumerate(items, start=1):
            name = QLabel(item.name)
            state = QLabel(f" {LABELS[item.state]} ")
            colour = STATE_COLOURS[str(item.state)]
            state.setStyleSheet(f"background: {colour}; color: white; border-radius: 3px;")
            word, tone = WORDS[item.outcome]
            outcome = QLabel(word)
            outcome.setProperty("state", tone)
            reason = item.reason if not item.txid else f"{item.reason}\nSTART {item.txid}"
            why = QLabel(reason)
            why.setWordWrap(True)
            why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            for column, widget in enumerate((name, state, outcome, why)):
                self.grid.addWidget(widget, row, column, chip if widget is state else top)
        self.grid.setRowStretch(len(items) + 1, 1)

    def _start(self) -> None:
        self.start_button.setEnabled(False)
        self.title.setText(self.tr("Sending…"))
        self.start_requested.emit(self.plan)

    def show_result(self, done: Sequence[BatchItem]) -> None:
        """After the broadcast: every node's outcome; only Close is left."""
        self._show(done)
        failed = any(i.failed for i in done)
        self.title.setText(self.tr("Done: %s") % summary(done))
        self.note.setText(self.tr(
            "Started nodes show as starting until the START is mined, then as started until "
            "the node confirms.") + (self.tr(" Nodes that were not started say why.")
                                     if failed else ""))
        self.start_button.hide()
        self.close_button.setText(self.tr("Close"))

    def show_error(self, words: str) -> None:
        self.title.setText(self.tr("Not sent"))
        self.note.setText(words)
        self.start_button.hide()
        self.close_button.setText(self.tr("Close"))


class StartAll(PageAction):
    """The page's "Start all…": plan on the engine, the dialog, then send on the engine."""

    def __init__(self, nodes: NodesModel, parent: QWidget,
                 show: Callable[[QDialog], None], say: Callable[[str, str], None]) -> None:
        super().__init__(nodes, parent, show, say)
        self.dialog: StartAllDialog | None = None

    @asyncSlot()
    async def begin(self) -> None:
        self.say("", self.tr("Checking every node…"))
        try:
            plan = await self.nodes.plan_start_all()
        except WalletError as exc:
            self.say("bad", self.tr("Start all: %s") % exc)
            return
        self.say("", self.tr("Start all: %s.") % (summary(plan) or self.tr("no nodes")))
        dialog = StartAllDialog(plan, self.parent_widget)
        dialog.start_requested.connect(self.send)
        self.dialog = dialog
        self.show(dialog)

    @asyncSlot(object)
    async def send(self, plan: list[BatchItem]) -> None:
        dialog = self.dialog
        try:
            done = await self.nodes.start_all(plan)
        except WalletError as exc:  # the batch reports per node; this is the engine failing
            self.say("bad", self.tr("Start all: %s") % exc)
            if dialog is not None:
                dialog.show_error(str(exc))
            return
        failed = any(i.failed for i in done)
        self.say("bad" if failed else "ok", self.tr("Start all: %s.") % summary(done))
        if dialog is not None:
            dialog.show_result(done)

"""The setup page's two parts: the list of the seven steps, and the card of the current one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nodesetup.model import TITLES, StepId
from ui.pages.base import hint
from ui.setup_service import STEPS, SetupSnapshot
from wallet.nodes.timing import describe_duration

# Row status -> (icon, words, label state for the stylesheet).
MARKS = {
    "done": ("✓", "done", "ok"),
    "current": ("▶", "in progress", ""),
    "failed": ("✗", "needs you", "bad"),
    "pending": ("○", "to do", ""),
}
VIEW_WORDS = {"working": "working", "waiting": "waiting", "advanced": "step finished",
              "failed": "failed", "done": "done"}


def _restyle(label: QLabel, state: str) -> None:
    label.setProperty("state", state)
    label.style().unpolish(label)
    label.style().polish(label)


class StepList(QFrame):
    """One row per step: an icon, the step's title and its status in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        self.rows: dict[StepId, tuple[QLabel, QLabel, QLabel]] = {}
        for row, step in enumerate(STEPS):
            icon, title, word = QLabel(), QLabel(f"{row + 1}. {TITLES[step]}"), QLabel()
            grid.addWidget(icon, row, 0)
            grid.addWidget(title, row, 1)
            grid.addWidget(word, row, 2)
            self.rows[step] = (icon, title, word)
        grid.setColumnStretch(1, 1)

    def show_snapshot(self, snap: SetupSnapshot) -> None:
        for step, (icon, title, word) in self.rows.items():
            status = snap.status_of(step)
            mark, words, state = MARKS[status]
            if status == "current" and snap.view is not None and snap.view.step == step:
                words = VIEW_WORDS.get(snap.view.status, words)
            if status == "current" and not snap.running:
                words = "paused" if snap.started else "to do"
            icon.setText(mark)
            word.setText(words)
            for label in (icon, word):
                _restyle(label, state)
            font = title.font()
            font.setBold(status in ("current", "failed"))
            title.setFont(font)


def eta_text(seconds: int | None) -> str:
    return describe_duration(seconds) if seconds is not None else "not known yet"


class StepCard(QFrame):
    """The current step: what it waits for, the ETA, progress, what the person can do, and a
    failure's advice with Retry."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.waiting = QLabel()
        self.waiting.setWordWrap(True)
        self.eta = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.user_can = hint("")
        self.failure = QLabel()
        self.failure.setWordWrap(True)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.waiting, self.eta, self.progress, self.detail,
                       self.warnings, self.user_can, self.failure, self.advice):
            layout.addWidget(widget)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_snapshot(self, snap: SetupSnapshot) -> None:
        view = snap.view
        step = snap.step
        if snap.done:
            self.title.setText(self.tr("Your FluxNode is CONFIRMED"))
        else:
            self.title.setText(self.tr("Step %d of %d · %s") % (snap.number, len(STEPS),
                                                                 TITLES[step]))
        # What the flow last said about this step, while it runs (or at its end); a paused
        # setup waits for the person, whatever it waited for before.
        live = snap.running or snap.done
        current = (live and view is not None and view.step == step
                   and view.status != "advanced")
        if snap.done:
            waiting = ""
        elif snap.failure is not None:
            waiting = self.tr("Waiting for: you (the step failed)")
        elif snap.approval_pending:
            waiting = self.tr("Waiting for: you to approve the collateral's send-to-self")
        elif snap.waits_for_unlock:
            waiting = self.tr("Waiting for: the wallet to be unlocked")
        elif current and view is not None:
            verb = self.tr("Now") if view.status == "working" else self.tr("Waiting for")
            waiting = f"{verb}: {view.waiting_for}"
        elif snap.running:
            waiting = self.tr("Now: starting this step…")
        elif snap.started:
            waiting = self.tr("Waiting for: you to continue the setup")
        else:
            waiting = self.tr("Waiting for: you to start the setup")
        self.waiting.setText(waiting)
        self.waiting.setVisible(bool(waiting))
        eta = view.eta_seconds if current and view is not None else None
        self.eta.setText(self.tr("Time left: %s") % eta_text(eta))
        self.eta.setVisible(current and not snap.done and snap.failure is None)
        fraction = view.progress if current and view is not None else None
        self.progress.setVisible(fraction is not None or (snap.running and not snap.done))
        if fraction is None:
            self.progress.setRange(0, 0 if snap.running else 1000)  # busy while unknown
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        # The flow repeats its warnings in every view: they get their own label.
        hidden = {*snap.warnings, snap.failure.message if snap.failure else ""}
        lines = [line for line in (view.detail if view is not None else ()) if line not in hidden]
        if lines and view is not None and view.step != step:
            lines[0] = self.tr("%s: %s") % (TITLES[view.step], lines[0])  # the last step's news
        self.detail.setText("\n".join(lines))
        self.detail.setVisible(bool(lines))
        self.warnings.setText("\n".join(f"⚠ {w}" for w in snap.warnings))
        # Warnings are about getting there; a confirmed node has got there.
        self.warnings.setVisible(bool(snap.warnings) and not snap.done)
        _restyle(self.warnings, "warn")
        can = view.user_can if current and view is not None else ""
        if snap.done and view is not None:
            can = view.user_can
        self.user_can.setText(self.tr("Meanwhile: %s") % can if can else "")
        self.user_can.setVisible(bool(can))
        failed = snap.failure is not None
        self.failure.setText(snap.failure.message if snap.failure else "")
        _restyle(self.failure, "bad")
        advice = snap.failure.advice if snap.failure else []
        self.advice.setText("\n".join(f"• {a}" for a in advice))
        for widget in (self.failure, self.retry_button):
            widget.setVisible(failed)
        self.advice.setVisible(bool(advice))
        self.retry_button.setEnabled(failed and not snap.running)


def summary_line(snap: SetupSnapshot) -> str:
    """One line for the wallet overview ("" while no setup was ever started)."""
    if not snap.started:
        return ""
    if snap.done:
        return "Node setup: done, the node is CONFIRMED."
    where = f"Node setup: step {snap.number} of {len(STEPS)}, {TITLES[snap.step]}"
    if snap.failure is not None:
        return f"{where}: needs you ({snap.failure.message})"
    if snap.approval_pending:
        return f"{where}: waiting for you to approve the collateral"
    view = snap.view
    if snap.running and view is not None and view.step == snap.step and view.waiting_for:
        return f"{where}: waiting for {view.waiting_for}"
    if snap.paused and not snap.running:
        return f"{where}: paused by you, continue it on the Set up a FluxNode page"
    if snap.waits_for_unlock:
        return f"{where}: paused, unlock the wallet to continue"
    return f"{where}: " + ("running" if snap.running else "paused")

"""The doctor panel: each finding's cause, next step, and what to do about it.

An action FluxDesk can run itself (through the installer's privileged helper, once it offers
these as named operations) gets a button; until then the row shows the exact command to run,
with Copy, and "Check again" runs the rule on a fresh poll to confirm the fix.
"""

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

from nodectl.monitor.actions import manual_step
from nodectl.monitor.doctor import Finding, Unchecked
from nodectl.monitor.fixes import fixable
from nodectl.monitor.remote_actions import remote_action
from nodectl.monitor.snapshot import NodeContext
from ui.pages.base import hint

SEVERITY_WORDS = {"bad": "Problem", "warn": "Attention"}


def _label(text: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    return label


class FindingRow(QFrame):
    action_requested = Signal(object)  # Finding
    recheck_requested = Signal(object)  # Finding

    def __init__(self, finding: Finding, ctx: NodeContext, *, local: bool, can_act: bool,
                 can_act_remote: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.severity = QLabel(SEVERITY_WORDS.get(finding.severity, finding.severity))
        self.severity.setProperty("state", finding.severity)
        self.cause = _label(finding.cause)
        self.next_step = _label(self.tr("Next step: {0}").format(finding.next_step))
        self.result = _label("")
        self.result.hide()
        self.action_words = ""  # what the last fix said, kept under its re-check
        self.command: QLabel | None = None
        self.action_button: QPushButton | None = None
        self.copy_button: QPushButton | None = None
        self.recheck_button = QPushButton(self.tr("Check again"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.severity)
        layout.addWidget(self.cause)
        layout.addWidget(self.next_step)
        action = finding.action
        step = manual_step(action, ctx) if action is not None else None
        remote = None if local else remote_action(action)
        buttons = QHBoxLayout()
        if local and step is not None and can_act and action and fixable(action, ctx):
            self._add_action(buttons, step.title, finding)
        elif remote is not None and can_act_remote:
            button = self._add_action(buttons, remote.title, finding)
            if ctx.wallet_flux_id is None:  # locked, or no seed: no Flux ID to log in with
                button.setEnabled(False)
                layout.addWidget(hint(self.tr(
                    "Unlock the wallet to do this from here: FluxDesk logs in to the node's "
                    "FluxOS with your Flux ID, which must be the node's owner.")))
        elif step is not None:
            who = self.tr("as an administrator") if step.needs_root else self.tr(
                "as the node user")
            where = (self.tr("FluxDesk cannot run “{0}” itself. Run this in a terminal {1}:")
                     if local else self.tr("FluxOS cannot do “{0}” from afar. Run this on "
                                           "the node (for example over SSH) {1}:"))
            layout.addWidget(hint(where.format(step.title, who)))
            self.command = QLabel(step.command)
            self.command.setWordWrap(True)
            self.command.setStyleSheet("font-family: monospace;")
            self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.command)
            self.copy_button = QPushButton(self.tr("Copy command"))
            self.copy_button.clicked.connect(
                lambda: QGuiApplication.clipboard().setText(step.command))
            buttons.addWidget(self.copy_button)
        self.recheck_button.clicked.connect(lambda: self.recheck_requested.emit(finding))
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.result)

    def _add_action(self, buttons: QHBoxLayout, title: str, finding: Finding) -> QPushButton:
        self.action_button = QPushButton(title)
        self.action_button.clicked.connect(lambda: self.action_requested.emit(finding))
        buttons.addWidget(self.action_button)
        return self.action_button

    def show_result(self, words: str, state: str) -> None:
        self.result.setText(words)
        self.result.setProperty("state", state)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.show()


class DoctorPanel(QWidget):
    action_requested = Signal(object)  # Finding
    recheck_requested = Signal(object)  # Finding

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.fixed = QLabel("")
        self.fixed.setWordWrap(True)
        self.fixed.setProperty("state", "ok")
        self.fixed.hide()
        self.rows: dict[str, FindingRow] = {}
        self._shown: tuple[tuple[Finding, ...], bool, bool] | None = None
        self._was: dict[str, str] = {}  # rule -> cause, of findings no longer shown
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.summary)
        self._layout.addWidget(self.fixed)
        self._rows_box = QVBoxLayout()
        self._layout.addLayout(self._rows_box)
        # What the doctor could not judge this time: not a pass, so it is said, with its remedy.
        self.not_checked = hint("")
        self.not_checked.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.not_checked.hide()
        self._layout.addWidget(self.not_checked)
        self._layout.addStretch(1)

    def show_findings(self, findings: tuple[Finding, ...], ctx: NodeContext, *, local: bool,
                      can_act: bool, can_act_remote: bool = False,
                      unchecked: tuple[Unchecked, ...] = ()) -> None:
        self._show_unchecked(unchecked)
        self._show_summary(findings, unchecked)
        shown = (findings, local, ctx.wallet_flux_id is None)  # an unlock enables remote fixes
        if self._shown == shown:
            return
        self._shown = shown
        for rule, row in self.rows.items():
            self._was[rule] = row.finding.cause  # a re-check's verdict may arrive after this
            row.deleteLater()
        self.rows = {}
        self.fixed.hide()  # a re-check's "fixed" is shown again right after its own poll
        for finding in findings:
            row = FindingRow(finding, ctx, local=local, can_act=can_act,
                             can_act_remote=can_act_remote)
            row.action_requested.connect(self.action_requested)
            row.recheck_requested.connect(self.recheck_requested)
            self._rows_box.addWidget(row)
            self.rows[finding.rule] = row

    def _show_summary(self, findings: tuple[Finding, ...],
                      unchecked: tuple[Unchecked, ...]) -> None:
        bad = sum(1 for f in findings if f.severity == "bad")
        if findings:
            self.summary.setText(self.tr("{0} finding(s), {1} stopping or about to stop "
                                         "earnings.").format(len(findings), bad))
            self.summary.setProperty("state", "bad" if bad else "warn")
        elif unchecked:
            self.summary.setText(self.tr("Nothing wrong found on the last check, but not "
                                         "everything could be checked (see below)."))
            self.summary.setProperty("state", "warn")
        else:
            self.summary.setText(self.tr("Nothing wrong found on the last check."))
            self.summary.setProperty("state", "ok")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

    def _show_unchecked(self, unchecked: tuple[Unchecked, ...]) -> None:
        self.not_checked.setText("\n".join(
            self.tr("Not checked: {0} {1}").format(u.why, u.next_step) for u in unchecked))
        self.not_checked.setVisible(bool(unchecked))

    def show_recheck(self, rule: str, fresh: Finding | None) -> None:
        row = self.rows.get(rule)
        if fresh is None:
            was = row.finding.cause if row is not None else self._was.get(rule, rule)
            self.fixed.setText(self.tr("Checked again: fixed ({0}: {1}).").format(rule, was))
            self.fixed.show()
        elif row is not None:
            # Keep what the fix said (why it was not done) above the verdict.
            said = f"{row.action_words}\n" if row.action_words else ""
            row.show_result(said + self.tr("Checked again: still there. {0}").format(
                fresh.cause), "bad")

    def show_action_result(self, rule: str, words: str) -> None:
        row = self.rows.get(rule)
        if row is not None:
            row.action_words = words
            row.show_result(words, "")

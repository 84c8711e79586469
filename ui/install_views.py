"""Widgets of the install wizard: preflight list, plan tree with details, run progress."""

from __future__ import annotations

import shlex
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nodectl.install.events import Event, Kind
from nodectl.install.preflight import Report, Status

STATUS_TEXT = {Status.PASS: "✔", Status.WARN: "!", Status.FAIL: "✘"}
STATUS_STATE = {Status.PASS: "ok", Status.WARN: "warn", Status.FAIL: "bad"}
LOG_LINES = 2000
MARKS = {Kind.STEP_START: "…", Kind.STEP_DONE: "✔", Kind.STEP_SKIP: "↷", Kind.STEP_FAILED: "✘"}


def _mono() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class PreflightView(QWidget):
    """One row per check: mark, title, what was found and, when not passing, the fix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        outer = QVBoxLayout(self)
        outer.addWidget(self.summary)
        self.grid = QGridLayout()
        outer.addLayout(self.grid)
        outer.addStretch(1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setVerticalSpacing(6)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}

    def show_report(self, report: Report) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        problems = len(report.failures)
        if problems:
            self.summary.setText(self.tr(
                "<b>This machine cannot run a FluxNode yet:</b> {0} problem(s) below, each "
                "with what to do. You can still look at the plan.").format(problems))
            self.summary.setProperty("state", "bad")
        else:
            self.summary.setText(self.tr("<b>This machine can run a FluxNode.</b> Warnings, "
                                         "if any, are worth a look before you go on."))
            self.summary.setProperty("state", "ok")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        for row, check in enumerate(report.checks):
            mark = QLabel(STATUS_TEXT[check.status])
            mark.setProperty("state", STATUS_STATE[check.status])
            title = QLabel(f"<b>{check.title}</b>")
            detail = check.detail
            if check.status is not Status.PASS and check.fix:
                detail += "<br><i>" + self.tr("What to do:") + f"</i> {check.fix}"
            text = QLabel(detail)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(mark, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(title, row, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(text, row, 2)
            self.rows[check.check_id] = (mark, text)


def _action_lines(item: dict[str, Any]) -> tuple[str, str]:
    """(one-line summary, full details) of one planned action."""
    kind = item["kind"]
    if kind == "run":
        line = "$ " + shlex.join(item["argv"])
        extra = [f"runs as: {item['as']}"]
        if item.get("skip_if"):
            extra.append("skipped when this succeeds: " + shlex.join(item["skip_if"]))
        if item.get("skip_if_exists"):
            extra.append("skipped when present: " + ", ".join(item["skip_if_exists"]))
        return line, line + "\n\n" + "\n".join(extra)
    if kind == "write":
        head = f"write {item['path']}"
        info = f"mode {item['mode']}, owner {item['owner']}\n\n"
        body = item.get("diff") or item["content"]
        return head, head + "\n" + info + body
    if kind == "append":
        head = f"append to {item['path']}"
        return head, f"{head}:\n+{item['append']}"
    if kind == "remove":
        return f"remove {item['path']}", f"remove {item['path']}"
    return item["text"], item["text"]


def _fit_columns(tree: QTreeWidget) -> None:
    """The first column takes the room left by the others and elides long commands in the
    middle (the full text is in the tooltip and the details pane): no column is pushed out of
    sight behind a sideways scroll bar."""
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, tree.columnCount()):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class PlanView(QSplitter):
    """Steps as a tree (step → its actions); the selected entry's full text on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Step"), self.tr("Needs")])
        _fit_columns(self.tree)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(_mono())
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.addWidget(self.tree)
        self.addWidget(self.details)
        self.setSizes([420, 480])
        self.tree.currentItemChanged.connect(self._selected)
        self.notes = ""

    def show_plan(self, plan: dict[str, Any]) -> None:
        self.tree.clear()
        self.notes = "\n\n".join(plan["notes"])
        for number, step in enumerate(plan["steps"], 1):
            top = QTreeWidgetItem([f"{number}. {step['title']}",
                                   self.tr("admin") if step["root"] else self.tr("user")])
            summary = step["why"]
            if step.get("state") == "done":
                summary = self.tr("(already done — will be skipped)") + "\n\n" + summary
            top.setData(0, Qt.ItemDataRole.UserRole, summary)
            top.setToolTip(0, step["why"])
            for action in step["sequence"]:
                line, full = _action_lines(action)
                child = QTreeWidgetItem([line, ""])
                child.setToolTip(0, line)
                child.setData(0, Qt.ItemDataRole.UserRole, full)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
        self.details.setPlainText(self.tr("Select a step to see why it is there, or an "
                                          "action to see the exact command or file.") +
                                  "\n\n" + self.notes)

    def _selected(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.details.setPlainText(str(item.data(0, Qt.ItemDataRole.UserRole) or ""))


class RunView(QWidget):
    """Per-step status, overall and step progress, ETA and the log."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = QTreeWidget()
        self.steps.setHeaderLabels([self.tr("Step"), self.tr("State")])
        _fit_columns(self.steps)
        self.steps.setRootIsDecorated(False)
        self.overall = QProgressBar()
        self.overall.setRange(0, 1000)
        self.overall.setFormat("%p%")
        self.current = QProgressBar()
        self.current.setRange(0, 1000)
        self.current.setTextVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setProperty("role", "hint")
        self.eta = QLabel("")
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(_mono())
        self.log.setMaximumBlockCount(LOG_LINES)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.steps)
        split.addWidget(self.log)
        split.setSizes([360, 540])
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.overall)
        layout.addWidget(self.current)
        layout.addWidget(self.detail)
        layout.addWidget(self.eta)
        layout.addWidget(split, 1)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._running = ""

    def set_steps(self, plan: dict[str, Any]) -> None:
        self.steps.clear()
        self._items.clear()
        self.log.clear()
        for step in plan["steps"]:
            item = QTreeWidgetItem([step["title"], self.tr("waiting")])
            self.steps.addTopLevelItem(item)
            self._items[step["id"]] = item
        self.overall.setValue(0)
        self.current.setValue(0)

    def state_of(self, step_id: str) -> str:
        item = self._items.get(step_id)
        return item.text(1) if item is not None else ""

    def on_event(self, event: Event) -> None:
        item = self._items.get(event.step_id)
        if event.kind in MARKS and item is not None:
            words = {Kind.STEP_START: self.tr("running"), Kind.STEP_DONE: self.tr("done"),
                     Kind.STEP_SKIP: self.tr("skipped"), Kind.STEP_FAILED: self.tr("failed")}
            item.setText(1, f"{MARKS[event.kind]} {words[event.kind]}")
            self._running = event.step_id if event.kind is Kind.STEP_START else ""
            if event.kind is Kind.STEP_START:
                self.steps.setCurrentItem(item)
                self.status.setText(f"<b>{event.message}</b>")
                self.current.setValue(0)
                self.detail.setText("")
            elif event.kind is Kind.STEP_FAILED:
                self.status.setText(self.tr("<b>Stopped at “{0}”</b>").format(item.text(0)))
                self.detail.setText("")
                self.eta.setText("")
        if event.kind in (Kind.LOG, Kind.COMMAND):
            prefix = "$ " if event.kind is Kind.COMMAND else "  "
            self.log.appendPlainText(prefix + event.message)
        elif event.kind is Kind.STEP_FAILED:
            self.log.appendPlainText("✘ " + event.message)
        if event.kind is Kind.PROGRESS and event.total and event.step_id == self._running:
            fraction = event.extra.get("fraction")
            share = float(fraction) if isinstance(fraction, int | float) else \
                event.done / event.total
            self.current.setValue(int(1000 * min(1.0, share)))
            self.detail.setText(_progress_text(event))
        self.overall.setValue(int(1000 * event.overall))
        if event.eta_s is not None and self._running:
            self.eta.setText(self.tr("About {0} left").format(_duration(event.eta_s)))
        if event.kind is Kind.PLAN_DONE:
            self.overall.setValue(1000)
            self.status.setText(f"<b>{event.message}</b>")
            self.eta.setText("")


def _progress_text(event: Event) -> str:
    if event.unit != "bytes":
        return event.message
    text = f"{event.done / 1e6:,.0f} of {event.total / 1e6:,.0f} MB"
    speed = event.extra.get("speed")
    if isinstance(speed, int | float) and speed > 0:
        text += f" at {speed / 1e6:,.1f} MB/s"
    names = {"download": "Downloading", "check": "Checking the archive",
             "extract": "Extracting"}
    phase = names.get(str(event.extra.get("phase")), "")
    return f"{phase}: {text}" if phase else text


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"

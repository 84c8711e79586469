"""The node dashboard: pick a node, see its cards, the doctor, its logs, alerts and remotes."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nodectl.monitor.dashboard import Level
from nodectl.monitor.doctor import Finding
from nodectl.monitor.summary import headline
from nodectl.monitor.target import WatchedNode
from nodectl.monitor.watch import PollResult
from ui.monitor.alert_settings import AlertSettings
from ui.monitor.cards import CardGrid, cards
from ui.monitor.doctor_panel import DoctorPanel
from ui.monitor.log_view import LogViewer
from ui.monitor.remote_nodes import RemoteNodes
from ui.monitor_service import MonitorService
from ui.pages.base import heading, hint

HISTORY_SHOWN = 30


def scrolled(widget: QWidget) -> QScrollArea:
    """Vertical scrolling only: every label wraps, so nothing needs a horizontal bar."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class NodeDashboard(QWidget):
    installer_requested = Signal()

    def __init__(self, service: MonitorService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.node_picker = QComboBox()
        self.node_picker.setMinimumContentsLength(18)
        self.checked = QLabel("")
        self.checked.setProperty("role", "hint")
        self.refresh_button = QPushButton(self.tr("Check now"))
        self.installer_button = QPushButton(self.tr("Installer…"))
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight: 600;")
        self.note = hint("")
        self.note.hide()
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setProperty("state", "bad")
        self.error.hide()
        self.cards = CardGrid()
        self.silent = hint("")
        self.doctor = DoctorPanel()
        self.logs = LogViewer(service.read_log)
        self.alerts = AlertSettings()
        self.remotes = RemoteNodes()
        self.tabs = QTabWidget()
        overview = QWidget()
        overview_layout = QVBoxLayout(overview)
        overview_layout.setContentsMargins(8, 8, 8, 8)
        overview_layout.addWidget(self.cards)
        overview_layout.addWidget(self.silent)
        overview_layout.addStretch(1)
        doctor = QWidget()
        doctor_layout = QVBoxLayout(doctor)
        doctor_layout.setContentsMargins(8, 8, 8, 8)
        doctor_layout.addWidget(self.doctor)
        self.tabs.addTab(scrolled(overview), self.tr("Overview"))
        self.tabs.addTab(scrolled(doctor), self.tr("Doctor"))
        self.tabs.addTab(self.logs, self.tr("Logs"))
        self.tabs.addTab(scrolled(self.alerts), self.tr("Alerts"))
        self.tabs.addTab(self.remotes, self.tr("Remote nodes"))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Node:")))
        top.addWidget(self.node_picker, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.installer_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(8)
        layout.addWidget(heading(self.tr("FluxNode monitor")))
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addWidget(self.checked)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        # Wrapped lines above the tabs keep their full height; the tabs give way instead.
        for label in (self.headline, self.checked, self.note, self.error):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.tabs.setMinimumHeight(200)
        self._bind()

    def _bind(self) -> None:
        s = self.service
        s.nodes_changed.connect(self.show_nodes)
        s.polled.connect(self._polled)
        s.poll_failed.connect(self._failed)
        s.remote_refused.connect(self.remotes.show_error)
        s.polling_changed.connect(self._polling)
        s.alerts_loaded.connect(self.alerts.show_form)
        s.alerts_result.connect(self.alerts.show_result)
        s.recheck_done.connect(self._rechecked)
        s.action_result.connect(self._acted)
        self.refresh_button.clicked.connect(s.refresh)
        self.installer_button.clicked.connect(self.installer_requested)
        self.node_picker.currentIndexChanged.connect(self._picked)
        self.doctor.action_requested.connect(lambda f: s.run_action(self.current_key, f))
        self.doctor.recheck_requested.connect(lambda f: s.recheck(self.current_key, f))
        self.alerts.save_requested.connect(s.save_alerts)
        self.alerts.test_requested.connect(s.send_test_alert)
        self.alerts.watchdog_requested.connect(lambda: s.write_watchdog_config("local"))
        self.remotes.add_requested.connect(s.add_remote)
        self.remotes.remove_requested.connect(s.remove_remote)

    @property
    def current_key(self) -> str:
        return str(self.node_picker.currentData() or "")

    def current_node(self) -> WatchedNode | None:
        return self.service.node(self.current_key)

    def show_nodes(self, nodes: tuple[WatchedNode, ...]) -> None:
        keep = self.current_key
        self.node_picker.blockSignals(True)
        self.node_picker.clear()
        for node in nodes:
            where = self.tr("this machine") if node.is_local else node.address
            self.node_picker.addItem(f"{node.label} ({where})" if node.label != where
                                     else where, node.key)
        index = max(0, self.node_picker.findData(keep))
        self.node_picker.setCurrentIndex(index)
        self.node_picker.blockSignals(False)
        self.remotes.show_nodes(nodes)
        self._picked()

    def _picked(self) -> None:
        node = self.current_node()
        self.note.setVisible(bool(node and node.note))
        self.note.setText(node.note or "" if node else "")
        self.logs.set_node(self.current_key, node.logs if node else {})
        result = self.service.results.get(self.current_key)
        if result is not None:
            self.show_result(result)
        else:
            self.checked.setText(self.tr("Checking the node…") if node else
                                 self.tr("No node is watched."))

    def _polled(self, key: str, result: PollResult) -> None:
        if key == self.current_key:
            self.error.hide()
            self.show_result(result)

    def show_result(self, result: PollResult) -> None:
        node = self.current_node()
        if node is None:
            return
        self.cards.show_cards(cards(result.dashboard, result.snapshot))
        level, words = headline(result.dashboard, result.findings)
        self.headline.setText(words)
        state = "" if level is Level.UNKNOWN else level.value
        self.headline.setProperty("state", state)
        self.headline.style().unpolish(self.headline)
        self.headline.style().polish(self.headline)
        at = time.strftime("%H:%M:%S", time.localtime(result.snapshot.taken_at))
        self.checked.setText(self.tr("Checked at {0}; checked again every {1:g} s.").format(
            at, self.service.interval_s))
        silent = result.dashboard.silent
        self.silent.setText("\n".join(self.tr("Not answering — {0}: {1}").format(name, words)
                                      for name, words in silent))
        self.silent.setVisible(bool(silent))
        self.doctor.show_findings(result.findings, node.context, local=node.is_local,
                                  can_act=self.service.backend.actions_available,
                                  can_act_remote=self.service.backend.remote_actions_available,
                                  unchecked=result.unchecked)
        self.alerts.show_history(node.watch.tracker.history[-HISTORY_SHOWN:])
        count = len(result.findings)
        self.tabs.setTabText(1, self.tr("Doctor ({0})").format(count) if count
                             else self.tr("Doctor"))

    def _failed(self, key: str, words: str) -> None:
        if key == self.current_key:
            self.error.setText(words)
            self.error.show()

    def _polling(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        self.refresh_button.setText(self.tr("Checking…") if busy else self.tr("Check now"))

    def _rechecked(self, key: str, rule: str, fresh: Finding | None) -> None:
        if key == self.current_key:
            self.doctor.show_recheck(rule, fresh)

    def _acted(self, key: str, rule: str, words: str) -> None:
        if key == self.current_key:
            self.doctor.show_action_result(rule, words)

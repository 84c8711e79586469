"""Local node page: the node monitor's dashboard once a node is watched (installed here, or a
remote one added); otherwise the state of the install on this machine and the install wizard."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nodectl.install.plan import PLAN_NOTES
from nodectl.install.runner import RunResult
from ui.install_service import InstallService
from ui.install_wizard import InstallWizard
from ui.monitor.dashboard import NodeDashboard
from ui.monitor_service import MonitorService
from ui.pages.base import PAGE_MARGINS, PAGE_SPACING, Page, heading, hint


class LocalNodePage(Page):
    page_id: ClassVar[str] = "local_node"
    order: ClassVar[int] = 400

    def __init__(self, service: InstallService, monitor: MonitorService | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.monitor = monitor
        self._installer_open = False
        self._monitor_open = False  # the person asked for the monitor before any node was added
        self.state_label = QLabel("")
        self.state_label.setWordWrap(True)
        self.install_button = QPushButton(self.tr("Install FluxNode…"))
        self.install_button.setDefault(True)
        self.repair_button = QPushButton(self.tr("Repair…"))
        self.repair_button.setToolTip(self.tr(
            "Check every step on this machine again and redo what is missing or changed"))
        self.uninstall_button = QPushButton(self.tr("Uninstall…"))
        self.uninstall_button.setToolTip(self.tr(
            "Stop and remove the services, configs and apt sources; the chain, the node "
            "user and flux.conf stay"))
        self.action_status = QLabel("")
        self.action_status.setWordWrap(True)
        self._uninstalling = False
        self.wizard = InstallWizard(service)
        overview = QWidget()
        buttons = QHBoxLayout()
        buttons.addWidget(self.install_button)
        buttons.addWidget(self.repair_button)
        buttons.addWidget(self.uninstall_button)
        self.monitor_button = QPushButton(self.tr("Node monitor…"))
        self.monitor_button.setToolTip(self.tr("Watch this node or a remote one (IP[:port])"))
        self.monitor_button.setVisible(monitor is not None)
        buttons.addWidget(self.monitor_button)
        buttons.addStretch(1)
        steps = hint(self.tr(
            "The installer checks this machine first, asks for the tier and the collateral "
            "your wallet shows for the node, then lists every command and file before it "
            "changes anything. It produces the same result as the official multitoolbox "
            "install (zelcash.service, ~/.flux/flux.conf, FluxOS in ~/zelflux under pm2, the "
            "watchdog), so FluxOS updates and the community guides keep working. An "
            "interrupted install continues where it stopped."))
        notes = hint("\n".join("• " + note for note in PLAN_NOTES))
        layout = QVBoxLayout(overview)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.setSpacing(PAGE_SPACING)
        layout.addWidget(heading(self.tr("FluxNode on this machine")))
        layout.addWidget(self.state_label)
        layout.addWidget(steps)
        layout.addWidget(notes)
        layout.addLayout(buttons)
        layout.addWidget(self.action_status)
        layout.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(overview)
        self.stack.addWidget(self.wizard)
        self.dashboard: NodeDashboard | None = None
        if monitor is not None:
            self.dashboard = NodeDashboard(monitor)
            self.stack.addWidget(self.dashboard)
            self.dashboard.installer_requested.connect(self.show_installer)
            self.dashboard.show_nodes(monitor.nodes)
            monitor.nodes_changed.connect(lambda _nodes: self.refresh())
        self.monitor_button.clicked.connect(self.show_monitor)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.install_button.clicked.connect(lambda: self.open_wizard("install"))
        self.repair_button.clicked.connect(lambda: self.open_wizard("repair"))
        self.uninstall_button.clicked.connect(self.ask_uninstall)
        service.finished.connect(self._uninstalled)
        service.busy_changed.connect(self._busy)
        self.wizard.closed.connect(self.close_wizard)
        self.wizard.installed.connect(self._installed)
        self.refresh()

    def title(self) -> str:
        return self.tr("Local node")

    def page_shown(self) -> None:
        self.refresh()

    def show_installer(self) -> None:
        self._installer_open = True
        self.refresh()

    def show_monitor(self) -> None:
        self._installer_open = False
        self._monitor_open = True
        if self.dashboard is not None:
            if self.monitor is not None and not self.monitor.nodes:
                self.dashboard.tabs.setCurrentWidget(self.dashboard.remotes)
            self.stack.setCurrentWidget(self.dashboard)

    def _installed(self) -> None:
        if self.monitor is not None:
            self.monitor.reload_nodes()
        self.refresh()

    def refresh(self) -> None:
        watching = self.monitor is not None and bool(self.monitor.nodes)
        if self.stack.currentWidget() is not self.wizard and self.dashboard is not None:
            if (watching or self._monitor_open) and not self._installer_open:
                self.stack.setCurrentWidget(self.dashboard)
            elif self.stack.currentWidget() is self.dashboard:
                self.stack.setCurrentIndex(0)
        self.monitor_button.setText(self.tr("Back to the monitor") if watching
                                    else self.tr("Watch a remote node…"))
        state = self.service.saved_state()
        records = state.steps
        done = sum(1 for r in records.values() if r.status == "done")
        failed = [k for k, r in records.items() if r.status == "failed"]
        if not records:
            text, mood = self.tr("No FluxNode has been installed here by FluxDesk yet."), ""
        elif failed:
            record = records[failed[0]]
            text = self.tr("The install stopped at “{0}”: {1}\nWhat to do: {2}").format(
                failed[0], record.message, record.fix)
            mood = "bad"
        elif records.get("verify") and records["verify"].status == "done":
            text, mood = self.tr("FluxNode installed ({0} steps done).").format(done), "ok"
        else:
            text = self.tr("Install in progress: {0} steps done; open the installer to "
                           "continue.").format(done)
            mood = "warn"
        self.state_label.setText(text)
        self.state_label.setProperty("state", mood)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.install_button.setText(self.tr("Continue install…") if records and mood != "ok"
                                    else self.tr("Install FluxNode…"))
        self.install_button.setVisible(mood != "ok")
        self.repair_button.setVisible(bool(records))
        self.uninstall_button.setVisible(bool(records))

    def open_wizard(self, mode: str = "install") -> None:
        self.action_status.setText("")
        self.stack.setCurrentWidget(self.wizard)
        self.wizard.begin(mode, self.service.saved_state().meta)

    def ask_uninstall(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Uninstall FluxNode"), self.tr(
            "Stop fluxd, FluxOS and the watchdog and remove their services, configs and apt "
            "sources? The chain data, ~/.flux/flux.conf and the node user are kept, so a "
            "later install is quick."), QMessageBox.StandardButton.Cancel, self)
        remove = box.addButton(self.tr("Uninstall"), QMessageBox.ButtonRole.DestructiveRole)
        box.finished.connect(lambda _code: self._answered(box.clickedButton() is remove))
        box.open()

    def _answered(self, confirmed: bool) -> None:
        if confirmed:
            self.uninstall()

    def uninstall(self) -> None:
        user = self.service.saved_state().meta.get("user")
        if not isinstance(user, str) or not user:
            self.action_status.setText(self.tr("Nothing to uninstall: no finished step."))
            return
        self._uninstalling = True
        self.action_status.setText(self.tr("Uninstalling…"))
        self.service.uninstall(user)

    def _uninstalled(self, result: RunResult) -> None:
        if not self._uninstalling:
            return
        self._uninstalling = False
        if self.monitor is not None:
            self.monitor.reload_nodes()
        if result.ok:
            self.action_status.setText(self.tr("Uninstalled. The chain data was kept."))
        else:
            self.action_status.setText(self.tr("Uninstall finished with problems:\n{0}").format(
                "\n".join(result.tail)))
        self.refresh()

    def _busy(self, busy: bool) -> None:
        for button in (self.install_button, self.repair_button, self.uninstall_button):
            button.setEnabled(not busy)

    def close_wizard(self) -> None:
        self.stack.setCurrentIndex(0)
        self.refresh()

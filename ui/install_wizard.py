"""Install FluxNode wizard: preflight → tier and collateral → plan → run → done.

The wizard holds no install logic: it collects inputs, asks :class:`InstallService` for a
preflight, a plan and a run, and shows what comes back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from flux.ports import ALLOWED_API_PORTS
from flux.tiers import TIER_KEYS as TIERS
from nodectl.install.events import Event
from nodectl.install.params import InstallParams, make_params
from nodectl.install.runner import RunResult
from nodectl.install.session import Preflight
from nodectl.install.validate import InvalidInput
from ui.install_service import InstallService
from ui.install_views import PlanView, PreflightView, RunView
from ui.pages.base import heading, hint

PAGES = ("preflight", "collateral", "plan", "run", "done")


class CollateralForm(QWidget):
    """Tier and the pasted FluxNode identity; every field is validated by nodectl."""

    FIELDS = ("user", "identity_wif", "collateral_txid", "collateral_index", "public_ip",
              "zelid", "router_ip")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tier = QComboBox()
        for tier in TIERS:
            self.tier.addItem(tier.title(), tier)
        self.edits: dict[str, QLineEdit] = {name: QLineEdit() for name in self.FIELDS}
        self.edits["user"].setText("fluxnode")
        self.edits["identity_wif"].setEchoMode(QLineEdit.EchoMode.Password)
        self.edits["identity_wif"].setPlaceholderText(self.tr("FluxNode identity key (WIF)"))
        self.edits["collateral_txid"].setPlaceholderText(self.tr("64 hex characters"))
        self.edits["collateral_index"].setPlaceholderText("0")
        self.edits["zelid"].setPlaceholderText(self.tr("Flux ID, starts with 1 or 0x"))
        self.edits["router_ip"].setPlaceholderText("192.168.1.1")
        self.upnp = QCheckBox(self.tr("Use a UPnP port set (several nodes behind one IP)"))
        self.api_port = QComboBox()
        for port in ALLOWED_API_PORTS[1:]:
            self.api_port.addItem(str(port), port)
        self.error = QLabel("")
        self.error.setProperty("state", "bad")
        self.error.setWordWrap(True)
        form = QFormLayout()
        labels = {"user": self.tr("Node user"), "identity_wif": self.tr("Identity key"),
                  "collateral_txid": self.tr("Collateral txid"),
                  "collateral_index": self.tr("Output index"),
                  "public_ip": self.tr("Public IPv4"), "zelid": self.tr("Flux ID (admin)"),
                  "router_ip": self.tr("Router IP")}
        form.addRow(self.tr("Tier"), self.tier)
        for name in self.FIELDS[:-1]:
            form.addRow(labels[name], self.edits[name])
        form.addRow("", self.upnp)
        form.addRow(self.tr("FluxOS API port"), self.api_port)
        form.addRow(labels["router_ip"], self.edits["router_ip"])
        layout = QVBoxLayout(self)
        layout.addWidget(hint(self.tr(
            "Paste the identity key and collateral shown by your wallet (ZelCore/SSP) for this "
            "node. The key is written only to ~/.flux/flux.conf on this machine.")))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.upnp.toggled.connect(self._upnp_toggled)
        self._upnp_toggled(False)

    def prefill(self, meta: dict[str, Any]) -> None:
        """Answers of an earlier run (everything except the identity key, never stored)."""
        for key in ("user", "collateral_txid", "public_ip", "zelid", "router_ip"):
            if isinstance(meta.get(key), str) and meta[key]:
                self.edits[key].setText(meta[key])
        if isinstance(meta.get("collateral_index"), int):
            self.edits["collateral_index"].setText(str(meta["collateral_index"]))
        index = self.tier.findData(meta.get("tier"))
        if index >= 0:
            self.tier.setCurrentIndex(index)
        port = meta.get("api_port")
        if isinstance(port, int) and port != 16127:
            self.upnp.setChecked(True)
            self.api_port.setCurrentIndex(max(0, self.api_port.findData(port)))

    def _upnp_toggled(self, on: bool) -> None:
        self.api_port.setEnabled(on)
        self.edits["router_ip"].setEnabled(on)

    def values(self) -> dict[str, Any]:
        # Pasted text often carries a trailing newline or spaces: drop them here, the
        # validators then refuse anything else that is not part of the value.
        out: dict[str, Any] = {k: e.text().strip() for k, e in self.edits.items()}
        out["tier"] = self.tier.currentData()
        out["api_port"] = self.api_port.currentData() if self.upnp.isChecked() else 16127
        if not self.upnp.isChecked():
            out["router_ip"] = ""
        return out

    def params(self, network: str) -> InstallParams | None:
        """Validated params, or None with the problem shown next to the form."""
        try:
            params = make_params(network=network, **self.values())
        except InvalidInput as exc:
            self.error.setText(str(exc))
            edit = self.edits.get(_field_key(exc.field))
            if edit is not None:
                edit.setFocus()
            return None
        self.error.setText("")
        return params


def _field_key(field: str) -> str:
    names = {"node user": "user", "identity key": "identity_wif",
             "collateral txid": "collateral_txid", "collateral output index": "collateral_index",
             "public IP": "public_ip", "Flux ID": "zelid", "router IP": "router_ip"}
    return names.get(field, "")


class InstallWizard(QWidget):
    closed = Signal()
    installed = Signal()

    def __init__(self, service: InstallService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.params: InstallParams | None = None
        self.plan: dict[str, Any] | None = None
        self.preflight_result: Preflight | None = None
        self._working_text = ""
        self._is_busy = False
        self._plan_pending = False
        self._running = False
        self.mode = "install"  # or "repair": re-check every step and redo what is missing
        self.title = heading("")
        self.busy = QLabel("")
        self.busy.setProperty("role", "hint")
        self.preflight_view = PreflightView()
        self.form = CollateralForm()
        self.plan_view = PlanView()
        self.run_view = RunView()
        self.failure = QLabel("")
        self.failure.setWordWrap(True)
        self.failure.setProperty("state", "bad")
        self.done_text = QLabel("")
        self.done_text.setWordWrap(True)
        self.stack = QStackedWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preflight_view)
        run_page = QWidget()
        run_layout = QVBoxLayout(run_page)
        run_layout.setContentsMargins(0, 0, 0, 0)
        run_layout.addWidget(self.run_view, 1)
        run_layout.addWidget(self.failure)
        done_page = QWidget()
        done_layout = QVBoxLayout(done_page)
        done_layout.addWidget(self.done_text)
        done_layout.addStretch(1)
        for widget in (scroll, self.form, self.plan_view, run_page, done_page):
            self.stack.addWidget(widget)
        self.back_button = QPushButton(self.tr("Back"))
        self.recheck_button = QPushButton(self.tr("Check again"))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.busy, 1)
        for button in (self.recheck_button, self.back_button, self.next_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.recheck_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._close)
        service.preflight_ready.connect(self._preflight_ready)
        service.plan_ready.connect(self._plan_ready)
        service.progress.connect(self._event)
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.busy_changed.connect(self._busy)
        self._go(0)

    # -- navigation -----------------------------------------------------------------------
    @property
    def page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def _go(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        titles = {"preflight": self.tr("Can this machine run a FluxNode?"),
                  "collateral": self.tr("Tier and collateral"),
                  "plan": self.tr("What the install will do"),
                  "run": self.tr("Installing"), "done": self.tr("Done")}
        self.title.setText(self.tr("Step {0} of 5: {1}").format(index + 1, titles[self.page]))
        self._buttons()

    def _buttons(self) -> None:
        busy = self._is_busy
        page = self.page
        self.back_button.setVisible(page in ("collateral", "plan"))
        self.recheck_button.setVisible(page == "preflight")
        self.recheck_button.setEnabled(not busy)
        self.next_button.setVisible(page != "done")
        action = self.tr("Repair") if self.mode == "repair" else self.tr("Install")
        labels = {"plan": action, "run": self.tr("Retry")}
        self.next_button.setText(labels.get(page, self.tr("Next")))
        ok = self.preflight_result is not None and self.preflight_result.report.ok
        enabled = {"preflight": self.preflight_result is not None,
                   "collateral": True, "plan": self.plan is not None and ok,
                   "run": bool(self.failure.text())}
        self.next_button.setEnabled(not busy and enabled.get(page, False))
        self.back_button.setEnabled(not busy)

    def begin(self, mode: str, meta: dict[str, Any]) -> None:
        """Open on the first page for an install or a repair, prefilled from the last run."""
        self.mode = mode
        self.plan = None
        self.preflight_result = None
        self.failure.setText("")
        self.form.prefill(meta)
        self._go(0)
        self.start()

    def start(self) -> None:
        """(Re)run the preflight with the user and tier chosen so far."""
        values = self.form.values()
        self._working(self.tr("Checking this machine…"))
        self.service.preflight(values["user"] or "fluxnode", values["tier"], values["api_port"],
                               values["public_ip"])

    def back(self) -> None:
        self._go(max(0, self.stack.currentIndex() - 1))

    def next(self) -> None:
        page = self.page
        if page == "preflight":
            self._go(1)
        elif page == "collateral":
            self.params = self.form.params(self.service.network)
            if self.params is not None:
                # Tier, user, ports and IP may have changed since the first check: check
                # again with the final answers, then build the plan.
                self._plan_pending = True
                self._working(self.tr("Checking again with your answers…"))
                p = self.params
                self.service.preflight(p.user, p.tier, p.api_port, p.public_ip)
        elif page in ("plan", "run") and self.params is not None and self.plan is not None:
            self.failure.setText("")
            if page == "plan":
                self.run_view.set_steps(self.plan)
                self._go(3)
            self._working(self.tr("Installing…"))
            self._running = True
            self.service.run(self.params, self.mode)

    def _close(self) -> None:
        if self._is_busy and self.page == "run":
            self.service.cancel()
        self.closed.emit()

    # -- service results ------------------------------------------------------------------
    def _working(self, text: str) -> None:
        self._working_text = text
        self.busy.setText(text)

    def _busy(self, busy: bool) -> None:
        # The signal arrives while the task is still finishing, so trust its argument.
        self._is_busy = busy
        # Clear only our own "working…" text, never an error the service just reported.
        if not busy and self.busy.text() == self._working_text:
            self.busy.setText("")
        self._buttons()

    def _preflight_ready(self, result: Preflight) -> None:
        self.preflight_result = result
        self.preflight_view.show_report(result.report)
        if result.public_ip.address and not self.form.edits["public_ip"].text():
            self.form.edits["public_ip"].setText(result.public_ip.address)
        self._buttons()
        if self._plan_pending and self.params is not None:
            self._plan_pending = False
            # Queued: the preflight task is still finishing when this signal arrives.
            QTimer.singleShot(0, self._describe)

    def _describe(self) -> None:
        if self.params is not None:
            self._working(self.tr("Preparing the plan…"))
            self.service.describe(self.params)

    def _plan_ready(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.plan_view.show_plan(plan)
        self._go(2)
        if self.preflight_result is not None and not self.preflight_result.report.ok:
            self.busy.setText(self.tr("Install is disabled: preflight found problems."))

    def _event(self, event: Event) -> None:
        self.run_view.on_event(event)

    def _finished(self, result: RunResult) -> None:
        if not self._running:
            return  # an uninstall started from the page, not ours
        self._running = False
        if result.ok:
            assert self.params is not None
            p = self.params
            self.done_text.setText(self.tr(
                "The node software is installed and running.\n\n"
                "FluxOS: http://{0}:{1}\n\n"
                "Next: start the node from the wallet that holds the collateral, then follow "
                "it on the monitoring page. The first benchmark takes about five minutes."
            ).format(p.public_ip, p.api_port - 1))
            self._go(4)
            self.installed.emit()
            return
        tail = "\n".join(result.tail[-8:])
        self.failure.setText(self.tr("Step “{0}” failed: {1}\nWhat to do: {2}\n{3}").format(
            result.failed_step, result.message, result.fix, tail))
        self._buttons()

    def _failed(self, message: str) -> None:
        if self.page == "run":
            self.failure.setText(message)
        else:
            self.busy.setText(message)
        self._buttons()

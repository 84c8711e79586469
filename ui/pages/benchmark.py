"""Benchmark page: will this machine pass as a Cumulus, Nimbus or Stratus FluxNode?"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nodectl.bench import BenchReport, SystemProbe, compare, export_csv, export_json
from nodectl.bench.fluxbench import comparable
from nodectl.bench.models import ESTIMATE_NOTE
from nodectl.bench.verdict import VerdictInputs, evaluate
from ui.bench_service import BenchService
from ui.bench_widgets import UNITS, HistoryChart, StepList, TierMatrix, number, series_from
from ui.pages.base import Page, hint

GIB = 1024**3
# (key, name, unit): the same names and units as the tier table's rows.
CHART_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("eps_single", f"CPU {UNITS['eps_single']}, one thread", UNITS["eps_single"]),
    ("eps_all", f"CPU {UNITS['eps_all']}, all threads", UNITS["eps_all"]),
    ("dws", f"Disk write speed ({UNITS['dws']})", UNITS["dws"]),
    ("download", f"Download ({UNITS['download']})", UNITS["download"]),
    ("upload", f"Upload ({UNITS['upload']})", UNITS["upload"]),
)


def probe_summary(probe: SystemProbe) -> str:
    lines = [
        f"{probe.cpu_model or probe.machine} — {probe.cores} cores / {probe.threads} threads, "
        f"{probe.arch}, AVX {'yes' if probe.avx else 'no'}",
        f"{probe.ram_gib} GiB RAM · {probe.os_name}",
    ]
    for target in probe.data_disks:
        disk = next((d for d in probe.disks if d.name == target.disk), None)
        kind = (
            ""
            if disk is None or disk.ssd_class is None
            else (", SSD-class" if disk.ssd_class else ", rotational")
        )
        lines.append(
            f"Disk test in {target.path}: {target.disk or target.device}, "
            f"{target.capacity_bytes / GIB:,.0f} GiB{kind}, "
            f"{target.fs_free_bytes / GIB:,.0f} GiB free"
        )
    return "\n".join(lines)


class BenchmarkPage(Page):
    page_id: ClassVar[str] = "benchmark"
    order: ClassVar[int] = 300

    def __init__(self, service: BenchService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.report: BenchReport | None = None
        self.runs: list[BenchReport] = []

        self.machine = QLabel("")
        self.machine.setWordWrap(True)
        self.run_button = QPushButton(self.tr("Run benchmark"))
        self.run_button.setDefault(True)
        self.quick = QCheckBox(self.tr("Quick mode (about 15 s, less precise)"))
        self.all_disks = QCheckBox(self.tr("Also test every other disk"))
        self.all_disks.setToolTip(
            self.tr(
                "Writes a temporary file on the largest filesystem of each disk; may need root."
            )
        )
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.servers = hint("")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setProperty("state", "")
        # First call of style() builds PySide's enum wrappers (~50 ms): pay that while building
        # the page, not when Run is clicked.
        self._status_style = self.status.style()
        self.install_box = QFrame()
        self.install_text = QLabel("")
        self.install_text.setWordWrap(True)
        self.install_text.setProperty("state", "bad")
        self.install_button = QPushButton(self.tr("Install sysbench"))
        self.steps = StepList()
        self.verdict = QLabel("")
        self.verdict.setProperty("role", "heading")
        self.verdict.setWordWrap(True)
        self.run_info = hint(
            self.tr(
                "Threads, cores, RAM and architecture come from the probes; the rest needs a run."
            )
        )
        self.matrix = TierMatrix()
        self.hints = QLabel("")
        self.hints.setWordWrap(True)
        self.fluxbench = QLabel("")
        self.fluxbench.setWordWrap(True)
        self.fluxbench.hide()
        self.figure = QComboBox()
        for key, label, unit in CHART_FIGURES:
            self.figure.addItem(self.tr(label), (key, unit))
        self.chart = HistoryChart()
        self.comparison = hint("")
        self.export_json_button = QPushButton(self.tr("Export JSON…"))
        self.export_csv_button = QPushButton(self.tr("Export CSV…"))
        self._build_layout()

        self.run_button.clicked.connect(self._start)
        self.cancel_button.clicked.connect(self.service.cancel)
        self.install_button.clicked.connect(self._install)
        self.figure.currentIndexChanged.connect(self._show_chart)
        self.export_json_button.clicked.connect(lambda: self._ask_export("json"))
        self.export_csv_button.clicked.connect(lambda: self._ask_export("csv"))
        service.step_changed.connect(self.steps.update_step)
        service.running_changed.connect(self._running)
        service.finished.connect(self._finished)
        service.failed.connect(self._failed)
        service.cancelled.connect(self._cancelled)
        service.sysbench_missing.connect(self._sysbench_missing)
        service.install_finished.connect(self._installed)
        service.history_changed.connect(self._load_history)
        self._initial_state()

    def title(self) -> str:
        return self.tr("Benchmark")

    def _build_layout(self) -> None:
        layout = self.page_content(self.tr("Hardware benchmark"))
        layout.addWidget(hint(self.tr(ESTIMATE_NOTE)))
        layout.addWidget(self.machine)
        controls = QHBoxLayout()
        controls.addWidget(self.run_button)
        controls.addWidget(self.quick)
        controls.addWidget(self.all_disks)
        controls.addWidget(self.cancel_button)
        controls.addStretch(1)
        layout.addLayout(controls)
        layout.addWidget(self.servers)
        install_row = QHBoxLayout(self.install_box)
        install_row.setContentsMargins(0, 0, 0, 0)
        install_row.addWidget(self.install_text, 1)
        install_row.addWidget(self.install_button)
        self.install_box.hide()
        layout.addWidget(self.install_box)
        layout.addWidget(self.status)
        self.status.hide()
        # Shown from the first Run on, right under the buttons where the person is looking.
        self.progress = QGroupBox(self.tr("Progress"))
        QVBoxLayout(self.progress).addWidget(self.steps)
        self.progress.hide()
        layout.addWidget(self.progress)
        layout.addWidget(self.verdict)
        layout.addWidget(self.run_info)
        layout.addWidget(self.matrix)
        layout.addWidget(self.hints)
        layout.addWidget(self.fluxbench)
        history = QGroupBox(self.tr("History"))
        history_layout = QVBoxLayout(history)
        top = QHBoxLayout()
        top.addWidget(self.figure)
        top.addStretch(1)
        top.addWidget(self.export_json_button)
        top.addWidget(self.export_csv_button)
        history_layout.addLayout(top)
        history_layout.addWidget(self.chart)
        history_layout.addWidget(self.comparison)
        layout.addWidget(history)
        layout.addStretch(1)

    # --- showing state -------------------------------------------------------------------------

    def page_shown(self) -> None:
        self._show_servers()

    def _show_servers(self) -> None:
        endpoints = self.service.current_endpoints()
        if endpoints is None:
            self.servers.setText(self.tr("The network test is off."))
            return
        hosts: list[str] = []
        for url in (*endpoints.download_urls, *endpoints.upload_urls):
            host = urlsplit(url).hostname or url
            if host not in hosts:
                hosts.append(host)
        shown = ", ".join(hosts[:3]) + (f" … (+{len(hosts) - 3})" if len(hosts) > 3 else "")
        self.servers.setText(
            self.tr("Network test servers: %1 — change them on the Settings page.").replace(
                "%1", shown
            )
        )
        self.servers.setToolTip("\n".join(hosts))

    def _initial_state(self) -> None:
        self._show_servers()
        probe = self.service.probe()
        self.machine.setText(probe_summary(probe))
        self._load_history()
        if self.report is None:
            # Before any run the probes already settle threads, cores, RAM and architecture.
            inputs = VerdictInputs(
                probe.threads,
                probe.cores,
                probe.ram_gib,
                probe.arch,
                None,
                None,
                None,
                None,
                None,
                probe.avx,
            )
            verdict = evaluate(inputs)
            self.matrix.show_verdict(verdict)
            self.verdict.setText(self.tr("No run yet — press Run benchmark."))
            self.hints.setText(self._hint_text(list(verdict.hints)))

    def _load_history(self, runs: list[BenchReport] | None = None) -> None:
        self.runs = self.service.runs() if runs is None else runs
        if self.runs and (self.report is None or self.report.run_id != self.runs[-1].run_id):
            self._show_report(self.runs[-1])
        self._show_chart()

    def _show_report(self, report: BenchReport) -> None:
        self.report = report
        verdict = report.verdict
        mode = self.tr("quick run") if report.quick else self.tr("full run")
        when = report.started_at[:16].replace("T", " ")
        if verdict.best_tier:
            text = self.tr("Estimated tier: %1").replace("%1", verdict.best_tier.capitalize())
        elif verdict.provisional_tier:
            text = self.tr("Up to %1 — some figures were not measured").replace(
                "%1", verdict.provisional_tier.capitalize()
            )
        else:
            text = self.tr("No tier passes every requirement")
        self.verdict.setText(text)
        self.run_info.setText(
            self.tr("From the %1 of %2 UTC").replace("%1", mode).replace("%2", when)
        )
        self.matrix.show_verdict(verdict)
        # Each step's outcome (and why it failed) is said once, in the step list.
        self.steps.show_report(report)
        self.progress.setTitle(self.tr("Steps of this run"))
        self.progress.show()
        self.hints.setText(self._hint_text([*verdict.hints, *report.warnings]))
        self.fluxbench.setText(self._fluxbench_text(report))
        self.fluxbench.setVisible(bool(self.fluxbench.text()))

    def _set_status(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        state = "bad" if bad else ""
        if self.status.property("state") != state:
            self.status.setProperty("state", state)
            self._status_style.polish(self.status)
        self.status.setVisible(bool(text))

    def _hint_text(self, hints: list[str]) -> str:
        return "\n".join(f"• {h}" for h in hints)

    def _fluxbench_text(self, report: BenchReport) -> str:
        doc = report.fluxbench
        if not doc:
            return ""
        if "error" in doc and len(doc) == 1:
            return self.tr("fluxbench on this machine: %1").replace("%1", str(doc["error"]))
        ours = {m.key: m.value for m in report.measurements}
        parts = [f"status {doc.get('status', '?')}"]
        for key, theirs in comparable(doc).items():
            mine = ours.get(key)
            parts.append(
                f"{key} {theirs} (ours {number(mine)})" if mine is not None else f"{key} {theirs}"
            )
        return self.tr("fluxbench on this machine (binding): %1").replace("%1", "; ".join(parts))

    def _show_chart(self) -> None:
        key, unit = self.figure.currentData()
        points = []
        for run in self.runs:
            item = run.measurement(key)
            stamp = run.started_at[5:16].replace("T", " ")
            points.append((stamp, None if item is None else item.value))
        self.chart.set_series(series_from(points, unit, key))
        if len(self.runs) >= 2:
            changes = []
            for delta in compare(self.runs[-2], self.runs[-1]):
                if delta.change_pct is not None:
                    changes.append(f"{delta.label} {delta.change_pct:+.1f} %")
            self.comparison.setText(
                self.tr("Last run vs the one before: %1").replace(
                    "%1", ", ".join(changes) or self.tr("nothing comparable")
                )
            )
        else:
            self.comparison.setText(self.tr("%n saved run(s).", "", len(self.runs)))

    # --- reacting to the service ---------------------------------------------------------------

    def _start(self) -> None:
        self.install_box.hide()
        self.steps.reset()
        self.progress.setTitle(self.tr("Progress"))
        self.progress.show()
        self._set_status(self.tr("Running… keep other programs closed for a fair CPU figure."))
        self.service.start(self.quick.isChecked(), self.all_disks.isChecked())

    def _running(self, running: bool) -> None:
        if self.report is None:
            self.verdict.setText(
                self.tr("First run in progress…")
                if running
                else self.tr("No run yet — press Run benchmark.")
            )
        self.run_button.setEnabled(not running)
        self.quick.setEnabled(not running)
        self.all_disks.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _finished(self, report: BenchReport) -> None:
        self._show_report(report)
        failed = self.steps.failed_steps()
        if failed:
            self._set_status(
                self.tr("Finished, but %1 failed: the list below says why. The run is saved "
                        "in the history.").replace("%1", ", ".join(failed)),
                bad=True,
            )
        else:
            self._set_status(self.tr("Finished. The run is saved in the history."))

    def _failed(self, message: str) -> None:
        self._set_status(message, bad=True)

    def _cancelled(self) -> None:
        self._set_status(self.tr("Cancelled. Nothing was saved and the disk test file is removed."))

    def _sysbench_missing(self, message: str) -> None:
        self.install_text.setText(message)
        self.install_box.show()
        self._set_status("")

    def _install(self) -> None:
        self.install_button.setEnabled(False)
        self.install_text.setText(self.tr("Installing sysbench (asks for your password)…"))
        self.service.install_sysbench()

    def _installed(self, ok: bool, message: str) -> None:
        self.install_button.setEnabled(True)
        self.install_text.setText(message)
        if ok:
            self.install_box.hide()
            self._set_status(self.tr("sysbench is installed — press Run benchmark."))

    # --- export ---------------------------------------------------------------------------------

    def _ask_export(self, kind: str) -> None:
        dialog = QFileDialog(self, self.tr("Export benchmark history"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV (*.csv)" if kind == "csv" else "JSON (*.json)")
        dialog.setDefaultSuffix(kind)
        dialog.selectFile(f"fluxdesk-benchmarks.{kind}")
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        dialog.open()

    def export_to(self, target: Path) -> None:
        runs = self.service.runs()
        try:
            (export_csv if target.suffix.lower() == ".csv" else export_json)(runs, target)
        except OSError as exc:
            self._failed(
                self.tr("Could not export to %1: %2")
                .replace("%1", str(target))
                .replace("%2", str(exc))
            )
            return
        self._set_status(
            self.tr("Exported %1 run(s) to %2")
            .replace("%1", str(len(runs)))
            .replace("%2", str(target))
        )

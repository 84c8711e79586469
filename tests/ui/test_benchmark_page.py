"""Benchmark page: renders before a run, runs, cancels cleanly, offers sysbench, exports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from nodectl.bench import BenchHistory, BenchOptions
from nodectl.bench.disk import TEMP_PREFIX
from nodectl.bench.models import BenchReport, Measurement, SystemProbe
from nodectl.bench.runner import Profile
from nodectl.bench.verdict import VerdictInputs, evaluate
from tests.conftest import complete
from tests.nodectl.bench_helpers import fake_sysbench
from ui.bench_service import BenchService
from ui.concurrency import Engine
from ui.pages.benchmark import BenchmarkPage

pytestmark = pytest.mark.gui
MIB = 1024 * 1024
TINY = Profile(1, 4 * MIB, 3, 1.0, MIB, 1, 0.05)


_ENGINE: list[Engine] = []


@pytest.fixture(autouse=True)
def on_the_engine(engine: Engine) -> Iterator[None]:
    """Runs happen on the app's engine loop, as in the app (ui/concurrency.py)."""
    _ENGINE.append(engine)
    yield
    _ENGINE.clear()


def make_page(qtbot, data_dir: Path, disk: Path, **overrides: object) -> BenchmarkPage:
    options = BenchOptions(
        disk_paths=(disk,),
        endpoints=None,
        sysbench=str(fake_sysbench(disk.parent, eps_single=85.0)),
        fluxbench_cli=None,
        profile=TINY,
    )
    for key, value in overrides.items():
        options = options.__class__(**{**options.__dict__, key: value})
    page = BenchmarkPage(BenchService(data_dir, options, engine=_ENGINE[0]))
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    return page


def leftovers(directory: Path) -> list[Path]:
    return list(directory.glob(f"{TEMP_PREFIX}*"))


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    path = tmp_path / "disk"
    path.mkdir()
    return path


def cell_outcomes(page: BenchmarkPage, row: int) -> list[str]:
    return [
        str(page.matrix.item(row, column).data(Qt.ItemDataRole.UserRole))
        for column in range(page.matrix.columnCount())
    ]


def test_renders_probes_before_any_run(qtbot, data_dir: Path, disk: Path) -> None:
    page = make_page(qtbot, data_dir, disk)
    assert "threads" in page.machine.text() and "GiB RAM" in page.machine.text()
    assert str(disk) in page.machine.text()
    assert page.verdict.text() == "No run yet — press Run benchmark."
    # Threads are known from the probes, so that row is already judged; EPS needs a run.
    assert set(cell_outcomes(page, 0)) <= {"pass", "fail"}
    assert set(cell_outcomes(page, 4)) == {"unknown"}
    assert page.chart.values() == []
    assert page.title() == "Benchmark"
    assert not page.progress.isVisibleTo(page)
    assert not page.fluxbench.isVisibleTo(page)


def saved_report(data_dir: Path, fluxbench: dict[str, object] | None = None) -> BenchReport:
    probe = SystemProbe(
        8, 4, 32 * 1024**3, "x86_64", "amd64", "Test CPU", True, "Debian 12", "debian", "12", (), ()
    )
    verdict = evaluate(VerdictInputs(8, 4, 32, "amd64", 82.0, 450.0, 500.0, 90.0, 60.0))
    report = BenchReport(
        "2026-11-20T10:00:00.000000+00:00",
        "2026-11-20T10:01:00.000000+00:00",
        False,
        probe,
        (
            Measurement("eps_single", "CPU events/s, one thread", 82.0, "events/s", "sysbench"),
            Measurement("dws", "Disk write speed", 450.0, "MiB/s", "dd-like"),
        ),
        verdict,
        fluxbench=fluxbench,
    )
    BenchHistory(data_dir).save(report)
    return report


def test_shows_the_last_saved_run(qtbot, data_dir: Path, disk: Path) -> None:
    saved_report(data_dir)
    page = make_page(qtbot, data_dir, disk)
    assert page.verdict.text() == "Estimated tier: Nimbus"
    assert "full run" in page.run_info.text()
    assert cell_outcomes(page, 4) == ["pass", "pass", "fail"]  # 82 × 4/8/16 vs 240/640/1520
    eps_cell = page.matrix.item(4, 2).text()
    assert "1,312\u00a0/\u00a01,520" in eps_cell and "−208" in eps_cell
    assert page.chart.values() == [82.0]
    assert "1520 CPU events/s" in page.hints.text()


def test_run_shows_progress_verdict_and_history(
    qtbot, qt_loop, data_dir: Path, disk: Path
) -> None:
    page = make_page(qtbot, data_dir, disk)
    finished: list[BenchReport] = []
    page.service.finished.connect(finished.append)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.service.running, timeout=30_000)
    assert not page.run_button.isEnabled() and page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    complete(qtbot, page.service.wait())
    assert page.run_button.isEnabled() and not page.cancel_button.isEnabled()
    assert page.progress.isVisibleTo(page)
    assert page.steps.bars["eps_single"].value() == 1000
    assert page.steps.bars["dws"].value() == 1000
    assert page.steps.messages["eps_single"].text() == "✔ 85 events/s"  # as in the table
    assert page.status.text().startswith("Finished")
    assert len(BenchHistory(data_dir).run_ids()) == 1
    assert page.chart.values() == [85.0]
    assert page.report is finished[0]
    assert leftovers(disk) == []


def test_cancel_mid_run_leaves_no_temp_file(qtbot, qt_loop, data_dir: Path, disk: Path) -> None:
    big = Profile(1, 2048 * MIB, 3, 1.0, MIB, 1, 0.05)
    page = make_page(qtbot, data_dir, disk, profile=big)
    cancelled: list[bool] = []
    page.service.cancelled.connect(lambda: cancelled.append(True))
    page.run_button.click()
    qtbot.waitUntil(lambda: page.steps.bars["dws"].value() > 0 and bool(leftovers(disk)),
                    timeout=30_000)
    page.cancel_button.click()
    complete(qtbot, page.service.wait())
    assert cancelled == [True]
    assert leftovers(disk) == []
    assert BenchHistory(data_dir).run_ids() == []
    assert page.status.text().startswith("Cancelled")
    assert page.run_button.isEnabled()


def test_missing_sysbench_offers_the_install(
    qtbot, qt_loop, data_dir: Path, disk: Path
) -> None:
    page = make_page(qtbot, data_dir, disk, sysbench="fluxdesk-no-such-sysbench")
    assert not page.install_box.isVisibleTo(page)
    page.run_button.click()
    qtbot.waitUntil(lambda: page.install_box.isVisibleTo(page), timeout=30_000)
    complete(qtbot, page.service.wait())
    assert "sudo apt-get install sysbench" in page.install_text.text()
    assert page.install_button.isEnabled()


def test_export(qtbot, data_dir: Path, disk: Path, tmp_path: Path) -> None:
    saved_report(data_dir)
    page = make_page(qtbot, data_dir, disk)
    page.export_to(tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert len(lines) == 2 and "NIMBUS" in lines[1]
    page.export_to(tmp_path / "out.json")
    assert '"fluxdesk.bench/1"' in (tmp_path / "out.json").read_text()
    page.export_to(tmp_path / "missing-dir" / "sub" / "x.csv")
    assert (tmp_path / "missing-dir" / "sub" / "x.csv").exists()
    page.export_to(Path("/proc/fluxdesk-cannot-write.csv"))
    assert page.status.text().startswith("Could not export")


def test_many_progress_signals_keep_refcounts_intact(qtbot, data_dir: Path, disk: Path) -> None:
    """PySide6 6.12.0 drops a reference to True per emit; thousands of updates must not abort."""
    import sys

    from nodectl.bench.runner import ProgressEvent, StepState

    page = make_page(qtbot, data_dir, disk)
    before = sys.getrefcount(True)
    for index in range(3000):
        page.service._relay(ProgressEvent("dws", StepState.RUNNING, index / 3000, ""))
    assert sys.getrefcount(True) >= before - 100
    assert page.steps.bars["dws"].value() == 999


def test_fluxbench_figures_are_shown_beside_ours(qtbot, data_dir: Path, disk: Path) -> None:
    saved_report(data_dir, {"status": "NIMBUS", "eps_singlethread": 85.4, "ddwrite": 512.0})
    page = make_page(qtbot, data_dir, disk)
    assert page.fluxbench.isVisibleTo(page)
    text = page.fluxbench.text()
    assert "binding" in text and "status NIMBUS" in text
    assert "eps_single 85.4 (ours 82)" in text and "dws 512.0 (ours 450)" in text

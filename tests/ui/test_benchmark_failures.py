"""Benchmark page when steps fail: shown as failed, in plain words, each problem once; the test
servers are set on the Settings page; the chart and the table speak the same units."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.settings import Settings
from nodectl.bench import BenchReport, NetworkEndpoints
from nodectl.bench.network import ADVICE
from nodectl.bench.verdict import VerdictInputs, evaluate
from tests.conftest import complete
from tests.ui.test_benchmark_page import make_page, on_the_engine  # noqa: F401 (autouse)
from ui.bench_service import make_bench_service
from ui.bench_widgets import ROWS
from ui.pages.benchmark import CHART_FIGURES, BenchmarkPage
from ui.pages.settings_page import SettingsPage, bench_servers

pytestmark = pytest.mark.gui
# Nothing listens on port 9 of 127.0.0.1: every connection is refused at once.
DEAD = NetworkEndpoints(
    download_urls=("http://127.0.0.1:9/down",), upload_urls=("http://127.0.0.1:9/up",)
)
NETWORK_STEPS = ("latency", "download", "upload")


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    path = tmp_path / "disk"
    path.mkdir()
    return path


def run_to_end(qtbot, page: BenchmarkPage) -> BenchReport:
    finished: list[BenchReport] = []
    page.service.finished.connect(finished.append)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    complete(qtbot, page.service.wait())
    return finished[0]


def shown_text(page: BenchmarkPage) -> str:
    parts = [page.status.text(), page.verdict.text(), page.hints.text(), page.fluxbench.text()]
    parts += [label.text() for label in page.steps.messages.values()]
    return "\n".join(parts)


def assert_failed_steps_shown_once(page: BenchmarkPage) -> None:
    text = shown_text(page)
    for step in NETWORK_STEPS:
        message = page.steps.messages[step]
        assert page.steps.bars[step].value() == 0, step  # failed is not a full bar
        assert message.text().startswith("✘ Failed: No "), message.text()
        assert "connection refused" in message.text()
        assert message.property("state") == "bad"
        reason = message.text().removeprefix("✘ Failed: ")
        assert text.count(reason) == 1, reason
    assert text.count("check the internet connection") == 1
    for raw in ("Connect call failed", "ssl:default", "ClientConnectorError", "Errno", "http://"):
        assert raw not in text
    # The steps that worked still show a full bar.
    assert page.steps.bars["eps_single"].value() == 1000


def test_failed_network_steps_show_as_failed_once_in_plain_words(
    qtbot, qt_loop, data_dir: Path, disk: Path
) -> None:
    page = make_page(qtbot, data_dir, disk, endpoints=DEAD)
    report = run_to_end(qtbot, page)
    assert_failed_steps_shown_once(page)
    assert page.status.property("state") == "bad"
    assert page.status.text().startswith("Finished, but Latency, Download, Upload failed")
    assert list(report.warnings).count(ADVICE) == 1

    # After a restart the saved run says the same, from the history alone.
    again = make_page(qtbot, data_dir, disk, endpoints=DEAD)
    assert again.progress.isVisibleTo(again)
    assert again.progress.title() == "Steps of this run"
    assert_failed_steps_shown_once(again)


def settings_page(qtbot, tmp_path: Path, settings: Settings, saves: list[int]) -> SettingsPage:
    page = SettingsPage(
        settings,
        data_dir=tmp_path,
        log_path=tmp_path / "logs" / "fluxdesk.log",
        running_network="mainnet",
        save=lambda: saves.append(1),
        apply_theme=lambda _theme: None,
        tray_available=False,
    )
    qtbot.addWidget(page)
    return page


def test_test_servers_are_set_on_the_settings_page_and_used_by_the_next_run(
    qtbot, tmp_path: Path
) -> None:
    settings = Settings()
    saves: list[int] = []
    page = settings_page(qtbot, tmp_path, settings, saves)
    editor = page.bench_servers
    defaults = NetworkEndpoints()
    assert editor.download.toPlainText().splitlines() == list(defaults.download_urls)
    service = make_bench_service(tmp_path, lambda: bench_servers(settings), "mainnet")
    assert service.current_endpoints() == defaults

    editor.download.setPlainText("https://a.example/file\n\nhttps://b.example/file\n")
    editor.upload.setPlainText("http://127.0.0.1:8/up")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saves == [1]
    assert settings.bench.download_urls == ["https://a.example/file", "https://b.example/file"]
    assert settings.bench.upload_urls == ["http://127.0.0.1:8/up"]
    assert editor.note.property("state") == "ok"
    chosen = service.current_endpoints()
    assert chosen is not None and chosen.upload_urls == ("http://127.0.0.1:8/up",)

    editor.upload.setPlainText("ftp://nope")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert saves == [1]  # nothing saved
    assert editor.note.property("state") == "bad"
    assert "Upload, line 1" in editor.note.text() and "not a web address" in editor.note.text()

    qtbot.mouseClick(editor.defaults_button, Qt.MouseButton.LeftButton)
    assert saves == [1, 1]
    assert settings.bench.download_urls == [] and settings.bench.upload_urls == []
    assert service.current_endpoints() == defaults


def test_benchmark_page_names_its_servers_and_where_to_change_them(
    qtbot, data_dir: Path, disk: Path
) -> None:
    page = make_page(qtbot, data_dir, disk, endpoints=DEAD)
    assert page.servers.text() == (
        "Network test servers: 127.0.0.1 — change them on the Settings page."
    )
    off = make_page(qtbot, data_dir, disk)
    assert off.servers.text() == "The network test is off."


def test_chart_and_table_use_the_same_units() -> None:
    verdict = evaluate(VerdictInputs(8, 4, 16, "amd64", 100.0, 300.0, 500.0, 200.0, 50.0, True))
    row_label = dict(ROWS)
    for tier in verdict.tiers:
        for check in tier.checks:
            if check.unit in ("GiB", "MiB/s", "Mbit/s", "events/s"):
                assert check.unit in row_label[check.requirement], check.requirement
    table_key = {"eps_single": "eps", "eps_all": "eps"}
    for key, name, unit in CHART_FIGURES:
        assert unit in row_label[table_key.get(key, key)]
        assert unit in name
    everything = " ".join([*row_label.values(), *(name for _, name, _ in CHART_FIGURES)])
    for decimal in (" GB", "(GB", " MB", "(MB"):
        assert decimal not in everything

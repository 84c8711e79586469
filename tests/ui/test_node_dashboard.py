"""The node dashboard against the simulated node, one scripted state at a time, through the real
composition (AppMonitorBackend finds the node from HOME's flux.conf, tools on PATH)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QTimer

from app.monitor_backend import AppMonitorBackend, HelperFixes
from app.settings import Settings
from nodectl.monitor.snapshot import NO_WALLET_FLUX_ID
from tests.sim.nodeapi.filekeyring import FileKeyring
from tests.sim.nodeapi.fixhost import SimFixHost, installed_sandbox, remember_node_user
from tests.sim.nodeapi.harness import serve
from tests.sim.nodeapi.localnode import LocalSimNode, local_node
from tests.sim.nodeapi.notify import BOT_TOKEN, Inbox, telegram_app
from tests.sim.nodeapi.states import scripted
from ui.install_service import InstallService, local_sessions
from ui.monitor.dashboard import NodeDashboard
from ui.monitor_service import MonitorService
from ui.pages.local_node import LocalNodePage

pytestmark = pytest.mark.gui


@dataclass
class Rig:
    node: LocalSimNode
    settings: Settings
    backend: AppMonitorBackend
    service: MonitorService
    board: NodeDashboard


@pytest.fixture
def ring(tmp_path: Path) -> Any:
    before = keyring.core._keyring_backend  # None until something asked for the keyring
    ring = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(ring)
    yield ring
    keyring.core._keyring_backend = before


@asynccontextmanager
async def rig(qtbot: Any, root: Path, monkeypatch: pytest.MonkeyPatch,
              state: str = "confirmed", *, installed_by_fluxdesk: bool = False,
              ) -> AsyncIterator[Rig]:
    async with local_node(root, scripted(state)) as node:
        if installed_by_fluxdesk:  # the installer's state names the node user
            remember_node_user(node)
        for key, value in node.env.items():
            monkeypatch.setenv(key, value)
        settings = Settings()
        settings.node_monitor.update({"local_api": node.fluxos_address, "label": "home-1"})
        backend = AppMonitorBackend(settings, node.data_dir, lambda: None)
        service = MonitorService(backend)
        board = NodeDashboard(service)
        qtbot.addWidget(board)
        board.resize(770, 560)
        service.load_nodes()
        board.show()
        try:
            yield Rig(node, settings, backend, service, board)
        finally:
            await service.close()


def run(loop: asyncio.AbstractEventLoop, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    loop.run_until_complete(work())


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def card(r: Rig, title: str) -> tuple[str, str]:
    widget = r.board.cards.cards[title]
    return widget.level.text(), widget.words.text()


# state → (card title, level word, words in it), doctor rules, a command a row shows
EXPECTED: dict[str, tuple[tuple[str, str, str], set[str], str | None]] = {
    "confirmed": (("Node state", "OK", "Confirmed: in the payment queue."), set(), None),
    "syncing": (("Sync", "Problem", "5000 behind"), {"not_synced"}, None),
    "bench_failed": (("Benchmark", "Problem", "Benchmark failed."), {"bench_failed"},
                     "fluxbench-cli restartnodebenchmarks"),
    "dos": (("Node state", "Problem", "DOS: can start again in 420 blocks"), {"dos"}, None),
    "expired": (("Node state", "Problem", "start it from the Nodes page"), {"expired"}, None),
    "fluxos_down": (("Clock drift", "Unknown", "Clock drift unknown."), {"fluxos_down"},
                    "pm2 restart flux"),
    "clock_drift": (("Clock drift", "Problem", "+12.500 s"), {"clock_drift"}, None),
}


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_each_state(qtbot, qasync_loop, tmp_path: Path, monkeypatch, ring, state: str) -> None:
    (title, level, words), rules, command = EXPECTED[state]

    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, state) as r:
            await r.service.poll_all()
            assert card(r, title)[0] == level and words in card(r, title)[1]
            assert set(r.board.doctor.rows) == rules
            shown = [row.command.text() for row in r.board.doctor.rows.values() if row.command]
            assert shown == ([command] if command else [])
            headline = r.board.headline.text()
            if state == "confirmed":
                assert headline.endswith("Nothing wrong found.")
                assert r.board.tabs.tabText(1) == "Doctor"
                # No wallet here: the Flux ID rule did not compare, and the panel says so.
                doctor = r.board.doctor
                assert "not everything could be checked" in doctor.summary.text()
                assert not doctor.not_checked.isHidden()
                assert doctor.not_checked.text().startswith(
                    "Not checked: The node's owner Flux ID is ")
                assert NO_WALLET_FLUX_ID[1] in doctor.not_checked.text()
            elif state in ("syncing", "clock_drift"):  # warnings: it still earns for now
                assert headline.startswith("Earning: confirmed and in the payment queue; 1 warn")
            else:
                assert headline.startswith("Needs attention: ")
            assert r.board.tabs.tabText(1) == (f"Doctor ({len(rules)})" if rules else "Doctor")
            for index in range(r.board.tabs.count()):  # kept for a person to look at
                r.board.tabs.setCurrentIndex(index)
                await asyncio.sleep(0.05)  # let the layouts settle, as a person would see it
                r.board.grab().save(str(tmp_path / f"{state}-{index}.png"))

    run(qasync_loop, scenario)


def test_bench_failure_reason_recheck_until_fixed(qtbot, qasync_loop, tmp_path, monkeypatch,
                                                  ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, "bench_failed") as r:
            await r.service.poll_all()
            row = r.board.doctor.rows["bench_failed"]
            assert "Minimum specs for CUMULUS not met" in row.cause.text()
            assert row.action_button is None and row.copy_button is not None  # no helper yet
            row.recheck_button.click()
            await until(lambda: not row.result.isHidden())
            assert row.result.text().startswith("Checked again: still there.")
            r.node.script.benchmarking = "CUMULUS"
            row.recheck_button.click()
            await until(lambda: not r.board.doctor.fixed.isHidden())
            assert "bench_failed" in r.board.doctor.fixed.text()

    run(qasync_loop, scenario)


def test_log_viewer_follows_and_searches(qtbot, qasync_loop, tmp_path, monkeypatch,
                                         ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            logs = r.board.logs
            r.board.tabs.setCurrentWidget(logs)
            logs.component.setCurrentText("fluxd")
            await until(lambda: "UpdateTip" in logs.text.toPlainText())
            assert logs.timer.isActive()
            with open(r.node.home / ".flux" / "debug.log", "a") as handle:
                handle.write("2026-12-05 08:10:00 ERROR: ReadBlockFromDisk failed\n")
            logs.read_more()
            await until(lambda: "ReadBlockFromDisk" in logs.text.toPlainText())
            logs.search.setText("readblock")
            assert logs.text.toPlainText() == "2026-12-05 08:10:00 ERROR: ReadBlockFromDisk failed"
            assert logs.status.text().startswith("1 matching line")

    run(qasync_loop, scenario)


def test_alert_settings_keyring_test_alert_and_tray(qtbot, qasync_loop, tmp_path, monkeypatch,
                                                    ring) -> None:
    inbox = Inbox()
    notified: list[tuple[str, str, str]] = []

    async def scenario() -> None:
        async with serve(telegram_app(inbox)) as tg_url, \
                rig(qtbot, tmp_path, monkeypatch) as r:
            r.backend.config.telegram_api = tg_url
            r.service.notify.connect(lambda *a: notified.append(a))
            alerts = r.board.alerts
            alerts.token.setText(BOT_TOKEN)
            alerts.chat_id.setText("42")
            alerts.save_button.click()
            await until(lambda: alerts.status.text() == "Alert settings saved.")
            await until(lambda: "Telegram bot token" in alerts.saved.text())
            assert alerts.token.text() == ""
            assert ring.get_password("FluxDesk", "node-monitor/telegram-bot-token") == BOT_TOKEN
            stored = json.dumps(r.settings.node_monitor)
            assert '"42"' in stored and BOT_TOKEN not in stored
            alerts.test_button.click()
            await until(lambda: bool(inbox.messages))
            assert "FluxDesk test alert" in inbox.messages[0]["text"]
            await r.service.poll_all()  # baseline: no event
            r.node.script.expired()
            r.node.fluxos_hits.clear()
            await r.service.poll_all()
            assert ("home-1: problem", "Not started or expired: start it from the Nodes page.",
                    "bad") in notified
            assert any("Nodes page" in m["text"] for m in inbox.messages[1:])
            shown = [alerts.history.item(i).text() for i in range(alerts.history.count())]
            assert any(line.endswith("Not started or expired: start it from the Nodes page.")
                       for line in shown)

    run(qasync_loop, scenario)


def test_bad_alert_token_is_refused_before_the_keyring(qtbot, qasync_loop, tmp_path,
                                                        monkeypatch, ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            alerts = r.board.alerts
            alerts.token.setText("pasted-the-wrong-thing-secret")
            alerts.save_button.click()
            await until(lambda: "not a Telegram bot token" in alerts.status.text())
            assert "secret" not in alerts.status.text()
            assert ring.get_password("FluxDesk", "node-monitor/telegram-bot-token") is None

    run(qasync_loop, scenario)


def test_watchdog_config_gets_the_same_alerts(qtbot, qasync_loop, tmp_path, monkeypatch,
                                              ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            await r.service.load_alerts()
            alerts = r.board.alerts
            assert alerts.watchdog_button.isEnabled()
            alerts.token.setText(BOT_TOKEN)
            alerts.chat_id.setText("42")
            alerts.webhook.setText("https://discord.com/api/webhooks/1090/abc")
            alerts.save_button.click()
            await until(lambda: alerts.status.text() == "Alert settings saved.")
            alerts.watchdog_button.click()
            target = Path(r.node.watchdog_dir) / "config.js"
            await until(target.exists)
            assert alerts.status.text().startswith(f"Wrote {target}.")
            text = target.read_text()
            assert f'telegram_bot_token: "{BOT_TOKEN}"' in text
            assert 'telegram_chat_id: "42"' in text and 'label: "home-1"' in text
            assert 'web_hook_url: "https://discord.com/api/webhooks/1090/abc"' in text
            assert target.stat().st_mode & 0o777 == 0o600

    run(qasync_loop, scenario)


@pytest.mark.parametrize("outcome", ["fixed", "not_fixed"])
def test_doctor_fix_button_runs_the_helpers_operations_then_rechecks(
        qtbot, qasync_loop, tmp_path, monkeypatch, ring, outcome: str) -> None:
    """The button runs the privileged helper's named operation (on the SandboxHost, its effect
    applied to the simulated node), then a fresh poll says fixed or still there."""

    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, installed_by_fluxdesk=True) as r:
            host = SimFixHost(await installed_sandbox(tmp_path / "sandbox"), r.node)
            r.backend.privileged_actions = HelperFixes(host)
            if outcome == "not_fixed":
                host.sandbox.fail["systemctl"] = 1
            r.node.host.units["mongod"] = ("loaded", "inactive", "dead")
            r.node.sync_host()
            await r.service.poll_all()
            row = r.board.doctor.rows["mongod_down"]
            assert row.action_button is not None and row.command is None
            assert row.action_button.text() == "Restart MongoDB"
            r.board.tabs.setCurrentIndex(1)
            assert r.board.grab().save(str(tmp_path / f"fix-offered-{outcome}.png"))
            row.action_button.click()
            if outcome == "fixed":
                await until(lambda: not r.board.doctor.fixed.isHidden())
                assert "mongod_down: MongoDB is inactive" in r.board.doctor.fixed.text()
            else:
                await until(lambda: "still there" in row.result.text())
                assert r.board.doctor.fixed.isHidden()
                assert row.result.text().startswith("Restart MongoDB: not done.")
            assert ("root", ("systemctl", "restart", "mongod")) in host.sandbox.commands
            assert r.board.grab().save(str(tmp_path / f"fix-{outcome}.png"))
        assert host.closed  # quitting stops the helper

    run(qasync_loop, scenario)


def test_a_fix_needs_a_known_node_user_for_pm2(qtbot, qasync_loop, tmp_path, monkeypatch,
                                                ring) -> None:
    """Without the installer's node user FluxOS cannot be restarted as it: the row shows the
    command to run instead of a button."""

    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, "fluxos_down") as r:
            host = SimFixHost(await installed_sandbox(tmp_path / "sandbox"), r.node)
            r.backend.privileged_actions = HelperFixes(host)
            await r.service.poll_all()
            row = r.board.doctor.rows["fluxos_down"]
            assert row.action_button is None and row.command is not None
            assert row.command.text() == "pm2 restart flux"

    run(qasync_loop, scenario)


def test_remote_nodes_add_and_remove(qtbot, qasync_loop, tmp_path, monkeypatch, ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            await r.service.poll_all()
            remotes = r.board.remotes
            remotes.address.setText("not-an-ip")
            remotes.add_button.click()
            await until(lambda: "not a node address" in remotes.status.text())
            remotes.address.setText(r.node.fluxos_address)
            remotes.add_button.click()
            key = f"remote:{r.node.fluxos_address}"
            await until(lambda: key in r.service.results)
            assert r.settings.node_monitor["remote_nodes"] == [r.node.fluxos_address]
            r.board.node_picker.setCurrentIndex(r.board.node_picker.findData(key))
            assert card(r, "Node state")[0] == "OK"
            assert r.board.logs.status.text().startswith("Logs are only readable")
            remotes.list.setCurrentRow(0)
            remotes.remove_button.click()
            await until(lambda: r.service.node(key) is None)
            assert r.settings.node_monitor["remote_nodes"] == []
            assert r.board.current_key == "local"

    run(qasync_loop, scenario)


def test_page_shows_dashboard_once_a_node_is_watched(qtbot, qasync_loop, tmp_path, monkeypatch,
                                                     ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            install = InstallService(local_sessions(r.node.data_dir), r.node.data_dir, "mainnet")
            page = LocalNodePage(install, r.service)
            qtbot.addWidget(page)
            assert page.stack.currentWidget() is page.dashboard
            assert page.dashboard is not None
            page.dashboard.installer_button.click()
            assert page.stack.currentIndex() == 0
            assert page.monitor_button.text() == "Back to the monitor"
            page.monitor_button.click()
            assert page.stack.currentWidget() is page.dashboard

    run(qasync_loop, scenario)


def test_no_horizontal_scrolling_at_960x640(qtbot, qasync_loop, tmp_path, monkeypatch,
                                            ring) -> None:
    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch, "bench_failed") as r:
            r.board.resize(960 - 190, 640 - 80)  # the main window minus sidebar and bars
            await r.service.poll_all()
            for index in (0, 1, 3):
                r.board.tabs.setCurrentIndex(index)
                qtbot.wait(20)
                area = r.board.tabs.currentWidget()
                inner = area.widget()
                assert inner.minimumSizeHint().width() <= area.viewport().width(), index

    run(qasync_loop, scenario)


def test_a_poll_keeps_the_gui_responsive(qtbot, qasync_loop, tmp_path, monkeypatch, ring,
                                         record_property) -> None:
    """The loop keeps turning during a poll (a blocking poll would let no tick through); the
    longest stall is recorded here and measured in `make bench` (bench.bench_gui_monitor)."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    async def scenario() -> None:
        async with rig(qtbot, tmp_path, monkeypatch) as r:
            timer.start()
            began = time.perf_counter()
            await r.service.poll_all()
            ended = time.perf_counter()
            timer.stop()
            during = [t for t in ticks if began <= t <= ended]
            assert len(during) >= 2
            gaps = [b - a for a, b in itertools.pairwise(during)]
            record_property("longest_stall_ms", round(max(gaps, default=0) * 1000, 1))

    run(qasync_loop, scenario)


def test_keyring_untouched_until_a_node_is_watched(qtbot, qasync_loop, tmp_path, monkeypatch,
                                                   ring) -> None:
    """Some keyrings ask for a password when first opened: not at every start of the app."""
    reads: list[str] = []
    real_get = ring.get_password
    monkeypatch.setattr(ring, "get_password", lambda s, u: reads.append(u) or real_get(s, u))
    monkeypatch.setenv("HOME", str(tmp_path / "nobody"))
    monkeypatch.setenv("FLUXD_CONFIG_PATH", "")

    async def scenario() -> None:
        async with local_node(tmp_path / "sim") as node:
            backend = AppMonitorBackend(Settings(), tmp_path / "data", lambda: None)
            service = MonitorService(backend)
            service.load_nodes()
            assert service.nodes == ()
            service.start()
            await asyncio.sleep(0.3)
            assert reads == []
            added = service.add_remote(node.fluxos_address)
            await added
            assert reads and service.results
            await service.close()

    run(qasync_loop, scenario)


def test_page_builds_before_the_loop_runs(qtbot, tmp_path, monkeypatch) -> None:
    """The window is built before the loop starts: a watched node must not need it yet."""
    home = tmp_path / "home"
    (home / ".flux").mkdir(parents=True)
    (home / ".flux" / "flux.conf").write_text("rpcuser=u\nrpcpassword=p\nrpcport=9\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("FLUXD_CONFIG_PATH", "")
    service = MonitorService(AppMonitorBackend(Settings(), tmp_path / "data", lambda: None))
    service.load_nodes()
    install = InstallService(local_sessions(tmp_path / "data"), tmp_path / "data", "mainnet")
    page = LocalNodePage(install, service)
    qtbot.addWidget(page)
    assert page.stack.currentWidget() is page.dashboard
    assert page.dashboard is not None and page.dashboard.checked.text() == "Checking the node…"

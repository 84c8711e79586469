"""The setup page driving the real one-click flow (tests/nodesetup's World: tests/sim, the
simulated node, the sandbox install) through the app's own composition: wallet model and setup
service on the engine loop, the page on the GUI thread. Every step is shown and photographed;
the collateral is refused once (failure, Retry), then approved in the review dialog; the page is
left mid-way and a new service and page built from the same files resume it to CONFIRMED."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.paths import DataPaths
from app.services import Services
from app.setup_gui import SetupUi, build_setup_ui
from app.setup_wiring import Setup
from app.wallet_wiring import WalletUi, build_wallet_ui
from flux.money import COIN
from nodesetup.flow import SetupFlow
from nodesetup.model import ORDER, StepId
from tests.nodesetup import conftest as setup_fixtures
from tests.nodesetup.harness import World
from tests.ui.wallet.conftest import sim_services
from tests.wallet.test_wallet_sim import PASSWORD
from ui.concurrency import Engine
from ui.main_window import MainWindow
from ui.pages.setup import SetupPage
from ui.setup_service import STEPS, SetupSnapshot
from ui.theme import apply_theme
from ui.wallet.overview import OverviewPage
from wallet.storage.crypto import KdfParams

pytestmark = pytest.mark.gui
# The one-click fixtures (tests/nodesetup/conftest.py): simulator, node, bootstrap, World.
sim, node, bootstrap_server = setup_fixtures.sim, setup_fixtures.node, setup_fixtures.bootstrap_server
world = setup_fixtures.world


async def until(done: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Let Qt and the test's loop (where the servers live) run until ``done``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not done():
        QApplication.processEvents()
        assert loop.time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


class Rig:
    """The app's composition around one World: wallet UI, setup UI and a main window."""

    def __init__(self, world: World, engine: Engine, qtbot: QtBot, data_dir: Path) -> None:
        self.world, self.engine, self.qtbot, self.data_dir = world, engine, qtbot, data_dir
        self.services: Services = sim_services(
            data_dir, world.sim, KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8))
        self.shots = data_dir.parent / "screens"
        self.shots.mkdir(exist_ok=True)
        self.gui_threads: set[threading.Thread] = set()
        self.wallet: WalletUi
        self.setup: SetupUi
        self.window: MainWindow

    def build(self) -> None:
        apply_theme(QApplication.instance(), "light")  # type: ignore[arg-type]
        self.wallet = build_wallet_ui(self.services, self.engine)

        async def ports() -> Setup:
            return self.world.setup_for_loop(self.wallet.service, self.data_dir)

        self.setup = build_setup_ui(self.services, self.wallet, self.engine, make_ports=ports,
                                    wait=self.world.wait)
        self.setup.service.snapshot_changed.connect(
            lambda _snap: self.gui_threads.add(threading.current_thread()))
        self.window = MainWindow([*self.wallet.pages, self.setup.page], QWidget().windowIcon(),
                                 network="regtest")
        self.wallet.attach_window(self.window)
        self.setup.attach_window(self.window, self.wallet)
        self.qtbot.addWidget(self.window)
        self.window.resize(1000, 860)
        self.window.show()
        self.window.show_page("setup")

    @property
    def page(self) -> SetupPage:
        assert isinstance(self.setup.page, SetupPage)
        return self.setup.page

    @property
    def snap(self) -> SetupSnapshot:
        return self.setup.service.snapshot

    def shot(self, name: str, widget: QWidget | None = None) -> None:
        for _ in range(3):  # word-wrapped labels settle their height in a second pass
            QApplication.processEvents()
        assert (widget or self.window).grab().save(str(self.shots / f"{name}.png"))

    async def unlock(self) -> None:
        await self.wallet.model.unlock(PASSWORD)
        await until(self.page.start_button.isEnabled, "the unlocked wallet")

    async def close(self) -> None:
        await self.setup.service.close()
        self.wallet.model.lock()
        await self.wallet.model.close()
        self.window.close()


async def walk(rig: Rig, seen: dict[StepId, int], stop: Callable[[SetupSnapshot], bool]) -> None:
    """Follow the run and photograph every step: its latest view while it works or waits (or
    its result, for a step that never had to)."""
    last: list[object] = [None]

    def progressed() -> bool:
        snap = rig.snap
        view = snap.view
        if view is not None and view is not last[0]:
            last[0] = view
            if view.status != "advanced" or view.step not in seen:
                seen[view.step] = seen.get(view.step, 0) + 1
                number = ORDER.index(view.step) + 1
                rig.shot(f"step-{number}-{view.step.value}")
        return stop(snap)

    await until(progressed, "the setup to get on", timeout=240)


@pytest.mark.asyncio
async def test_setup_wizard_runs_every_step_to_confirmed_and_resumes(
        world: World, engine: Engine, qtbot: QtBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    service = await world.new_wallet()
    await service.close()
    data_dir = tmp_path / "app"
    target = DataPaths(data_dir).wallet("regtest", "default")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(world.wallet_store().path, target)
    flow_threads: set[threading.Thread] = set()
    advance = SetupFlow.advance

    async def recorded(flow: SetupFlow):  # type: ignore[no-untyped-def]
        flow_threads.add(threading.current_thread())
        return await advance(flow)

    monkeypatch.setattr(SetupFlow, "advance", recorded)

    rig = Rig(world, engine, qtbot, data_dir)
    rig.build()
    page = rig.page
    rig.shot("0-locked")
    assert page.unlock.isVisible() and not page.start_button.isEnabled()
    await rig.unlock()
    assert page.start_button.text() == "Start the setup"
    page.tier.setCurrentIndex(page.tier.findData("CUMULUS"))
    page.tier.activated.emit(page.tier.currentIndex())
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    seen: dict[StepId, int] = {}

    # The collateral is offered for approval; the first time the person says no.
    await walk(rig, seen, lambda s: page.dialog is not None and page.dialog.isVisible())
    assert rig.snap.step == StepId.COLLATERAL
    rig.shot("approval-dialog", page.dialog)
    page.dialog.cancel_button.click()
    await until(lambda: rig.snap.failure is not None and not rig.snap.running, "the failure")
    rig.shot("failed-not-approved")
    assert "not approved" in page.card.failure.text()
    assert page.card.retry_button.isVisible() and page.card.retry_button.isEnabled()
    assert page.steps.rows[StepId.COLLATERAL][2].text() == "needs you"
    assert page.steps.rows[StepId.BENCHMARK][2].text() == "done"
    assert len(world.offers) == 0  # the GUI's approval, not the harness's, was asked

    qtbot.mouseClick(page.card.retry_button, Qt.MouseButton.LeftButton)
    await until(lambda: page.dialog is not None and page.dialog.isVisible(), "the offer again")
    dialog = page.dialog
    assert dialog is not None
    offer = dialog.offer
    assert offer.amount == 1_000 * COIN
    assert offer.address in dialog.fields["to1"].text()
    assert "1,000" in dialog.fields["amount"].text() or "1000" in dialog.fields["amount"].text()
    assert dialog.fields["fee"].text() and dialog.fields["change"].text()
    qtbot.mouseClick(dialog.broadcast_button, Qt.MouseButton.LeftButton)

    # Install while the collateral matures; leave in the middle of the sync.
    await walk(rig, seen, lambda s: s.step == StepId.SYNC and s.view is not None
               and s.view.status == "waiting")
    overview = next(p for p in rig.wallet.pages if isinstance(p, OverviewPage))
    assert overview.setup_line.text().startswith("Node setup: step 5 of 7")
    rig.window.show_page("wallet")
    rig.shot("wallet-overview-line")
    overview.setup_line.linkActivated.emit("setup")
    assert rig.window.current_page_id() == "setup"
    # The wallet locks (by hand or when idle): the setup pauses, and the unlock resumes it.
    rig.wallet.model.lock()
    await until(lambda: not rig.snap.running
                and page.note.text() == "Paused: unlock the wallet to continue.", "the lock")
    assert rig.snap.step == StepId.SYNC and rig.snap.failure is None
    assert page.unlock.isVisible()
    assert overview.setup_line.text().startswith(
        "Node setup: step 5 of 7, Chain sync and fluxbench: paused, unlock the wallet")
    rig.shot("paused-locked")
    await rig.wallet.model.unlock(PASSWORD)
    await until(lambda: rig.snap.running, "the run resumed by the unlock")
    kept = rig.setup.service.store.load()
    assert kept.failure is None and kept.step == StepId.SYNC and kept.outpoint is not None
    qtbot.mouseClick(page.pause_button, Qt.MouseButton.LeftButton)
    await until(lambda: not rig.snap.running, "the pause")
    rig.shot("paused")
    assert "Paused" in page.note.text()
    await rig.close()

    # A new app run: the page reads where the setup stood from its file and goes on from there.
    again = Rig(world, engine, qtbot, data_dir)
    again.build()
    again.gui_threads = rig.gui_threads
    await until(lambda: again.snap.started, "the state file read")
    assert again.snap.step == StepId.SYNC
    assert again.page.steps.rows[StepId.INSTALL][2].text() == "done"
    assert again.page.steps.rows[StepId.SYNC][2].text() == "paused"
    # The person paused it: the new run says so and waits for them, even once unlocked
    # (a run killed or locked mid-step goes on by itself: tests/ui/test_setup_resume.py).
    await until(lambda: again.page.note.text().startswith("Paused by you."), "the paused note")
    assert again.page.start_button.text() == "Continue the setup"
    again.shot("reopened-paused")
    await again.wallet.model.unlock(PASSWORD)
    await until(again.page.start_button.isEnabled, "Continue enabled by the unlock")
    assert not again.snap.running and again.snap.paused
    qtbot.mouseClick(again.page.start_button, Qt.MouseButton.LeftButton)
    await until(lambda: again.snap.running, "the run continued by the person")
    await walk(again, seen, lambda s: s.done and not s.running)
    again.shot("done")
    assert world.model.confirmed
    assert again.page.card.title.text() == "Your FluxNode is CONFIRMED"
    assert "dashboard and alerts" in again.page.card.user_can.text()
    assert all(again.page.steps.rows[s][2].text() == "done" for s in STEPS)
    assert set(seen) >= set(STEPS)
    assert len(world.offers) == 0
    # The GUI-thread rule: the flow ran only on the engine, the page got snapshots only on
    # the GUI thread.
    assert flow_threads == {engine.thread}
    assert again.gui_threads == {threading.main_thread()}
    await again.close()

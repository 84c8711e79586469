""""Start over" on the setup page: a confirmation that says what is kept and what is
forgotten; Cancel changes nothing, "Start over" forgets the state file only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.gui import Gui
from nodesetup.model import Failure, SetupState, StepId
from nodesetup.store import SetupStore
from ui.pages.setup import SetupPage

pytestmark = pytest.mark.gui

TXID = "cd" * 32


def failed_setup(data_dir: Path) -> SetupStore:
    """What a run that failed at the install leaves in the data dir (tests' screenshots too)."""
    store = SetupStore.in_data_dir(data_dir)
    store.save(SetupState(step=StepId.INSTALL, tier="NIMBUS", bench_best="NIMBUS",
                          collateral_txid=TXID, collateral_index=0, alias="fluxnode",
                          failure=Failure("Install step 'flux_packages' failed: apt failed",
                                          ["Check the network, then retry."])))
    return store


@pytest.fixture
def gui(qtbot: QtBot, qapp: QApplication, data_dir: Path,
        qasync_loop: asyncio.AbstractEventLoop) -> Iterator[Gui]:
    failed_setup(data_dir)
    ctx = AppContext(data_dir=data_dir, network="regtest", settings=settings.load(data_dir),
                     log_path=data_dir / "logs" / "fluxdesk.log",
                     logger=logging.getLogger("test"))
    gui = Gui(ctx, qapp)
    qtbot.addWidget(gui.window)
    yield gui
    qasync_loop.run_until_complete(gui.closer.wait())


def spin(loop: asyncio.AbstractEventLoop, done: Callable[[], bool], what: str) -> None:
    async def wait() -> None:
        end = loop.time() + 10
        while not done():
            assert loop.time() < end, f"timed out waiting for {what}"
            await asyncio.sleep(0.01)

    loop.run_until_complete(wait())


def test_start_over_confirms_what_is_kept_then_forgets_the_progress_only(
        gui: Gui, data_dir: Path, qasync_loop: asyncio.AbstractEventLoop) -> None:
    store = SetupStore.in_data_dir(data_dir)
    gui.window.show()
    gui.window.show_page("setup")
    page = gui.window.stack.currentWidget()
    assert isinstance(page, SetupPage)
    spin(qasync_loop, page.card.failure.isVisible, "the failed run shown")
    assert page.steps.rows[StepId.INSTALL][2].text() == "needs you"
    assert page.start_over_button.isVisible()

    page.start_over_button.click()
    box = page.start_over_dialog
    assert box is not None and box.isVisible()
    assert box.grab().save(str(data_dir.parent / "start-over.png"))  # to look at
    words = box.informativeText()
    for kept in ("node entry", "collateral coin", "node software installed"):
        assert kept in words.split("Forgotten")[0]
    assert "progress" in words.split("Forgotten")[1]
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert box.defaultButton() is cancel
    cancel.click()
    spin(qasync_loop, lambda: not box.isVisible(), "the dialog closed")
    assert store.exists() and store.load().failure is not None  # Cancel changed nothing

    page.start_over_button.click()
    box = page.start_over_dialog
    assert box is not None and page.start_over_confirm is not None
    page.start_over_confirm.click()
    spin(qasync_loop, lambda: not gui.setup.service.snapshot.started, "the reset")
    assert not store.exists()
    assert [p.name for p in data_dir.iterdir() if p.name.startswith("node-setup")] == []
    assert not page.card.failure.isVisible() and not page.start_over_button.isVisible()
    assert page.start_button.text() == "Start the setup"
    assert page.steps.rows[StepId.INSTALL][2].text() == "to do"
    assert page.steps.rows[StepId.BENCHMARK][2].text() == "to do"

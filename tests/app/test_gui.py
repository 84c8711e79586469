"""Quitting the app closes every service (wallet, benchmark, installer) and the engine loop."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings
from app.context import AppContext
from app.gui import Gui

pytestmark = pytest.mark.gui


def test_quit_awaits_close_of_every_service(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, qasync_loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = AppContext(data_dir=data_dir, network="mainnet", settings=settings.load(data_dir),
                     log_path=data_dir / "fluxdesk.log", logger=logging.getLogger("test"))
    gui = Gui(ctx, qapp)
    qtbot.addWidget(gui.window)
    closed: list[str] = []
    for name, service in (("wallet", gui.wallet.model), ("bench", gui.bench),
                          ("install", gui.install)):
        real = service.close

        async def close(real=real, name=name) -> None:  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.01)  # really awaited, not just called
            await real()
            closed.append(name)

        monkeypatch.setattr(service, "close", close)
    gui.closer.arm()
    QTimer.singleShot(0, gui.quit)
    qasync_loop.run_forever()  # until the app quits; aboutToQuit starts the closing
    assert gui.closer.started
    qasync_loop.run_until_complete(gui.closer.wait())
    assert sorted(closed) == ["bench", "install", "wallet"]
    assert not gui.engine.thread.is_alive()

"""The concurrency rule for the wallet (ui/concurrency.py): every WalletService call made for the
send, history and lock paths runs on the engine thread, never on the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.history import HistoryPage
from ui.wallet.overview import OverviewPage
from ui.wallet.review import ReviewDialog
from ui.wallet.security import SecurityPage
from ui.wallet.send import SendPage
from wallet.service import WalletService
from wallet.state import WalletStatus

pytestmark = pytest.mark.gui

Calls = list[tuple[str, str]]


def record_threads(service: WalletService, calls: Calls) -> None:
    """From now on, note (name, thread) of every public method call and property read."""

    class Recording(type(service)):  # type: ignore[misc]
        def __getattribute__(self, name: str) -> Any:
            value = super().__getattribute__(name)
            if name.startswith("_"):
                return value
            if not callable(value):
                calls.append((name, threading.current_thread().name))
                return value

            def called(*args: Any, **kwargs: Any) -> Any:
                calls.append((name, threading.current_thread().name))
                return value(*args, **kwargs)

            return called

    service.__class__ = Recording


def page(sw: SimWallet, qtbot: QtBot, kind: type) -> Any:
    found = next(p for p in sw.ui.pages if isinstance(p, kind))
    qtbot.addWidget(found)
    found.show()
    return found


def test_send_history_and_lock_paths_call_the_service_only_on_the_engine_thread(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    sw = sim_wallet
    calls: Calls = []
    record_threads(sw.ui.service, calls)
    overview: OverviewPage = page(sw, qtbot, OverviewPage)
    history: HistoryPage = page(sw, qtbot, HistoryPage)
    # Unlock and the first sync (the history path).
    overview.unlock_form.password.setText(GOOD_PASSWORD)
    overview.unlock_form.unlock_button.click()
    sw.run(lambda: history.model.rowCount() == 3)
    # A send: review, then broadcast.
    send: SendPage = page(sw, qtbot, SendPage)
    send.address.setText(sw.sim.faucet.address)
    send.amount.setText("1.5")
    send.review_button.click()
    sw.run(lambda: send.dialog is not None and send.dialog.isVisible())
    dialog = send.dialog
    assert isinstance(dialog, ReviewDialog)
    dialog.broadcast_button.click()
    sw.run(lambda: not send.sent.isHidden() or bool(send.error.text()))
    assert not send.error.text()
    sw.run(lambda: history.model.rowCount() == 4)
    # Lock from the Security page.
    security: SecurityPage = page(sw, qtbot, SecurityPage)
    security.lock_button.click()
    assert sw.ui.model.state == WalletStatus.LOCKED
    sw.complete(sw.engine.run(lambda: None))  # the lock has run

    names = {name for name, _ in calls}
    assert {"open", "sync", "prepare_send", "send", "lock"} <= names
    threads = {thread for _, thread in calls}
    assert threads == {sw.engine.thread.name}, [c for c in calls if c[1] != sw.engine.thread.name]

"""WalletQt: the only object wallet views talk to. Signals out, coroutines in, no blocking.

It wraps a `WalletEngine` — an async, Qt-free wallet facade the composition root builds (app/
adapts the wallet package to it). Everything slow (key derivation, signing, network) happens in the
engine's coroutines or its worker threads, so the GUI thread only ever waits in `await`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

from ui.wallet.history_model import HistoryRow, prepare_rows
from ui.wallet.models import (
    AddressRow,
    Balances,
    CoinRow,
    ConnectionInfo,
    ConsolidationPlan,
    ContactRow,
    Review,
    SendRequest,
    WalletState,
)
from wallet.errors import BroadcastUncertain, WalletError

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
T = TypeVar("T")


class WalletEngine(Protocol):
    """What the views need from the wallet; implemented in app/ on top of the wallet package."""

    network_name: str
    currency: str

    def state(self) -> WalletState: ...
    def can_spend(self) -> bool: ...
    def is_remembered(self) -> bool: ...
    async def unlock(self, password: str) -> None: ...
    async def unlock_remembered(self) -> None: ...
    def lock(self) -> None: ...
    def touch(self) -> None: ...
    def check_idle(self) -> bool: ...
    async def sync(self, progress: Progress) -> None: ...
    def connection(self) -> ConnectionInfo: ...
    def balances(self) -> Balances: ...
    def history(self) -> list[HistoryRow]: ...
    def coins(self) -> list[CoinRow]: ...
    def addresses(self) -> list[AddressRow]: ...
    def contacts(self) -> list[ContactRow]: ...
    async def set_contacts(self, contacts: Sequence[ContactRow]) -> None: ...
    def receive_address(self) -> str: ...
    async def new_receive_address(self) -> str: ...
    async def set_label(self, key: str, label: str) -> None: ...
    async def set_frozen(self, outpoints: Sequence[tuple[str, int]], frozen: bool) -> None: ...
    async def prepare_send(self, request: SendRequest) -> Review: ...
    async def broadcast(self, review: Review) -> str: ...
    async def plan_consolidation(self) -> ConsolidationPlan: ...
    async def consolidate(self, plan: ConsolidationPlan) -> list[str]: ...
    async def change_password(self, old: str, new: str) -> None: ...
    async def reveal_seed(self, password: str) -> str: ...
    async def export_backup(self, target: Path, password: str) -> None: ...
    def auto_lock_minutes(self) -> int: ...
    async def set_auto_lock_minutes(self, minutes: int) -> None: ...
    def explorer_url(self, txid: str) -> str: ...
    def check_address(self, address: str) -> tuple[bool, str]:
        """(valid for this wallet's network?, a short note for the person)."""
        ...


class WalletQt(QObject):
    """Qt face of the wallet: re-emits engine changes as signals, runs requests as coroutines."""

    state_changed = Signal(str)
    data_changed = Signal()
    history_changed = Signal()
    connection_changed = Signal(object)
    busy_changed = Signal(bool, str)
    error = Signal(str)
    broadcasted = Signal(str)
    wizard_requested = Signal()
    coin_selection_changed = Signal()
    labels_changed = Signal()

    def __init__(
        self, engine: WalletEngine, *, poll_seconds: float = 30.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self._history: list[HistoryRow] = []
        self._sync_task: asyncio.Future[None] | None = None
        self._state = engine.state()
        # Coins picked on the Coins page for the next send (coin control); empty = automatic.
        self.coin_selection: frozenset[tuple[str, int]] = frozenset()
        self._idle = QTimer(self)
        self._idle.setInterval(15_000)
        self._idle.timeout.connect(self._check_idle)
        self._idle.start()
        self._poll = QTimer(self)
        self._poll.setInterval(int(poll_seconds * 1000))
        self._poll.timeout.connect(self._poll_tick)

    # --- state -----------------------------------------------------------------------------

    @property
    def state(self) -> WalletState:
        return self._state

    @property
    def history_rows(self) -> list[HistoryRow]:
        return self._history

    def _set_state(self, state: WalletState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(str(state))
        if state == WalletState.UNLOCKED:
            self._poll.start()
        else:
            self._poll.stop()

    def refresh_state(self) -> None:
        """Re-read the engine's state (after the wizard created a wallet, for instance)."""
        self._set_state(self.engine.state())

    def _check_idle(self) -> None:
        if self._state == WalletState.UNLOCKED and self.engine.check_idle():
            self._set_state(WalletState.LOCKED)

    def touch(self) -> None:
        if self._state == WalletState.UNLOCKED:
            self.engine.touch()

    def _poll_tick(self) -> None:
        if self._sync_task is None or self._sync_task.done():
            self.sync()

    # --- requests --------------------------------------------------------------------------

    async def unlock(self, password: str, *, remembered: bool = False) -> None:
        """Unlock (KDF runs in the engine's worker thread), then sync. Errors propagate."""
        self.busy_changed.emit(True, self.tr("Unlocking…"))
        try:
            if remembered:
                await self.engine.unlock_remembered()
            else:
                await self.engine.unlock(password)
        finally:
            self.busy_changed.emit(False, "")
        self._set_state(WalletState.UNLOCKED)
        self.data_changed.emit()
        self.sync()

    def lock(self) -> None:
        self.engine.lock()
        self._history = []
        self._set_state(self.engine.state())
        self.history_changed.emit()

    @Slot()
    def sync(self) -> asyncio.Future[None]:
        """Refresh from the chain, one run at a time; returns the running (or new) task.

        The task is created here, not inside a coroutine, so `wait_synced` right after an unlock
        always finds it. Errors become connection state, not dialogs.
        """
        if self._sync_task is None or self._sync_task.done():
            self._sync_task = asyncio.ensure_future(self._run_sync())
        return self._sync_task

    async def wait_synced(self) -> None:
        if self._sync_task is not None:
            await asyncio.shield(self._sync_task)

    async def _run_sync(self) -> None:
        if self.engine.state() != WalletState.UNLOCKED:
            return
        self.connection_changed.emit(ConnectionInfo(self.tr("Synchronising…"), None, syncing=True))
        try:
            await self.engine.sync(self._progress)
        except WalletError as exc:
            log.warning("wallet sync failed: %s", exc)
            self.connection_changed.emit(ConnectionInfo(str(exc), False))
            return
        rows = self.engine.history()
        await prepare_rows(rows)
        self._history = rows
        self.connection_changed.emit(self.engine.connection())
        self.history_changed.emit()
        self.data_changed.emit()

    def _progress(self, text: str) -> None:
        self.connection_changed.emit(ConnectionInfo(text, None, syncing=True))

    async def prepare_send(self, request: SendRequest) -> Review:
        self.touch()
        self.busy_changed.emit(True, self.tr("Building the review…"))
        try:
            return await self.engine.prepare_send(request)
        finally:
            self.busy_changed.emit(False, "")

    async def broadcast(self, review: Review) -> str:
        self.touch()
        self.busy_changed.emit(True, self.tr("Broadcasting…"))
        try:
            txid = await self.engine.broadcast(review)
        except BroadcastUncertain:
            # The engine holds it as pending: refresh so history and balances show that before
            # the page explains why the payment must not be sent again.
            await self._after_change()
            raise
        finally:
            self.busy_changed.emit(False, "")
        self.broadcasted.emit(txid)
        await self._after_change()
        return txid

    async def _after_change(self) -> None:
        self.data_changed.emit()
        await self.sync()

    def select_coins(self, outpoints: Sequence[tuple[str, int]]) -> None:
        self.coin_selection = frozenset(outpoints)
        self.coin_selection_changed.emit()

    def _mutate(self, change: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        """Run an engine change; pages refresh once it is done. Failures reach the error signal
        (the change did not happen, so nothing on screen has to be undone)."""

        async def run() -> T:
            try:
                result = await change
            except WalletError as exc:
                self.error.emit(str(exc))
                raise
            self.data_changed.emit()
            return result

        self.touch()
        return asyncio.ensure_future(run())

    def set_frozen(
        self, outpoints: Sequence[tuple[str, int]], frozen: bool
    ) -> asyncio.Future[None]:
        return self._mutate(self.engine.set_frozen(outpoints, frozen))

    def set_label(self, key: str, label: str) -> asyncio.Future[None]:
        for row in self._history:
            if row.txid == key:
                row.label = label
                row.prepare()
                self.labels_changed.emit()
        return self._mutate(self.engine.set_label(key, label))

    def new_receive_address(self) -> asyncio.Future[str]:
        return self._mutate(self.engine.new_receive_address())

    def set_contacts(self, contacts: Sequence[ContactRow]) -> asyncio.Future[None]:
        return self._mutate(self.engine.set_contacts(contacts))

    async def plan_consolidation(self) -> ConsolidationPlan:
        self.touch()
        return await self.engine.plan_consolidation()

    async def consolidate(self, plan: ConsolidationPlan) -> list[str]:
        self.touch()
        self.busy_changed.emit(True, self.tr("Consolidating…"))
        try:
            txids = await self.engine.consolidate(plan)
        finally:
            self.busy_changed.emit(False, "")
        await self._after_change()
        return txids

    async def change_password(self, old: str, new: str) -> None:
        self.touch()
        await self.engine.change_password(old, new)

    async def reveal_seed(self, password: str) -> str:
        self.touch()
        return await self.engine.reveal_seed(password)

    async def export_backup(self, target: Path, password: str) -> None:
        self.touch()
        await self.engine.export_backup(target, password)

    def set_auto_lock_minutes(self, minutes: int) -> asyncio.Future[None]:
        return self._mutate(self.engine.set_auto_lock_minutes(minutes))


class ActivityWatcher(QObject):
    """Counts keyboard and mouse input anywhere in the app as wallet activity (auto-lock idles
    from the last input, not from the last wallet request); at most one touch per interval."""

    def __init__(self, service: WalletQt, interval: float = 15.0) -> None:
        super().__init__(service)
        self._service = service
        self._interval = interval
        self._last = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            now = time.monotonic()
            if now - self._last >= self._interval:
                self._last = now
                self._service.touch()
        return False


_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
})

"""WalletModel: the one Qt model of the wallet. Pages talk only to it.

It wraps a `wallet.service.WalletService` that lives on the engine loop (ui/concurrency.py): every
request goes there with ``await engine.call(...)``, and what comes back is an immutable
`wallet.state.WalletState` snapshot, which pages read on the GUI thread. Types pass through
unchanged: a page builds a `wallet.send.SendRequest`, gets a `wallet.send.Review` back, and hands
that same review to `broadcast`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from qasync import asyncSlot

from ui.concurrency import Engine
from ui.wallet.engine_work import closing, nothing, sender, state_rows, sync_and_rows
from ui.wallet.history_model import HistoryRow
from wallet.errors import BroadcastUncertain, WalletError
from wallet.service import WalletService
from wallet.state import Connection, ContactInfo, WalletState, WalletStatus
from wallet.storage.model import WalletDocument

if TYPE_CHECKING:
    # Types only: building and signing a send load with the first one (or the Send page).
    from wallet.send import Review, SendRequest

log = logging.getLogger(__name__)
T = TypeVar("T")
Outpoint = tuple[str, int]
# Chooses and sets the service's chain backend once a wallet is open (app/services.py); runs on
# the engine loop and returns a sentence for the status bar.
Connect = Callable[[WalletService], Awaitable[str]]
# Where a person can look a transaction up; networks without a public explorer have none.
EXPLORER_TX_URLS = {"mainnet": "https://explorer.runonflux.io/tx/{txid}"}

FEE_PRESETS = (
    ("slow", "Economy (may take longer)"),
    ("normal", "Normal"),
    ("fast", "Fast"),
)


class WalletModel(QObject):
    """Signals out, coroutines in; the GUI thread never touches the service itself."""

    state_changed = Signal(str)  # a WalletStatus value
    data_changed = Signal()  # a new snapshot
    history_changed = Signal()
    connection_changed = Signal(object)  # Connection
    busy_changed = Signal(bool, str)
    error = Signal(str)
    broadcasted = Signal(str)
    wizard_requested = Signal()
    coin_selection_changed = Signal()
    labels_changed = Signal()

    def __init__(
        self, service: WalletService, engine: Engine, connect: Connect, *,
        poll_seconds: float = 30.0, parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        # The store (a path and how to read its header) is read here; the service never is.
        self._store = service.store
        self._engine = engine
        self._connect = connect
        self.network = service.network  # immutable network parameters
        self.currency = service.network.currency_unit
        self.snapshot: WalletState | None = None
        self.history_rows: list[HistoryRow] = []
        self.connection = Connection("Not connected", None)
        # The last sync's failure in full ("" after a sync that worked) and when one last worked
        # in this session (0 = not yet): the overview shows stale figures with both.
        self.sync_error = ""
        self.last_synced = 0.0
        self._status = WalletStatus.LOCKED if self._store.exists() else WalletStatus.NONE
        self._sync_task: asyncio.Future[None] | None = None
        # Bumped by lock(): a request that started before it must not bring the snapshot back.
        self._epoch = 0
        # Coins picked on the Coins page for the next send (coin control); empty = automatic.
        self.coin_selection: frozenset[Outpoint] = frozenset()
        self._idle = QTimer(self)
        self._idle.setInterval(15_000)
        self._idle.timeout.connect(self._check_idle)
        self._idle.start()
        self._poll = QTimer(self)
        self._poll.setInterval(int(poll_seconds * 1000))
        self._poll.timeout.connect(self._poll_tick)

    # --- reading (GUI thread, snapshots only) ----------------------------------------------

    @property
    def state(self) -> WalletStatus:
        return self._status

    @property
    def wallet_path(self) -> Path:
        """The wallet file (its name is all that can be read while it is locked)."""
        return Path(self._store.path)

    def is_remembered(self) -> bool:
        try:
            return self._store.is_remembered()
        except WalletError:
            return False

    def explorer_url(self, txid: str) -> str:
        template = EXPLORER_TX_URLS.get(self.network.name, "")
        return template.format(txid=txid) if template else ""

    def check_address(self, address: str) -> tuple[bool, str]:
        """(valid for this wallet's network?, a short note for the person)."""
        from wallet.address import decode_address_for  # with the Send page, not at start

        try:
            decode_address_for(address, self.network)
        except WalletError as exc:
            return False, str(exc)
        contacts = self.snapshot.contacts if self.snapshot else ()
        name = next((c.name for c in contacts if c.address == address), None)
        return True, f"✓ {name}" if name else "✓ valid address"

    # --- the engine side -------------------------------------------------------------------

    async def _call(self, work: Callable[[WalletService], Awaitable[T]]) -> T:
        """Run `work(service)` on the engine loop; take the snapshot it leaves behind."""

        async def on_engine() -> tuple[T, WalletState | None, WalletStatus]:
            result = await work(self._service)
            return result, self._service.state, self._service.status

        epoch = self._epoch
        result, snapshot, status = await self._engine.call(on_engine())
        if epoch != self._epoch and status == WalletStatus.UNLOCKED:
            snapshot, status = None, WalletStatus.LOCKED
        self._take(snapshot, status)
        return result

    def _take(self, snapshot: WalletState | None, status: WalletStatus) -> None:
        if status != WalletStatus.UNLOCKED:
            snapshot = None
        changed = snapshot is not self.snapshot
        labels = self.snapshot.labels if self.snapshot else None
        self.snapshot = snapshot
        self._set_status(status)
        if changed:
            if snapshot is not None and labels is not None and snapshot.labels != labels:
                self.labels_changed.emit()
            self.data_changed.emit()

    def _set_status(self, status: WalletStatus) -> None:
        if status != self._status:
            self._status = status
            if status != WalletStatus.UNLOCKED:
                self.snapshot = None
                self.history_rows = []
                self.sync_error, self.last_synced = "", 0.0
                self.history_changed.emit()
            self.state_changed.emit(str(status))
        if status == WalletStatus.UNLOCKED:
            self._poll.start()
        else:
            self._poll.stop()

    @asyncSlot()
    async def _check_idle(self) -> None:
        if self._status != WalletStatus.UNLOCKED:
            return
        if await self._engine.run(self._service.lock_if_idle):
            self._set_status(WalletStatus.LOCKED if self._store.exists()
                             else WalletStatus.NONE)

    def touch(self) -> None:
        if self._status == WalletStatus.UNLOCKED:
            self._engine.submit(self._service.touch)

    def _poll_tick(self) -> None:
        if self._sync_task is None or self._sync_task.done():
            self.sync()

    # --- lifecycle -------------------------------------------------------------------------

    async def unlock(self, password: str, *, remembered: bool = False) -> None:
        """Unlock (KDF in a worker thread of the engine), connect, then sync. Errors propagate."""

        async def work(service: WalletService) -> str:
            if remembered:
                await service.open_remembered()
            else:
                await service.open(password)
            return await self._connect(service)

        await self._opened(work)

    async def create(
        self, document: WalletDocument, password: str, *, remember: bool = False
    ) -> str:
        """Write a new wallet file (one key derivation) and open it, as `unlock` does. Returns
        why remembering it on this device failed ("" when it did not)."""
        problem = ""

        async def work(service: WalletService) -> str:
            nonlocal problem
            await service.create_from(document, password)
            if remember:
                # The wallet exists either way; a keyring problem only means asking for the
                # password next time.
                try:
                    service.remember_on_device()
                except WalletError as exc:
                    problem = str(exc)
            return await self._connect(service)

        await self._opened(work)
        return problem

    async def _opened(self, work: Callable[[WalletService], Awaitable[str]]) -> None:
        self.busy_changed.emit(True, self.tr("Unlocking…"))
        try:
            reason = await self._call(work)
        finally:
            self.busy_changed.emit(False, "")
        self.connection = Connection(reason, None)
        self.connection_changed.emit(self.connection)
        if self.snapshot is not None and self.snapshot.as_of is not None:
            # The file's last known view, until the first sync answers (or while none can).
            self.history_rows = await self._call(state_rows)
            self.history_changed.emit()
        self.sync()

    async def reconnect(self) -> None:
        """Choose the server again (the Servers settings changed), then sync with it."""
        if self._status != WalletStatus.UNLOCKED:
            return
        if self._sync_task is not None and not self._sync_task.done():
            # The running sync uses the backend about to be closed: let it end first.
            with contextlib.suppress(WalletError):
                await asyncio.shield(self._sync_task)
        reason = await self._call(self._connect)
        self.connection = Connection(reason, None)
        self.connection_changed.emit(self.connection)
        await self.sync()

    def lock(self) -> None:
        """Forget the keys: the engine drops them between two of its steps; the window shows
        the lock screen at once."""
        self._epoch += 1
        self._engine.submit(self._service.lock)
        self._set_status(WalletStatus.LOCKED)

    async def refresh_state(self) -> None:
        """Re-read the status (after the wizard wrote a wallet of another network, say)."""
        await self._call(nothing)

    async def close(self) -> None:
        """Close the backend's connections on the engine loop."""
        self._idle.stop()
        self._poll.stop()
        await self._call(closing)

    # --- sync ------------------------------------------------------------------------------

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
        if self._status != WalletStatus.UNLOCKED:
            return
        server = self.snapshot.backend if self.snapshot else self.tr("the server")
        self.connection_changed.emit(Connection(
            self.tr("Synchronising with %s…") % server, None, syncing=True))
        try:
            rows = await self._call(sync_and_rows)
        except WalletError as exc:
            log.warning("wallet sync failed: %s", exc)
            self.sync_error = str(exc)
            self.connection_changed.emit(Connection(str(exc), False))
            return
        self.sync_error = ""
        self.last_synced = time.time()
        self.history_rows = rows
        snapshot = self.snapshot
        if snapshot is not None:
            self.connection = Connection(f"Connected to {snapshot.backend}", True,
                                         tip_height=snapshot.tip)
        self.connection_changed.emit(self.connection)
        self.history_changed.emit()

    # --- sending ---------------------------------------------------------------------------

    async def prepare_send(
        self, request: SendRequest, coins: Collection[Outpoint] | None = None
    ) -> Review:
        self.touch()
        self.busy_changed.emit(True, self.tr("Building the review…"))
        try:
            return await self._call(lambda s: s.prepare_send(request, coins))
        finally:
            self.busy_changed.emit(False, "")

    async def broadcast(self, review: Review) -> str:
        self.touch()
        self.busy_changed.emit(True, self.tr("Broadcasting…"))
        try:
            txid = await self._call(lambda s: s.send(review))
        except BroadcastUncertain:
            # The service holds it as pending: refresh so history and balances show that before
            # the page explains why the payment must not be sent again.
            await self._after_change()
            raise
        finally:
            self.busy_changed.emit(False, "")
        self.broadcasted.emit(txid)
        await self._after_change()
        return txid

    async def consolidation_reviews(self) -> list[Review]:
        self.touch()
        return await self._call(lambda s: s.consolidation_reviews())

    async def consolidate(self, reviews: Sequence[Review]) -> list[str]:
        self.touch()
        self.busy_changed.emit(True, self.tr("Consolidating…"))
        try:
            txids = [await self._call(sender(review)) for review in reviews]
        finally:
            self.busy_changed.emit(False, "")
        await self._after_change()
        return txids

    async def _after_change(self) -> None:
        await self.sync()

    # --- edits -----------------------------------------------------------------------------

    def select_coins(self, outpoints: Sequence[Outpoint]) -> None:
        self.coin_selection = frozenset(outpoints)
        self.coin_selection_changed.emit()

    def _mutate(self, change: Callable[[WalletService], T]) -> asyncio.Future[T]:
        """Run a plain change on the engine; failures reach the error signal (the change did
        not happen, so nothing on screen has to be undone)."""

        async def work(service: WalletService) -> T:
            return change(service)

        async def run() -> T:
            try:
                return await self._call(work)
            except WalletError as exc:
                self.error.emit(str(exc))
                raise

        self.touch()
        return asyncio.ensure_future(run())

    def set_frozen(self, outpoints: Sequence[Outpoint], frozen: bool) -> asyncio.Future[None]:
        chosen = list(outpoints)

        def freeze_all(service: WalletService) -> None:
            for outpoint in chosen:
                service.freeze(outpoint, frozen)

        return self._mutate(freeze_all)

    def set_label(self, key: str, label: str) -> asyncio.Future[None]:
        for row in self.history_rows:
            if row.txid == key:
                row.label = label
                row.prepare()
                self.labels_changed.emit()
        return self._mutate(lambda s: s.set_label(key, label))

    def new_receive_address(self) -> asyncio.Future[str]:
        return self._mutate(lambda s: s.new_receive_address())

    def set_contacts(self, contacts: Sequence[ContactInfo]) -> asyncio.Future[None]:
        chosen = tuple(contacts)
        return self._mutate(lambda s: s.set_contacts(chosen))

    def set_auto_lock_minutes(self, minutes: int) -> asyncio.Future[None]:
        return self._mutate(lambda s: s.set_auto_lock_minutes(minutes))

    # --- security --------------------------------------------------------------------------

    async def change_password(self, old: str, new: str) -> None:
        self.touch()
        await self._call(lambda s: s.change_password(old, new))

    async def reveal_seed(self, password: str) -> str:
        self.touch()
        return await self._call(lambda s: s.reveal_seed(password))

    async def export_backup(self, target: Path, password: str) -> None:
        self.touch()
        await self._call(lambda s: s.export_backup(target, password))

"""FluxDesk's one concurrency rule, in one place.

* The GUI thread runs Qt and the qasync loop. It only draws, reacts to input and reads immutable
  snapshots (``wallet.state.WalletState``, bench reports, install events). It never calls a
  service's method directly and never waits except in ``await``.
* Every service (wallet, benchmark, installer) runs on ONE engine loop, an asyncio loop in one
  worker thread (`Engine`). Qt models reach it with ``await engine.call(coro)`` (or `run` for a
  plain function, `submit` for fire-and-forget such as lock and touch). A service is owned by
  that loop, so its mutable state needs no locks. Long pure-Python work (a 10 000-transaction
  sync) competes with the GUI only for the GIL, which Python hands over every few milliseconds.
  Work that releases the GIL (KDF, disk tests) goes to ``asyncio.to_thread`` inside the service.
* Cyclic garbage collection runs only on the GUI thread (`collect_on_gui_thread`), so Qt objects
  are never destroyed from the engine thread; big allocations are frozen out of later passes
  (`allocating_many`).
* Quitting: ``aboutToQuit`` starts `Closer.close_all`, which awaits every registered service's
  ``close()`` and then stops the engine; `run_gui` waits for it before the loop closes. (qasync's
  ``run_until_complete`` also ends a Qt event loop and so emits ``aboutToQuit``: the closer acts
  on it only once `arm()`-ed, right before the application's own ``run_forever``.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
T = TypeVar("T")

ENGINE_THREAD_NAME = "fluxdesk-engine"


class Engine:
    """The one loop thread every service runs on."""

    def __init__(self, name: str = ENGINE_THREAD_NAME) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # Before a second thread runs Python code: collection moves to the GUI thread.
            collect_on_gui_thread(app)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def in_engine(self) -> bool:
        return threading.current_thread() is self._thread

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the engine loop; await its result from the caller's loop.

        Cancelling the caller cancels the engine's task and waits until it has really ended
        (its cleanup, e.g. removing a benchmark's temporary file, has run), then re-raises.
        """
        if self.in_engine():
            return await coro
        result: concurrent.futures.Future[T] = concurrent.futures.Future()
        started: list[asyncio.Task[T]] = []

        def start() -> None:
            task = self.loop.create_task(coro)
            started.append(task)
            task.add_done_callback(lambda t: _settle(result, t))

        def cancel() -> None:
            # `start` ran first: the engine loop runs its callbacks in order.
            started[0].cancel()

        self.loop.call_soon_threadsafe(start)
        waiter = asyncio.wrap_future(result)
        try:
            return await asyncio.shield(waiter)
        except asyncio.CancelledError:
            if not result.done():
                self.loop.call_soon_threadsafe(cancel)
                await asyncio.wait([waiter])
            raise

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the engine loop (serialised with its coroutines)."""

        async def wrapper() -> T:
            return fn(*args)

        return await self.call(wrapper())

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Fire and forget (lock, touch: the GUI must not wait for a sync step to end)."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(fn, *args)

    def stop(self, timeout: float = 5.0) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


async def on_engine(engine: Engine | None, coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` on the engine loop (on the caller's loop when there is no engine: a service
    tested alone). A Qt service keeps its own state and signals on the GUI thread and sends only
    the domain work (a benchmark run, an install session) here."""
    if engine is None:
        return await coro
    return await engine.call(coro)


def _settle(result: concurrent.futures.Future[T], task: asyncio.Task[T]) -> None:
    if task.cancelled():
        result.cancel()
    elif (error := task.exception()) is not None:
        result.set_exception(error)
    else:
        result.set_result(task.result())


class Closable(Protocol):
    async def close(self) -> None: ...


class Closer(QObject):
    """Awaits every service's close() once the application is about to quit."""

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._services: list[Closable] = []
        self._task: asyncio.Future[None] | None = None
        self.armed = False

    def register(self, service: Closable) -> None:
        self._services.append(service)

    def attach(self, app: QApplication) -> None:
        app.aboutToQuit.connect(self._about_to_quit)

    def arm(self) -> None:
        self.armed = True

    def _about_to_quit(self) -> None:
        if self.armed:
            self.start()

    @property
    def started(self) -> bool:
        return self._task is not None

    def start(self) -> asyncio.Future[None]:
        if self._task is None:
            self._task = asyncio.ensure_future(self.close_all())
        return self._task

    async def close_all(self) -> None:
        for service in reversed(self._services):
            try:
                await service.close()
            except Exception:
                log.exception("closing %s failed", type(service).__name__)
        self._engine.stop()

    async def wait(self) -> None:
        await self.start()


@contextmanager
def allocating_many() -> Iterator[None]:
    """Around work that allocates hundreds of thousands of objects (a full sync, the history
    rows): no collector pass in between, and the survivors are frozen out of later passes, which
    would otherwise hold the GIL long enough to freeze the window."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


_GC_PROPERTY = "fluxdesk_gui_gc"
GC_INTERVAL_MS = 500


class _GuiThreadCollector(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._timer = QTimer(self)
        self._timer.setInterval(GC_INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        # The interpreter's own rule: a generation is collected once its count passes its
        # threshold (the approach qutebrowser uses).
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


def collect_on_gui_thread(app: QApplication) -> None:
    """Idempotent: the first call per QApplication takes collection over from the interpreter,
    so the engine thread never destroys unreachable Qt objects (Qt would then stop timers from
    the wrong thread and may crash)."""
    if app.property(_GC_PROPERTY):
        return
    app.setProperty(_GC_PROPERTY, True)
    gc.disable()
    _GuiThreadCollector(app)

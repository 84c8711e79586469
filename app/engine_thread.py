"""A private asyncio loop in a worker thread, where the wallet engine runs.

A full sync of a big wallet parses and classifies thousands of transactions between two awaits;
on the GUI's loop that is a frozen window for hundreds of milliseconds. On this loop the work
competes with the GUI thread only for the GIL, which Python hands over every few milliseconds.
Everything that touches the WalletService or its backend (aiohttp sessions are bound to the loop
that created them) runs here, one callback at a time, so its state needs no further locking.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class EngineThread:
    def __init__(self, name: str = "wallet-engine") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the engine loop; await its result from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the engine loop (serialised with its coroutines)."""

        async def wrapper() -> T:
            return fn(*args)

        return await self.call(wrapper())

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Fire and forget (e.g. locking: the caller must not wait for a sync step to end)."""
        self.loop.call_soon_threadsafe(fn, *args)

    def stop(self, timeout: float = 5.0) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self.loop.close()

"""The one background job a service runs at a time (a benchmark, an install)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class SingleTask:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        """Schedule ``work``; the caller checks ``active`` first, as only the latest is kept."""
        self._task = asyncio.ensure_future(work)

    def cancel(self) -> None:
        if self.active:
            assert self._task is not None
            self._task.cancel()

    async def wait(self) -> None:
        """Until the job (if any) has finished, failed or been cancelled."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def stop(self) -> None:
        """At quit: cancel the job (if any) and wait until it has stopped."""
        self.cancel()
        await self.wait()

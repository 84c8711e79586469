"""Reading a set of addresses' history page by page, for sync.

A full read asks every page the first one announces (a bounded number in flight) and reads
them all again when the history changed meanwhile; a refresh reads from the newest page until
one holds nothing new.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from wallet.backends.base import ChainBackend, HistoryItem, HistoryPage
from wallet.errors import BackendResponseError
from wallet.sync_state import SyncState

log = logging.getLogger(__name__)

# Backends cap pages to what they serve (Insight 50); fluxd returns up to this many at once.
HISTORY_PAGE = 1000
# Far beyond any personal wallet; a server claiming more (or paging absurdly small) is refused
# instead of being asked for millions of pages.
MAX_HISTORY_ITEMS = 200_000
MAX_HISTORY_PAGES = 5_000
# Page requests created at once; the semaphore bounds the ones in flight.
PAGE_BATCH = 64
# Hex of whole transactions kept from history pages during one sync (~100 MB); a personal
# wallet's is far smaller, and a server padding its pages only loses the shortcut.
MAX_PAGE_RAW_CHARS = 100_000_000
# Full reads of the history when it keeps changing under the reader; past them the next
# refresh picks up what moved.
HISTORY_PASSES = 3


class HistoryReader:
    """Pages of one backend, through the sync's gate (requests in flight)."""

    def __init__(self, backend: ChainBackend, gate: asyncio.Semaphore) -> None:
        self._backend = backend
        self._gate = gate
        # Hex of the page copies of transactions this sync holds (see MAX_PAGE_RAW_CHARS).
        self._raw_chars = 0

    def start(self, backend: ChainBackend) -> None:
        """A new sync (on the sync's backend of the moment): the page-copy budget starts again."""
        self._backend = backend
        self._raw_chars = 0

    async def items(
        self, st: SyncState, addresses: list[str], *, stop_early: bool
    ) -> list[HistoryItem]:
        first = await self._page(addresses, 0)
        items = list(first.items)
        if stop_early:
            page = first
            while not self.page_settles(st, page.items) and page.next_start is not None:
                page = await self._page(addresses, page.next_start)
                items += page.items
            return items
        for _ in range(HISTORY_PASSES):
            pages = await self._rest_of(addresses, first)
            # Newest pass first: _read_history keeps the first copy of each txid.
            items = [item for page in pages for item in page.items] + items
            if all(page.total == first.total for page in pages):
                return items
            # New transactions push older ones onto later pages (a dropped one pulls them
            # up), so a page read after the change can skip one: read all pages again.
            log.info("%s: the history changed while it was read; reading again", self._backend.name)
            first = await self._page(addresses, 0)
            items = list(first.items) + items
        return items

    async def _rest_of(self, addresses: list[str], first: HistoryPage) -> list[HistoryPage]:
        """The pages after `first`, as many as its total announces."""
        step = len(first.items)
        starts = range(step, first.total, step) if step else range(0)
        if first.total > MAX_HISTORY_ITEMS or len(starts) > MAX_HISTORY_PAGES:
            raise BackendResponseError(
                f"{self._backend.name} claims {first.total:,} transactions for this wallet's "
                f"addresses in pages of {step}; FluxDesk reads at most {MAX_HISTORY_ITEMS:,} "
                f"in {MAX_HISTORY_PAGES:,} pages. The server is probably broken: switch to "
                "another server."
            )
        pages: list[HistoryPage] = []
        for n in range(0, len(starts), PAGE_BATCH):
            batch = starts[n : n + PAGE_BATCH]
            pages += await asyncio.gather(*(self._page(addresses, s) for s in batch))
        return pages

    async def _page(self, addresses: Sequence[str], start: int) -> HistoryPage:
        async with self._gate:
            page = await self._backend.history(addresses, start=start, limit=HISTORY_PAGE)
        self._raw_chars += sum(len(item.raw or "") for item in page.items)
        if self._raw_chars <= MAX_PAGE_RAW_CHARS:
            return page
        # Past the budget the page copies are dropped; the few a wallet needs come raw.
        return replace(page, items=[replace(item, raw=None) for item in page.items])

    @staticmethod
    def page_settles(st: SyncState, items: Sequence[HistoryItem]) -> bool:
        """True when nothing on the page is new or changed and it reaches confirmed txs."""
        if not items:
            return True
        for item in items:
            known = st.txs.get(item.txid.lower())
            if known is None or known.confirmed != item.confirmed:
                return False
            if item.height is not None and known.height != item.height:
                return False
        return any(item.confirmed for item in items)

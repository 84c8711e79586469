"""The work WalletModel sends to the engine loop (ui/concurrency.py): each function takes the
WalletService and runs there, never on the GUI thread. Building history rows happens here too,
because a big wallet has tens of thousands of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ui.concurrency import allocating_many
from ui.wallet.history_model import HistoryRow, prepare_rows, rows_from_history
from wallet.service import WalletService

if TYPE_CHECKING:
    from wallet.send import Review


def sender(review: Review) -> Callable[[WalletService], Awaitable[str]]:
    return lambda service: service.send(review)


async def closing(service: WalletService) -> None:
    await service.close()


async def nothing(service: WalletService) -> None:
    return None


async def state_rows(service: WalletService) -> list[HistoryRow]:
    state = service.state
    if state is None:
        return []
    rows = rows_from_history(state.history, state.labels)
    await prepare_rows(rows)
    return rows


async def sync_and_rows(service: WalletService) -> list[HistoryRow]:
    """On the engine: sync, then the table rows of the new history (built there, not on the
    GUI thread, because a big wallet has tens of thousands)."""
    with allocating_many():
        state = await service.sync()
        rows = rows_from_history(state.history, state.labels)
        await prepare_rows(rows)
    return rows

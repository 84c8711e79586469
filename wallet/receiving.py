"""Which receive address an HD wallet shows, and how "New address" hands out a fresh one.

The address shown is the first unused one, or, once the person asked for a new address, that
address until coins arrive on it. Its index is kept in the wallet file (`Account.fresh_receive`)
so that closing and reopening FluxDesk shows the same address, never an earlier one a payer may
already have; `receive_count` covers it, so every sync watches it.
"""

from __future__ import annotations

from wallet.keychain import RECEIVE
from wallet.storage.model import Account
from wallet.sync_state import SyncState, check_watchable

NO_FRESH = -1


def current_receive_index(account: Account | None, sync: SyncState | None) -> int:
    """The receive index to show now. Before any sync this session the file's counts decide:
    `receive_count` covers every address known used, and a fresh index is cleared by the sync
    that sees it used, so neither was ever seen used."""
    if account is None:
        return sync.handout_index(RECEIVE) if sync is not None else 0
    fresh = _fresh(account)
    if sync is not None:
        return sync.handout_index(RECEIVE, max(fresh, 0))
    return account.receive_count if fresh == NO_FRESH else fresh


def hand_out_receive(account: Account, sync: SyncState | None) -> int:
    """Hand out the next receive index nobody was given yet and make it the one shown; the
    caller saves the document. AddressNotWatched when no sync would look at it."""
    if sync is not None:
        index = sync.handout_index(RECEIVE, account.receive_count)
    else:
        index = account.receive_count
    index = check_watchable(max(index, account.receive_count))
    account.receive_count = index + 1
    account.fresh_receive = index
    return index


def forget_used_fresh(account: Account, next_unused: int) -> bool:
    """Once coins arrived on the handed-out address (sync saw it used) the first unused one is
    shown again; True when the document changed."""
    fresh = _fresh(account)
    if fresh != account.fresh_receive or (fresh != NO_FRESH and next_unused > fresh):
        account.fresh_receive = NO_FRESH
        return True
    return False


def _fresh(account: Account) -> int:
    """The stored fresh index, or NO_FRESH when there is none or it is not one this wallet
    handed out (a hand-edited file): sync watches only below `receive_count`."""
    fresh = account.fresh_receive
    return fresh if 0 <= fresh < account.receive_count else NO_FRESH

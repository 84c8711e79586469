""""New address" survives a restart: the handed-out address stays the one shown (offline and
after a sync) until coins arrive on it, and sync watches it."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.wallet.memchain import MemoryChain
from tests.wallet.test_service import PASSWORD, make_store, restored
from wallet.errors import BackendUnavailable
from wallet.keychain import RECEIVE
from wallet.receiving import NO_FRESH, current_receive_index, forget_used_fresh
from wallet.service import WalletService
from wallet.storage.model import Account


class DownChain(MemoryChain):
    """No server answers."""

    async def tip_height(self) -> int:
        raise BackendUnavailable("no server could be reached")


async def reopened(tmp_path: Path, chain: MemoryChain) -> WalletService:
    service = WalletService(make_store(tmp_path), chain, network="testnet")
    await service.open(PASSWORD)
    return service


@pytest.mark.asyncio
async def test_new_address_is_shown_again_after_a_restart_until_coins_arrive(
    tmp_path: Path,
) -> None:
    chain = MemoryChain(TESTNET)
    service = await restored(tmp_path, chain)
    kc = service.keychain
    chain.fund(kc.derive(RECEIVE, 0).address, 2 * COIN)
    await service.sync()
    assert service.receive_address() == kc.derive(RECEIVE, 1).address
    fresh = service.new_receive_address()
    assert fresh == kc.derive(RECEIVE, 2).address
    assert service.state is not None and service.state.receive_address == fresh
    service.lock()

    # Offline after the restart: the same address, from the file alone.
    offline = await reopened(tmp_path, DownChain(TESTNET))
    assert offline.receive_address() == fresh
    assert offline.state is not None and offline.state.receive_address == fresh
    offline.lock()

    # Online after the restart: still the same (address 1 is unused, yet earlier).
    again = await reopened(tmp_path, chain)
    state = await again.sync()
    assert state.receive_address == again.receive_address() == fresh
    # Coins arrive on it: sync watches it and then shows the next unused address.
    chain.fund(fresh, 3 * COIN)
    state = await again.sync()
    assert state.balances.total == 5 * COIN
    assert state.receive_address == kc.derive(RECEIVE, 3).address
    assert again.document.accounts[0].fresh_receive == NO_FRESH
    again.lock()
    last = await reopened(tmp_path, DownChain(TESTNET))
    assert last.receive_address() == kc.derive(RECEIVE, 3).address


@pytest.mark.asyncio
async def test_a_second_new_address_moves_on_and_both_are_watched(tmp_path: Path) -> None:
    chain = MemoryChain(TESTNET)
    service = await restored(tmp_path, chain)
    await service.sync()
    first = service.new_receive_address()
    second = service.new_receive_address()
    assert first != second == service.receive_address()
    service.lock()
    chain.fund(first, 1 * COIN)  # the payer used the older one
    again = await reopened(tmp_path, chain)
    state = await again.sync()
    assert state.balances.total == 1 * COIN
    assert state.receive_address == second


def test_a_hand_edited_fresh_index_is_ignored() -> None:
    account = Account(0, "Account 1", receive_count=3, fresh_receive=7)
    assert current_receive_index(account, None) == 3
    assert forget_used_fresh(account, 0) and account.fresh_receive == NO_FRESH
    account.fresh_receive = 1
    assert current_receive_index(account, None) == 1
    assert not forget_used_fresh(account, 1) and forget_used_fresh(account, 2)

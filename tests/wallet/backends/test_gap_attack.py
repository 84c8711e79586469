"""Gap-limit attack: a server that says every address was paid must not make the wallet walk to
its address cap, save absurd counts, or show an address it does not watch."""

from __future__ import annotations

import pytest

from flux.http import RetryPolicy
from flux.networks import TESTNET
from tests.wallet.backends.conftest import start
from tests.wallet.backends.liars import GapLiar
from tests.wallet.memchain import MemoryChain
from wallet.backends.insight import InsightBackend
from wallet.errors import AddressNotWatched
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import DEFAULT_GAP_LIMIT, MAX_NEW_ADDRESSES_PER_SYNC, SyncState, WalletSync
from wallet.sync_state import MAX_ADDRESSES_PER_CHAIN, check_watchable

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
FAST = RetryPolicy(rounds=1, total_timeout=5.0)


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="testnet"))


async def sync_against(liar: GapLiar):
    runner, url = await start(liar.app())
    try:
        async with InsightBackend([url + "/api"], retry=FAST) as backend:
            sync = WalletSync(keychain(), backend)
            state = await sync.sync()
            first = (dict(state.scanned), state.handout_index)
            # An incremental sync updates the same state object.
            again = await sync.sync(state)
            return first, again
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_zero_value_outputs_to_every_address_do_not_count_as_use() -> None:
    liar = GapLiar(network=TESTNET, value=0)
    (scanned, _), state = await sync_against(liar)
    # Discovery stopped at the first window: 0-value outputs are not payments.
    assert state.last_used == {RECEIVE: -1, CHANGE: -1}
    assert scanned == {RECEIVE: DEFAULT_GAP_LIMIT, CHANGE: DEFAULT_GAP_LIMIT}
    assert state.scanned == scanned
    assert state.handout_index(RECEIVE) == 0
    # The made-up 0-value outputs are no coins either.
    assert state.utxos == []


@pytest.mark.asyncio
async def test_paid_looking_outputs_to_every_address_grow_discovery_a_bounded_step() -> None:
    liar = GapLiar(network=TESTNET, value=1)
    (scanned, _), state = await sync_against(liar)
    for chain in (RECEIVE, CHANGE):
        assert scanned[chain] <= MAX_NEW_ADDRESSES_PER_SYNC
        assert state.scanned[chain] <= 2 * MAX_NEW_ADDRESSES_PER_SYNC
        # The wallet hands out an index it watches, or refuses to hand one out.
        try:
            index = state.handout_index(chain)
        except AddressNotWatched as exc:
            assert "does not watch it" in str(exc)
        else:
            assert index < state.scanned[chain]


def test_an_index_past_the_scanned_window_is_never_handed_out() -> None:
    state = SyncState()
    state.scanned = {RECEIVE: 40, CHANGE: 20}
    state.last_used = {RECEIVE: 38, CHANGE: 19}
    assert state.handout_index(RECEIVE) == 39
    with pytest.raises(AddressNotWatched, match="does not watch it"):
        state.handout_index(CHANGE)
    with pytest.raises(AddressNotWatched):
        state.handout_index(RECEIVE, at_least=40)


@pytest.mark.asyncio
async def test_addresses_the_wallet_handed_out_are_all_watched_after_one_sync() -> None:
    """The per-sync bound limits what a server's claims add, not what the file says was shown."""
    chain = MemoryChain(TESTNET)
    handed_out = MAX_NEW_ADDRESSES_PER_SYNC + 500
    sync = WalletSync(keychain(), chain, handed_out={RECEIVE: handed_out, CHANGE: 0})
    state = await sync.sync()
    assert state.scanned[RECEIVE] == handed_out + DEFAULT_GAP_LIMIT
    assert state.handout_index(RECEIVE, at_least=handed_out) == handed_out


def test_without_a_sync_no_index_past_the_cap_is_handed_out() -> None:
    check_watchable(MAX_ADDRESSES_PER_CHAIN - 1)
    with pytest.raises(AddressNotWatched):
        check_watchable(MAX_ADDRESSES_PER_CHAIN)

"""Invented deposits: a made-up transaction whose hash matches its txid, listed as confirmed by
one server, must not count as a spendable coin unless a second source has it in its block."""

from __future__ import annotations

import pytest

from flux.http import RetryPolicy
from flux.money import COIN
from flux.networks import REGTEST
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.wallet.backends.conftest import start
from tests.wallet.backends.liars import FixedHistory, invented_tx
from wallet.address import script_pubkey_for_address
from wallet.backends.base import Trust
from wallet.backends.insight import InsightBackend
from wallet.backends.witness import InsightWitness
from wallet.keychain import RECEIVE, Keychain
from wallet.state import coins_and_balances
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import WalletSync
from wallet.txmodel import Transaction, TxOut

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
FAST = RetryPolicy(rounds=1, total_timeout=5.0)


def keychain() -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))


async def liar_with(sim: SimNetwork, real_txid: str, invented: Transaction) -> FixedHistory:  # noqa: F811
    """A server that lists a real sim transaction and an invented one, both confirmed."""
    liar = FixedHistory(tip=sim.height)
    async with InsightBackend([sim.insight_url], retry=FAST) as honest:
        liar.raw[real_txid] = await honest.raw_transaction(real_txid)
    liar.heights[real_txid] = sim.height - 1
    liar.add(invented, sim.height - 1)
    return liar


@pytest.mark.asyncio
async def test_an_invented_confirmed_deposit_is_not_spendable_when_a_second_server_lacks_it(
    sim: SimNetwork,  # noqa: F811
) -> None:
    address = keychain().derive(RECEIVE, 0).address
    real = sim.fund(address, 2 * COIN, confirmations=2)
    invented = invented_tx([TxOut(50 * COIN, script_pubkey_for_address(address, REGTEST))])
    liar = await liar_with(sim, real.txid, invented)
    runner, url = await start(liar.app())
    try:
        async with InsightBackend([url + "/api", sim.insight_url], retry=FAST) as backend:
            assert await backend.tip_height() == sim.height  # the liar answers first
            sync = WalletSync(keychain(), backend, witness=InsightWitness(backend))
            state = await sync.sync()
    finally:
        await runner.cleanup()
    by_txid = {u.txid: u for u in state.utxos}
    assert by_txid[real.txid].trust is Trust.VERIFIED
    fake = by_txid[invented.txid]
    assert fake.trust is Trust.DISPUTED and fake.confirmations == 0 and fake.height is None
    coins, balances = coins_and_balances(state.utxos, locked=(), frozen=())
    assert balances.spendable == 2 * COIN
    assert balances.unverified == 50 * COIN
    assert not next(c for c in coins if c.txid == invented.txid).spendable


@pytest.mark.asyncio
async def test_with_one_server_coins_are_marked_single_source(sim: SimNetwork) -> None:  # noqa: F811
    address = keychain().derive(RECEIVE, 0).address
    real = sim.fund(address, 2 * COIN, confirmations=2)
    async with InsightBackend([sim.insight_url], retry=FAST) as backend:
        state = await WalletSync(keychain(), backend, witness=InsightWitness(backend)).sync()
    (coin,) = state.utxos
    assert coin.txid == real.txid and coin.trust is Trust.SINGLE_SOURCE
    _, balances = coins_and_balances(state.utxos, locked=(), frozen=())
    # Counted, and said: the state carries how much rests on one server's word.
    assert balances.spendable == 2 * COIN and balances.unverified == 2 * COIN

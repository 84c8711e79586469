"""Money-path attacks and failures against tests/sim: lying coin lists, unclear broadcasts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from flux.money import COIN
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.backends.base import Utxo
from wallet.backends.broadcast_errors import explain_broadcast_error
from wallet.backends.insight import InsightBackend
from wallet.errors import BackendMismatch, BackendUnavailable, BroadcastUncertain
from wallet.keychain import RECEIVE, Keychain
from wallet.send import Review, SendRequest
from wallet.service import WalletService
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import WalletSync

from .test_wallet_sim import (
    FAST_RETRY,
    MNEMONIC,
    dead_url,
    fund_wallet,
    seed_keychain,
    service_for,
)


def stranger_address() -> str:
    document = WalletDocument(kind=HdSeed(MNEMONIC, "stranger"), network="regtest")
    return Keychain.from_document(document).derive(RECEIVE, 0).address


class StrangerCoinBackend(InsightBackend):
    """Lists a stranger's real, verifiable coin as if it paid the first address asked about."""

    def __init__(self, url: str, stranger: Utxo, *, claim_address: bool) -> None:
        super().__init__([url], retry=FAST_RETRY)
        self.stranger = stranger
        self.claim_address = claim_address

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        listed = await super().utxos(addresses)
        claimed = addresses[0] if self.claim_address else ""
        return [*listed, replace(self.stranger, address=claimed, script_pubkey=b"")]


@pytest.mark.asyncio
@pytest.mark.parametrize("claim_address", [True, False])
async def test_a_strangers_real_coin_listed_as_ours_is_refused(
    sim: SimNetwork, claim_address: bool  # noqa: F811
) -> None:
    fund_wallet(sim)
    stranger = stranger_address()
    sim.fund(stranger, 50 * COIN)
    honest = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    try:
        (coin,) = await honest.utxos([stranger])
    finally:
        await honest.close()
    backend = StrangerCoinBackend(sim.insight_url, coin, claim_address=claim_address)
    try:
        with pytest.raises(BackendMismatch, match="not in this wallet"):
            await WalletSync(seed_keychain(), backend).sync()
    finally:
        await backend.close()


@pytest.mark.asyncio
async def test_listed_coins_carry_the_address_their_output_pays(
    sim: SimNetwork,  # noqa: F811
) -> None:
    addresses = fund_wallet(sim)
    backend = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    try:
        state = await WalletSync(seed_keychain(), backend).sync()
    finally:
        await backend.close()
    assert sorted(u.address for u in state.listed) == sorted(addresses)
    assert sum(u.satoshis for u in state.utxos) == 8 * COIN


class RelayThenFail(InsightBackend):
    """Server A got the bytes and relayed them (the sim has the tx), then the reply went wrong."""

    def __init__(self, network: SimNetwork, outcome: str) -> None:
        super().__init__([network.insight_url], retry=FAST_RETRY)
        self.network = network
        self.outcome = outcome

    async def broadcast(self, raw_hex: str) -> str:
        self.network.submit(raw_hex)
        if self.outcome == "timeout":
            raise BackendUnavailable("No Insight server could be reached (A: no answer within 5 s)")
        if self.outcome == "in-mempool":
            raise explain_broadcast_error("18: txn-already-in-mempool", -26)
        self.network.mine()
        # The real server now answers "transaction already in block chain. Code:-27".
        return await super().broadcast(raw_hex)


@pytest.mark.asyncio
@pytest.mark.parametrize("outcome", ["in-mempool", "in-chain"])
async def test_a_node_that_already_has_our_tx_means_it_was_sent(
    sim: SimNetwork, tmp_path: Path, outcome: str  # noqa: F811
) -> None:
    fund_wallet(sim)
    service = await service_for(tmp_path, RelayThenFail(sim, outcome))
    try:
        await service.sync()
        review = await service.prepare_send(SendRequest(stranger_address(), "3"))
        txid = await service.send(review)
        assert sim.chain.in_mempool(txid) or sim.chain.in_chain_unspent(txid)
        state = service.state
        assert state is not None and state.history[0].txid == txid
    finally:
        await service.close()


class DeadServerFirst(InsightBackend):
    """Broadcasts start at the first (silent) server, as they would after a restart."""

    def __init__(self, servers: list[str]) -> None:
        super().__init__(servers, retry=FAST_RETRY)

    async def broadcast(self, raw_hex: str) -> str:
        self._preferred = 0
        return await super().broadcast(raw_hex)


async def _assert_held_as_pending(
    service: WalletService, network: SimNetwork, review: Review, txid: str
) -> None:
    state = service.state
    assert state is not None
    assert state.history[0].txid == txid and state.history[0].pending
    spent = {(i.txid, i.vout) for i in review.inputs}
    assert not spent & {c.outpoint for c in state.coins}
    # After a refresh it is still held, and it drops out on its own once expired.
    state = await service.sync()
    assert state.history[0].txid == txid
    network.mine(review.expiry_height - network.height, include_mempool=False)
    state = await service.sync()
    assert txid in state.dropped and state.balances.total == 8 * COIN


@pytest.mark.asyncio
async def test_a_send_with_no_answer_after_relaying_is_held_as_pending(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    fund_wallet(sim)
    service = await service_for(tmp_path, RelayThenFail(sim, "timeout"))
    try:
        await service.sync()
        review = await service.prepare_send(SendRequest(stranger_address(), "3", expiry_delta=5))
        with pytest.raises(BroadcastUncertain, match="may have been sent") as caught:
            await service.send(review)
        assert f"after block {review.expiry_height}" in str(caught.value)
        assert sim.chain.in_mempool(caught.value.txid)
        await _assert_held_as_pending(service, sim, review, caught.value.txid)
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_a_refusal_after_a_silent_server_is_not_proof_nothing_was_sent(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    fund_wallet(sim)
    service = await service_for(tmp_path, DeadServerFirst([dead_url(), sim.insight_url]))
    try:
        await service.sync()
        review = await service.prepare_send(SendRequest(stranger_address(), "3", expiry_delta=5))
        faults = sim.faults["insight"]
        faults.status, faults.only = 400, ("/tx/send",)
        with pytest.raises(BroadcastUncertain, match="Do not send this payment again") as caught:
            await service.send(review)
        faults.clear()
        await _assert_held_as_pending(service, sim, review, caught.value.txid)
    finally:
        await service.close()

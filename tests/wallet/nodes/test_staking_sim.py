"""Staking end to end at the pure level, against tests/sim over real HTTP: prepare a collateral
with the wallet's send path, wait for maturity, build + verify + broadcast a START through the
Insight backend, follow it STARTED → CONFIRMED → paid, the refusals, DOS and restart, expiry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.sim.fluxnodes import FluxnodeModel
from tests.wallet.test_wallet_sim import FAST_RETRY, dead_url, seed_keychain
from wallet.backends.fluxnode_errors import FluxnodeRejectKind
from wallet.backends.insight import InsightBackend
from wallet.errors import BroadcastRejected
from wallet.fluxnode import create_identity_key
from wallet.keychain import RECEIVE, Keychain
from wallet.networks import COIN, REGTEST
from wallet.nodes.broadcast import broadcast_start
from wallet.nodes.errors import StartMaybeSent, StartRefused
from wallet.nodes.lists import list_filter, parse_confirmed, parse_dos_list, parse_start_list
from wallet.nodes.start import Collateral, build_verified_start, precheck
from wallet.nodes.state import NodeState, NodeStatus, StartRecord, keep_record, node_status
from wallet.send import SendRequest, broadcast, build_review, sign_review
from wallet.sync import WalletSync


@dataclass
class Staker:
    """The wallet side: a keychain, an Insight backend and our own START record."""

    sim: SimNetwork
    keychain: Keychain
    backend: InsightBackend
    record: StartRecord | None = None

    @property
    def now(self) -> int:  # a correct local clock for the simulated network
        return self.sim.chain.tip.time

    async def _get(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with aiohttp.ClientSession() as session:
            call = session.post(self.sim.insight_url + path, json=body) if body else session.get(
                self.sim.insight_url + path
            )
            async with call as response:
                assert response.status == 200
                return await response.json()

    async def status(self, coin: Collateral) -> NodeStatus:
        outpoint = (coin.txid, coin.index)
        listed = await self._get("/fluxnode/listfluxnodes", {"filter": list_filter([outpoint])})
        status = node_status(
            outpoint, tip=self.sim.height,
            confirmed=parse_confirmed(listed),
            started=parse_start_list(await self._get("/fluxnode/startlist")),
            dos=parse_dos_list(await self._get("/fluxnode/doslist")),
            record=self.record, now=self.now,
        )
        self.record = keep_record(self.record, status)
        return status

    async def collateral(self, coin: Collateral) -> Collateral:
        """The coin as the wallet sees it now (height, spent)."""
        state = await WalletSync(self.keychain, self.backend).sync()
        found = [u for u in state.utxos if (u.txid, u.vout) == (coin.txid, coin.index)]
        if not found:
            return Collateral(coin.txid, coin.index, coin.satoshis, coin.height, spent=True)
        return Collateral(coin.txid, coin.index, found[0].satoshis, found[0].height)

    async def start(self, coin: Collateral) -> str:
        coin = await self.collateral(coin)
        status = await self.status(coin)
        precheck(coin, status, tip=self.sim.height, tip_time=self.sim.chain.tip.time,
                 local_now=self.now, network=REGTEST)
        owner = self.keychain.private_key(self.keychain.derive(RECEIVE, 1).address)
        self.identity = create_identity_key()
        tx = build_verified_start(coin, owner, self.identity.public_key(), self.now)
        txid = await broadcast_start(tx, self.backend)
        self.record = StartRecord(txid, self.now, self.now)
        return txid


@pytest_asyncio.fixture
async def staker(sim: SimNetwork) -> AsyncIterator[Staker]:  # noqa: F811
    FluxnodeModel(sim.chain)
    backend = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    try:
        yield Staker(sim, seed_keychain(), backend)
    finally:
        await backend.close()


async def prepare_collateral(staker: Staker) -> Collateral:
    """"Prepare collateral": a reviewed send-to-self of exactly 1 000 FLUX in one output."""
    kc, net = staker.keychain, staker.sim
    net.fund(kc.derive(RECEIVE, 0).address, 1_500 * COIN)
    state = await WalletSync(kc, staker.backend).sync()
    to_self = kc.derive(RECEIVE, 1).address
    review = build_review(SendRequest(to_self, "1000"), keychain=kc, coins=state.utxos,
                          tip=state.tip, change_address=kc.derive(RECEIVE, 2).address)
    signed = await sign_review(review, keychain=kc, backend=staker.backend)
    txid = await broadcast(signed, staker.backend)
    net.mine()
    vout = next(n for n, o in enumerate(signed.tx.outputs) if o.value == 1_000 * COIN)
    return Collateral(txid, vout, 1_000 * COIN, net.height)


@pytest.mark.asyncio
async def test_collateral_to_paid_node_and_back(staker: Staker) -> None:
    net = staker.sim
    model = net.chain.fluxnodes
    assert model is not None
    coin = await prepare_collateral(staker)
    assert (await staker.status(coin)).state == NodeState.NOT_STARTED

    with pytest.raises(StartRefused, match=r"1/100 confirmations; start possible in 99 blocks "
                                           r"\(about 50 min\)") as refused:
        await staker.start(coin)
    assert refused.value.eta_seconds == 99 * 30
    net.mine(99)

    txid = await staker.start(coin)
    assert net.chain.in_mempool(txid)
    assert (await staker.status(coin)).state == NodeState.STARTING
    net.mine()
    status = await staker.status(coin)
    assert status.state == NodeState.STARTED and status.blocks_left == 240
    with pytest.raises(StartRefused, match="already started") as refused:
        await staker.start(coin)
    assert refused.value.reason == NodeState.STARTED

    model.run_node(staker.identity.public_key())
    net.mine()
    status = await staker.status(coin)
    assert status.state == NodeState.CONFIRMED and status.last_paid_height == 0
    net.mine()
    status = await staker.status(coin)
    assert status.last_paid_height == net.height and status.next_payment_seconds == 30
    with pytest.raises(StartRefused, match="already confirmed"):
        await staker.start(coin)
    paid = await WalletSync(staker.keychain, staker.backend).sync()
    rewards = [u for u in paid.utxos if u.address == staker.keychain.derive(RECEIVE, 1).address
               and u.satoshis == COIN]
    assert len(rewards) == 1  # the node reward landed on the collateral address

    # The node goes away: it expires 641 blocks after its last confirmation.
    model.stop_node(staker.identity.public_key())
    last = (await staker.status(coin)).blocks_left
    assert last is not None
    net.mine(last - 1)
    assert (await staker.status(coin)).state == NodeState.CONFIRMED
    net.mine()
    status = await staker.status(coin)
    assert status.state == NodeState.NOT_STARTED and status.may_start


@pytest.mark.asyncio
async def test_dos_path_and_restart_after_720_blocks(staker: Staker) -> None:
    net = staker.sim
    coin = await prepare_collateral(staker)
    net.mine(99)
    await staker.start(coin)
    net.mine()
    added = net.height
    net.mine(240)  # never confirmed: DOS at the START block + 240
    status = await staker.status(coin)
    assert status.state == NodeState.DOS and status.blocks_left == 720 - 240
    with pytest.raises(StartRefused, match=r"Can start again in 480 blocks \(about 4 h\)") as info:
        await staker.start(coin)
    assert info.value.eta_seconds == 480 * 30
    # Sending one anyway: the network refuses, and it never reads as sent.
    owner = staker.keychain.private_key(staker.keychain.derive(RECEIVE, 1).address)
    tx = build_verified_start(coin, owner, create_identity_key().public_key(), staker.now)
    with pytest.raises(BroadcastRejected) as rejected:
        await broadcast_start(tx, staker.backend)
    assert rejected.value.kind == FluxnodeRejectKind.STARTED_OR_DOS
    net.mine(added + 719 - net.height)
    assert (await staker.status(coin)).state == NodeState.DOS
    net.mine()
    assert (await staker.status(coin)).state == NodeState.NOT_STARTED
    await staker.start(coin)
    net.mine()
    assert (await staker.status(coin)).state == NodeState.STARTED


@pytest.mark.asyncio
async def test_no_answer_means_starting_not_sent(staker: Staker) -> None:
    net = staker.sim
    coin = await prepare_collateral(staker)
    net.mine(99)
    owner = staker.keychain.private_key(staker.keychain.derive(RECEIVE, 1).address)
    tx = build_verified_start(coin, owner, create_identity_key().public_key(), staker.now)
    dead = InsightBackend([dead_url()], retry=FAST_RETRY)
    try:
        with pytest.raises(StartMaybeSent, match="may have been sent") as info:
            await broadcast_start(tx, dead)
    finally:
        await dead.close()
    assert info.value.txid == tx.txid and info.value.sig_time == staker.now
    staker.record = StartRecord(tx.txid, staker.now, staker.now)
    assert (await staker.status(coin)).state == NodeState.STARTING

"""NodeManager's "start all" and "prepare collateral" against tests/sim over real HTTP: nodes in
several states each get their word and only the startable ones a START (one failure never stops
the rest); a send-to-self of exactly the tier amount in one output becomes a locked candidate
with its maturity ETA; too little money is a plain refusal with nothing sent."""

from __future__ import annotations

import pytest

from flux.money import COIN
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.wallet.nodes.test_manager_sim import World, world  # noqa: F401 - the fixture
from wallet.address import p2pkh_address
from wallet.errors import InsufficientFunds, InvalidTransaction
from wallet.fluxnode import create_identity_key
from wallet.keys import PrivateKey
from wallet.nodes.batch import Outcome
from wallet.nodes.collateral import Decision
from wallet.nodes.prepare import check_collateral_review
from wallet.nodes.state import NodeState
from wallet.send import ReviewOutput, SendRequest


async def node_on(w: World, name: str, confirmations: int) -> None:
    coin = w.sim.fund(w.service.receive_address(), 1_000 * COIN, confirmations=confirmations)
    await w.service.sync()
    await w.manager.add_node(name, (coin.txid, coin.vout))


@pytest.mark.asyncio
async def test_start_all_reports_each_node_and_starts_only_the_startable(world: World) -> None:  # noqa: F811
    w, m = world, world.manager
    model = w.sim.chain.fluxnodes
    assert model is not None
    await node_on(w, "dos", 100)
    await node_on(w, "done", 100)
    await m.start("dos")
    await m.start("done")
    w.sim.mine()
    model.run_node(PrivateKey.from_wif(m.entry("done").identity_wif).public_key())
    w.sim.mine(240)  # "dos" never confirmed within the start window
    await node_on(w, "early", 100)  # started by hand after planning: its batch START fails
    await node_on(w, "ready", 100)
    await node_on(w, "young", 3)
    views = {v.name: v.status for v in await m.nodes()}
    assert views["dos"].state == NodeState.DOS and views["done"].state == NodeState.CONFIRMED

    plan = {item.name: item for item in await m.plan_start_all()}
    assert {n: i.outcome for n, i in plan.items()} == {
        "dos": Outcome.SKIPPED, "done": Outcome.SKIPPED, "early": Outcome.READY,
        "ready": Outcome.READY, "young": Outcome.REFUSED}
    assert "DOS list" in plan["dos"].reason and plan["dos"].eta_seconds == views["dos"].eta_seconds
    assert views["dos"].blocks_left is not None and views["dos"].blocks_left > 0
    assert "already confirmed" in plan["done"].reason and plan["done"].eta_seconds is None
    assert "3/100 confirmations" in plan["young"].reason
    assert plan["young"].eta_seconds == 97 * 30
    assert not any(w.sim.chain.in_mempool(i.review.txid) for i in plan.values() if i.review)

    w.skew = 1  # a START of "early" with a later sigTime, mined before "start all" sends
    await m.start("early")
    w.sim.mine()
    done = {item.name: item for item in await m.start_all(list(plan.values()))}
    assert done["early"].outcome == Outcome.FAILED and done["early"].failed
    assert "refused" in done["early"].reason
    ready = done["ready"]
    assert ready.outcome == Outcome.SENT and ready.txid is not None and not ready.failed
    assert w.sim.chain.in_mempool(ready.txid)
    assert done["young"].outcome == Outcome.REFUSED and done["dos"].outcome == Outcome.SKIPPED
    states = {v.name: v.status.state for v in await m.nodes()}
    assert states["ready"] == NodeState.STARTING and states["young"] == NodeState.NOT_STARTED

    # Planned again: "ready" is now starting, so it is skipped with the reason.
    again = {item.name: item for item in await m.plan_start_all()}
    assert again["ready"].outcome == Outcome.SKIPPED and "still pending" in again["ready"].reason


@pytest.mark.asyncio
async def test_prepare_collateral_sends_the_exact_amount_to_ourselves(world: World) -> None:  # noqa: F811
    w, m = world, world.manager
    w.sim.fund(w.service.receive_address(), 1_500 * COIN)
    await w.service.sync()
    review = await m.prepare_collateral("cumulus")
    recipients = [o for o in review.outputs if o.role == "recipient"]
    assert [o.satoshis for o in recipients] == [1_000 * COIN]
    assert w.service.keychain.lookup(recipients[0].address or "") is not None
    assert review.change == 500 * COIN - review.fee and review.change_address is not None

    made = await m.send_collateral(review)
    assert made.tier == "cumulus" and made.satoshis == 1_000 * COIN
    assert w.sim.chain.in_mempool(made.outpoint[0])
    assert made.maturity.blocks_left == 100 and made.maturity.eta_seconds == 100 * 30
    [coin] = await m.candidates("cumulus")
    assert coin.outpoint == made.outpoint and coin.locked
    assert coin.decision == Decision.COLLATERAL and coin.node is None
    w.sim.mine(3)
    [coin] = await m.candidates("cumulus")
    assert coin.maturity.confirmations == 3 and coin.maturity.eta_seconds == 97 * 30
    state = w.service.state
    assert state is not None and state.balances.spendable == 500 * COIN - review.fee


@pytest.mark.asyncio
async def test_prepare_collateral_refuses_plainly_and_checks_the_review(world: World) -> None:  # noqa: F811
    w, m = world, world.manager
    w.sim.fund(w.service.receive_address(), 900 * COIN)
    await w.service.sync()
    with pytest.raises(InsufficientFunds, match=r"Not enough to prepare a Cumulus collateral.*"
                       r"Nothing was sent"):
        await m.prepare_collateral("cumulus")
    assert not w.sim.chain.mempool

    # A review that pays someone else, or splits the amount, is never signed.
    w.sim.fund(w.service.receive_address(), 600 * COIN)
    await w.service.sync()
    stranger = p2pkh_address(create_identity_key().public_key(), w.service.network)
    other = await w.service.prepare_send(SendRequest(stranger, "1000"))
    with pytest.raises(InvalidTransaction, match="not an address of this wallet"):
        await m.send_collateral(other)
    review = await w.service.prepare_send(SendRequest(w.service.receive_address(new=True), "10"))
    with pytest.raises(InvalidTransaction, match="not exactly a tier amount"):
        await m.send_collateral(review)
    outputs = (*review.outputs, ReviewOutput(review.to, 1_000 * COIN, "recipient"))
    with pytest.raises(InvalidTransaction, match="one output"):
        check_collateral_review(type(review)(**{**review.__dict__, "outputs": outputs}),
                                w.service.keychain, w.service.network)
    assert not w.sim.chain.mempool

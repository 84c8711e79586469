"""Each START the simulator refuses, sent through the wallet's real broadcast path (Insight and
fluxd RPC backends over HTTP): fluxd's reject string arrives, gets its own kind, and is never
reported as sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from tests.sim import SimNetwork, testkit
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.sim.fluxnode_kit import CUMULUS, collateral, start_tx, submit, with_nodes
from wallet.backends.base import ChainBackend
from wallet.backends.broadcast_errors import ALREADY_KNOWN
from wallet.backends.fluxconf import RpcConfig
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.fluxnode_errors import FLUXNODE_KINDS
from wallet.backends.fluxnode_errors import FluxnodeRejectKind as K
from wallet.backends.http import RetryPolicy
from wallet.backends.insight import InsightBackend
from wallet.errors import BroadcastRejected
from wallet.fluxnode import verify_start
from wallet.keys import PrivateKey
from wallet.nodes.broadcast import broadcast_start
from wallet.txmodel import Transaction

OWNER = testkit.key("reject-owner")
STRANGER = testkit.key("reject-stranger")
MS = testkit.multisig(2, ["rj-a", "rj-b", "rj-c"])


def immature(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER, confirmations=99), OWNER)


def wrong_amount(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER, sats=CUMULUS + 1), OWNER)


def other_key(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER), STRANGER)


def uncompressed(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER), PrivateKey(OWNER.secret, compressed=False))


def unconfirmed(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER, confirmations=0), OWNER)


def spent(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    net.submit(testkit.raw_spend(net, coin, OWNER, [(testkit.address(STRANGER), CUMULUS - 999)]))
    net.mine()
    return start_tx(net, coin, OWNER)


def too_old(net: SimNetwork) -> Transaction:
    return start_tx(net, collateral(net, OWNER), OWNER, sig_time=net.chain.now() - 3601)


def older_than_pending(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    submit(net, start_tx(net, coin, OWNER, sig_time=net.chain.now()))
    return start_tx(net, coin, OWNER, sig_time=net.chain.now() - 60)


def started(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    submit(net, start_tx(net, coin, OWNER))
    net.mine()
    return start_tx(net, coin, OWNER)


def confirmed(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    identity = PrivateKey.generate().public_key()
    with_nodes(net).run_node(identity)
    submit(net, start_tx(net, coin, OWNER, identity=identity))
    net.mine(2)
    return start_tx(net, coin, OWNER)


def dos(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    submit(net, start_tx(net, coin, OWNER))
    net.mine(241)
    return start_tx(net, coin, OWNER)


def p2sh_as_v5(net: SimNetwork) -> Transaction:
    return start_tx(net, net.fund(MS.address, CUMULUS, confirmations=100), MS.keys[0])


def p2sh_as_v6_normal(net: SimNetwork) -> Transaction:
    return start_tx(net, net.fund(MS.address, CUMULUS, confirmations=100), MS.keys[0], version=6)


def other_redeem_script(net: SimNetwork) -> Transaction:
    other = testkit.multisig(1, ["rj-a", "rj-d"])
    coin = net.fund(MS.address, CUMULUS, confirmations=100)
    return start_tx(net, coin, MS.keys[0], version=6, redeem_script=other.redeem_script)


def p2sh_start_of_p2pkh(net: SimNetwork) -> Transaction:
    coin = collateral(net, OWNER)
    return start_tx(net, coin, MS.keys[0], version=6, redeem_script=MS.redeem_script)


CASES: list[tuple[Callable[[SimNetwork], Transaction], str]] = [
    (immature, K.IMMATURE), (wrong_amount, K.WRONG_AMOUNT), (other_key, K.KEY_MISMATCH),
    (uncompressed, K.KEY_MISMATCH), (unconfirmed, K.COLLATERAL_NOT_FOUND),
    (spent, K.COLLATERAL_SPENT), (too_old, K.SIG_TOO_OLD),
    (older_than_pending, K.OLDER_THAN_PENDING), (started, K.STARTED_OR_DOS),
    (confirmed, K.CONFIRMED), (dos, K.STARTED_OR_DOS), (p2sh_as_v5, K.KEY_MISMATCH),
    (p2sh_as_v6_normal, K.SCRIPT_MISMATCH), (other_redeem_script, K.KEY_MISMATCH),
    (p2sh_start_of_p2pkh, K.SCRIPT_MISMATCH),
]


@pytest_asyncio.fixture(params=["insight", "rpc"])
async def backend(request: pytest.FixtureRequest, sim: SimNetwork) -> AsyncIterator[ChainBackend]:  # noqa: F811
    with_nodes(sim)
    chosen: ChainBackend
    if request.param == "insight":
        chosen = InsightBackend([sim.insight_url], retry=RetryPolicy(rounds=1))
    else:
        chosen = FluxdRpcBackend(RpcConfig(sim.rpc_user, sim.rpc_password, port=sim.rpc_port))
    try:
        yield chosen
    finally:
        await chosen.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(("make", "kind"), CASES, ids=[m.__name__ for m, _ in CASES])
async def test_refused_start_is_never_reported_as_sent(
    sim: SimNetwork, backend: ChainBackend, make: Callable[[SimNetwork], Transaction], kind: str  # noqa: F811
) -> None:
    tx = make(sim)
    assert verify_start(tx)  # signed by the key it names: only the network can refuse it
    with pytest.raises(BroadcastRejected) as info:
        await broadcast_start(tx, backend)
    assert info.value.kind == kind and info.value.kind not in ALREADY_KNOWN
    assert "not started" in str(info.value)
    assert not sim.chain.in_mempool(tx.txid)


@pytest.mark.asyncio
async def test_forged_signature_is_refused_locally_and_by_the_network(
    sim: SimNetwork, backend: ChainBackend  # noqa: F811
) -> None:
    coin = collateral(sim, OWNER)
    forged = start_tx(sim, coin, STRANGER, collateral_pubkey=OWNER.public_key())
    with pytest.raises(Exception, match="not by a key allowed"):
        await broadcast_start(forged, backend)  # verify_start stops it before sending
    with pytest.raises(BroadcastRejected) as info:
        await backend.broadcast(forged.serialize().hex())
    assert info.value.kind == K.INVALID_SIGNATURE


@pytest.mark.asyncio
async def test_resent_mined_start_is_no_success_and_pending_one_is(
    sim: SimNetwork, backend: ChainBackend  # noqa: F811
) -> None:
    tx = start_tx(sim, collateral(sim, OWNER), OWNER)
    assert await broadcast_start(tx, backend) == tx.txid
    assert await broadcast_start(tx, backend) == tx.txid  # same bytes still in the mempool
    sim.mine()
    with pytest.raises(BroadcastRejected) as info:
        await broadcast_start(tx, backend)  # fluxd: recently seen, -25 without a reason
    assert info.value.kind == K.RECENTLY_SEEN and "already seen this exact START" in str(
        info.value
    )


def test_every_network_reject_kind_has_a_case() -> None:
    kinds = {kind for _, kind in CASES} | {K.INVALID_SIGNATURE, K.RECENTLY_SEEN}
    unreachable = {K.DELEGATES_INVALID, K.REDEEM_SCRIPT_INVALID, K.NOT_ACTIVE, K.MALFORMED,
                   K.INPUTS_INVALID}  # the wallet's builder cannot produce these bytes
    assert kinds | unreachable == FLUXNODE_KINDS

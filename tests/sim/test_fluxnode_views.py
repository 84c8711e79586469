"""The fluxnode lists over real HTTP: fluxd RPC methods and the Insight routes, with the
filters each applies (fluxd: substring; Insight: exact "txid-idx")."""

from __future__ import annotations

import pytest

from tests.sim import testkit
from tests.sim.fluxnode_kit import NIMBUS, collateral, start_tx, submit, with_nodes
from tests.sim.fluxnode_views import money
from tests.sim.server import SimNetwork
from tests.sim.test_insight import get, post
from tests.sim.test_rpc import error, result
from wallet.fluxnode import create_identity_key

OWNERS = [testkit.key(f"view-{i}") for i in range(3)]


def three_nodes(sim: SimNetwork) -> list[tuple[str, int]]:
    """One confirmed Cumulus, one confirmed Nimbus, one started (not confirmed) Cumulus."""
    model = with_nodes(sim)
    coins = [collateral(sim, OWNERS[0]), collateral(sim, OWNERS[1], sats=NIMBUS),
             collateral(sim, OWNERS[2])]
    for n, (owner, coin) in enumerate(zip(OWNERS, coins, strict=True)):
        identity = create_identity_key().public_key()
        if n < 2:
            model.run_node(identity, f"203.0.113.{n + 1}")
        submit(sim, start_tx(sim, coin, owner, identity=identity))
    sim.mine(2)
    return [(c.txid, c.vout) for c in coins]


def test_money_is_fluxd_format_money() -> None:
    assert money(1_000 * 10**8) == "1000.00"
    assert money(12_500 * 10**8 + 5 * 10**7) == "12500.50"
    assert money(1) == "0.00000001"


@pytest.mark.asyncio
async def test_rpc_lists_and_count(sim: SimNetwork) -> None:
    assert await result(sim, "getfluxnodecount") == {
        "total": 0, "stable": 0, "basic-enabled": 0, "super-enabled": 0, "bamf-enabled": 0,
        "cumulus-enabled": 0, "nimbus-enabled": 0, "stratus-enabled": 0, "ipv4": 0, "ipv6": 0,
        "onion": 0}
    cumulus, nimbus, started = three_nodes(sim)
    count = await result(sim, "getfluxnodecount")
    assert (count["total"], count["cumulus-enabled"], count["nimbus-enabled"]) == (2, 1, 1)
    listed = await result(sim, "viewdeterministicfluxnodelist", cumulus[0])
    assert len(listed) == 1
    entry = listed[0]
    assert entry["collateral"] == f"COutPoint({cumulus[0]}, {cumulus[1]})"
    assert entry["outidx"] == str(cumulus[1]) and entry["tier"] == "CUMULUS"
    assert entry["rank"] == 0 and entry["amount"] == "1000.00" and entry["ip"] == "203.0.113.1"
    assert entry["last_paid_height"] == 0 and entry["confirmed_height"] == sim.height
    assert entry["lastpaid"] == str(sim.chain.blocks[0].time)  # never paid: genesis time
    sim.mine()
    entry = (await result(sim, "viewdeterministicfluxnodelist", cumulus[0]))[0]
    assert entry["last_paid_height"] == sim.height and entry["rank"] == 0  # alone in its tier
    assert entry["payment_address"] == testkit.address(OWNERS[0])
    assert await result(sim, "listfluxnodes") == await result(sim, "viewdeterministicfluxnodelist")
    assert len(await result(sim, "listfluxnodes", "203.0.113.")) == 2  # fluxd: any substring
    starts = await result(sim, "getstartlist")
    assert starts == [{"collateral": f"COutPoint({started[0]}, {started[1]})",
                       "added_height": sim.height - 2,
                       "payment_address": testkit.address(OWNERS[2]),
                       "expires_in": 238, "amount": "1000.00"}]
    assert await result(sim, "getdoslist") == []
    sim.mine(238)
    dos = await result(sim, "getdoslist")
    assert dos[0]["eligible_in"] == 720 - 240 and await result(sim, "getstartlist") == []
    _status, code, _message = await error(sim, "listfluxnodes", 5)
    assert code == -3
    assert nimbus != cumulus


@pytest.mark.asyncio
async def test_insight_routes(sim: SimNetwork) -> None:
    cumulus, nimbus, started = three_nodes(sim)
    status, body = await post(sim, "/fluxnode/listfluxnodes",
                              {"filter": f"{cumulus[0]}-{cumulus[1]},{nimbus[0]}-{nimbus[1]}"})
    assert status == 200 and body["error"] is None
    assert {(e["txhash"], e["outidx"]) for e in body["result"]} == {
        (cumulus[0], str(cumulus[1])), (nimbus[0], str(nimbus[1]))}
    status, body = await post(sim, "/fluxnode/listfluxnodes",
                              {"filter": f"{cumulus[0]}-{cumulus[1] + 1}"})
    assert body["result"] == []  # Insight matches txid and index exactly
    status, body = await get(sim, f"/fluxnode/listfluxnodes/{nimbus[0]}-{nimbus[1]}")
    assert [e["tier"] for e in body["result"]] == ["NIMBUS"]
    status, body = await get(sim, "/fluxnode/startlist")
    assert [e["collateral"] for e in body["result"]] == [f"COutPoint({started[0]}, {started[1]})"]
    status, body = await get(sim, "/fluxnode/doslist")
    assert body == {"result": [], "error": None, "id": None}

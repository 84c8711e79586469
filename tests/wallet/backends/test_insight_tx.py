"""Raw bytes rebuilt from Insight's JSON view of a transaction (the simulator's view of the
same chain): exact for transparent transactions, None where the JSON cannot carry them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.sim import jsonviews as jv
from tests.sim import testkit as kit
from tests.sim.fixtures import sim  # noqa: F401  (the fixture)
from tests.sim.server import SimNetwork
from wallet.backends.insight_tx import raw_from_insight


def view(sim: SimNetwork, txid: str) -> dict[str, Any]:  # noqa: F811
    return jv.insight_tx(sim.chain, sim.chain.txs[txid])


@pytest.mark.asyncio
async def test_payment_and_coinbase_rebuild_byte_for_byte(sim: SimNetwork) -> None:  # noqa: F811
    address = kit.address(kit.key("rebuild"))
    paid = sim.fund(address, 70_000)
    pending = sim.fund(address, 80_000, confirmations=0)
    mined = sim.fund(address, 90_000, coinbase=True)
    for txid in (paid.txid, pending.txid, mined.txid):
        assert raw_from_insight(view(sim, txid)) == sim.chain.txs[txid].raw.hex()


@pytest.mark.asyncio
async def test_what_the_json_cannot_carry_gives_none(sim: SimNetwork) -> None:  # noqa: F811
    paid = sim.fund(kit.address(kit.key("rebuild")), 70_000).txid
    data = view(sim, paid)
    # fluxd's verbose form writes the version group as hex text; both forms rebuild.
    assert raw_from_insight({**data, "nVersionGroupId": "892f2085"}) == raw_from_insight(data)
    stripped = copy.deepcopy(data)
    del stripped["vin"][0]["scriptSig"]  # ?noScriptSig=1
    assert raw_from_insight(stripped) is None
    assert raw_from_insight({**data, "vjoinsplit": [{"vpub_old": 0}]}) is None
    assert raw_from_insight({**data, "spendDescs": [{}]}) is None
    assert raw_from_insight({**data, "valueBalance": 0.5}) is None
    assert raw_from_insight({**data, "nType": 2}) is None
    assert raw_from_insight({**data, "version": "4"}) is None
    broken = copy.deepcopy(data)
    broken["vout"][0]["value"] = "twelve"
    assert raw_from_insight(broken) is None
    # A wrong amount still rebuilds — into bytes that do not hash to the txid (sync checks).
    lying = copy.deepcopy(data)
    lying["vout"][0]["value"] = "1.00000000"
    rebuilt = raw_from_insight(lying)
    assert rebuilt is not None and rebuilt != sim.chain.txs[paid].raw.hex()

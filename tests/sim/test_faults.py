"""Fault injection: each server can be down, refuse, be slow, break JSON, lie, or fail with 500."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import aiohttp
import pytest

from flux.money import COIN
from tests.sim import testkit as kit
from tests.sim.faults import FAKE_TXID
from tests.sim.server import SimNetwork
from wallet.tx import Transaction

ALICE = kit.key("alice")


async def fetch(url: str, **kwargs: object) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.request(
        "POST" if "json" in kwargs else "GET", url, **kwargs  # type: ignore[arg-type]
    ) as response:
        return response.status, await response.text()


def rpc_args(sim: SimNetwork, method: str, *params: object) -> dict[str, object]:
    token = base64.b64encode(f"{sim.rpc_user}:{sim.rpc_password}".encode()).decode()
    return {
        "json": {"id": 1, "method": method, "params": list(params)},
        "headers": {"Authorization": f"Basic {token}"},
    }


@pytest.mark.asyncio
async def test_down_and_refused(sim: SimNetwork) -> None:
    url = sim.insight_url + "/status"
    sim.faults["insight"].down = True
    with pytest.raises(aiohttp.ClientError):
        await fetch(url)
    sim.faults["insight"].clear()
    assert (await fetch(url))[0] == 200
    await sim.stop_server("insight")
    with pytest.raises(aiohttp.ClientConnectorError):
        await fetch(url)
    await sim.start_server("insight")
    assert (await fetch(url))[0] == 200
    assert sim.insight_url.endswith(f":{sim.insight_port}/api")


@pytest.mark.asyncio
async def test_status_malformed_and_slow_with_limits(sim: SimNetwork) -> None:
    url = sim.insight_url + "/status"
    faults = sim.faults["insight"]
    faults.status, faults.remaining = 500, 1
    assert (await fetch(url))[0] == 500
    assert (await fetch(url))[0] == 200  # only one request was affected
    faults.clear()
    faults.malformed = True
    status, body = await fetch(url)
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    faults.clear()
    faults.delay, faults.only = 0.3, ("/utxo",)
    started = time.monotonic()
    await fetch(url)
    assert time.monotonic() - started < 0.3  # other paths are not slowed
    await fetch(sim.insight_url + f"/addr/{kit.address(ALICE)}/utxo")
    assert time.monotonic() - started >= 0.3


@pytest.mark.asyncio
async def test_insight_lies_about_amounts_but_raw_tx_stays_true(sim: SimNetwork) -> None:
    alice = kit.address(ALICE)
    coin = sim.fund(alice, 2 * COIN)
    sim.faults["insight"].lie_amount = 5000
    _, body = await fetch(sim.insight_url + f"/addrs/{alice}/utxo")
    (utxo,) = json.loads(body)
    assert utxo["satoshis"] == 2 * COIN + 5000 and utxo["amount"] == (2 * COIN + 5000) / COIN
    _, body = await fetch(sim.insight_url + f"/rawtx/{coin.txid}")
    tx = Transaction.parse(bytes.fromhex(json.loads(body)["rawtx"]))
    assert tx.txid == coin.txid and tx.outputs[0].value == 2 * COIN
    sim.faults["insight"].clear()
    sim.faults["insight"].fake_utxo = True
    _, body = await fetch(sim.insight_url + f"/addrs/{alice}/utxo")
    assert [u["txid"] for u in json.loads(body)] == [coin.txid, FAKE_TXID]


@pytest.mark.asyncio
async def test_rpc_faults_by_method(sim: SimNetwork) -> None:
    alice = kit.address(ALICE)
    sim.fund(alice, COIN)
    faults = sim.faults["rpc"]
    faults.lie_amount, faults.only = 7, ("getaddressutxos",)
    _, body = await fetch(sim.rpc_url, **rpc_args(sim, "getaddressutxos", {"addresses": [alice]}))
    assert json.loads(body)["result"][0]["satoshis"] == COIN + 7
    _, body = await fetch(sim.rpc_url, **rpc_args(sim, "getaddressbalance", {"addresses": [alice]}))
    assert json.loads(body)["result"]["balance"] == COIN  # other methods answer truthfully
    faults.clear()
    faults.delay = 5.0
    with pytest.raises(asyncio.TimeoutError):
        async with asyncio.timeout(0.2):
            await fetch(sim.rpc_url, **rpc_args(sim, "getblockcount"))
    faults.clear()
    assert sim.faults["insight"].hits == 0 and faults.hits == 2

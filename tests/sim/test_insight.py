"""Insight routes over real HTTP: shapes as insight-api returns them, errors as it sends them."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest

from flux.money import COIN
from tests.sim import testkit as kit
from tests.sim.server import SimNetwork
from wallet.tx import Transaction

ALICE = kit.key("alice")
BOB = kit.key("bob")


async def get(sim: SimNetwork, path: str, **params: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(
        sim.insight_url + path, params=params
    ) as response:
        text = await response.text()
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, text


async def post(sim: SimNetwork, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(
        sim.insight_url + path, json=body
    ) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


@pytest.mark.asyncio
async def test_status_and_estimatefee(sim: SimNetwork) -> None:
    status, data = await get(sim, "/status", q="getInfo")
    assert status == 200 and data["info"]["blocks"] == sim.height
    assert set(data["info"]) >= {"version", "protocolversion", "blocks", "relayfee", "network"}
    status, data = await get(sim, "/utils/estimatefee", nbBlocks="2")
    assert data == {"2": -1}  # nothing paid fees in the last blocks yet
    sim.fund(kit.address(ALICE), COIN)
    status, data = await get(sim, "/utils/estimatefee", nbBlocks="2")
    assert data["2"] > 0


@pytest.mark.asyncio
async def test_utxo_balance_and_history_follow_mempool_and_blocks(sim: SimNetwork) -> None:
    alice, bob = kit.address(ALICE), kit.address(BOB)
    coin = sim.fund(alice, 2 * COIN, confirmations=3)
    status, utxos = await get(sim, f"/addrs/{alice},{bob}/utxo")
    assert status == 200
    assert utxos == [{
        "address": alice, "txid": coin.txid, "vout": 0,
        "scriptPubKey": "76a914" + ALICE.pubkey_hash().hex() + "88ac", "amount": 2.0,
        "satoshis": 2 * COIN, "height": sim.height - 2, "confirmations": 3,
    }]
    raw = kit.raw_spend(sim, coin, ALICE, [(bob, COIN), (alice, COIN - 1000)])
    status, reply = await post(sim, "/tx/send", {"rawtx": raw})
    spend = Transaction.parse(bytes.fromhex(raw)).txid
    assert (status, reply) == (200, {"txid": spend})
    _, utxos = await get(sim, f"/addrs/{alice},{bob}/utxo")
    assert {(u["txid"], u["vout"], u["confirmations"]) for u in utxos} == {
        (spend, 0, 0), (spend, 1, 0)
    }
    assert all("height" not in u and "ts" in u for u in utxos)
    _, unspent = await get(sim, f"/addrs/{alice}/unspent")
    assert [u["txid"] for u in unspent] == [coin.txid]  # confirmed view ignores the mempool
    _, summary = await get(sim, f"/addr/{alice}", noTxList="1")
    assert summary["balanceSat"] == 2 * COIN and summary["unconfirmedBalanceSat"] == -COIN - 1000
    assert summary["unconfirmedTxApperances"] == 1 and summary["txApperances"] == 1
    assert "transactions" not in summary
    _, summary = await get(sim, f"/addr/{alice}")
    assert summary["transactions"] == [spend, coin.txid]
    _, history = await get(sim, f"/addrs/{alice},{bob}/txs", **{"from": "0", "to": "10"})
    assert history["totalItems"] == 2 and history["to"] == 2
    first = history["items"][0]
    assert first["txid"] == spend and first["confirmations"] == 0 and first["blockheight"] == -1
    assert first["fees"] == 1000 / 1e8 and first["vin"][0]["addr"] == alice
    assert first["vout"][0]["value"] == "1.00000000"
    sim.mine(1)
    _, history = await get(sim, f"/addrs/{alice}/txs")
    assert history["items"][0]["confirmations"] == 1
    assert history["items"][1]["vout"][0]["spentTxId"] == spend
    _, balance = await get(sim, f"/addrs/{alice},{bob}/balance")
    assert balance == {"unconfirmedBalance": 0, "balance": 2 * COIN - 1000}
    status, page = await post(sim, "/addrs/txs", {"addrs": f"{alice},{bob}", "from": 1, "to": 2})
    assert status == 200 and [i["txid"] for i in page["items"]] == [coin.txid]
    status, posted = await post(sim, "/addrs/utxo", {"addrs": bob})
    assert status == 200 and posted[0]["satoshis"] == COIN


@pytest.mark.asyncio
async def test_coinbase_flag_and_maturity_fields(sim: SimNetwork) -> None:
    alice = kit.address(ALICE)
    sim.fund(alice, 3 * COIN, coinbase=True, confirmations=5)
    _, utxos = await get(sim, f"/addr/{alice}/utxo")
    assert utxos[0]["coinbase"] is True and utxos[0]["confirmations"] == 5
    sim.mine(95)
    _, utxos = await get(sim, f"/addr/{alice}/utxo")
    assert "coinbase" not in utxos[0]  # insight only looks it up below 100 confirmations


@pytest.mark.asyncio
async def test_tx_rawtx_and_blocks(sim: SimNetwork) -> None:
    coin = sim.fund(kit.address(ALICE), COIN)
    status, raw = await get(sim, f"/rawtx/{coin.txid}")
    assert status == 200 and Transaction.parse(bytes.fromhex(raw["rawtx"])).txid == coin.txid
    _, tx = await get(sim, f"/tx/{coin.txid}")
    assert tx["txid"] == coin.txid and tx["fOverwintered"] is True
    assert tx["nVersionGroupId"] == 0x892F2085 and tx["blockheight"] == sim.height
    assert tx["vout"][0]["scriptPubKey"]["addresses"] == [kit.address(ALICE)]
    assert tx["vout"][0]["scriptPubKey"]["type"] == "pubkeyhash"
    status, block = await get(sim, f"/block/{tx['blockhash']}")
    assert status == 200 and coin.txid in block["tx"] and block["height"] == sim.height
    status, index = await get(sim, f"/block-index/{sim.height}")
    assert index == {"blockHash": tx["blockhash"]}
    # The listing is by UTC day; ask for the tip's day (a run just before midnight mines
    # blocks on both days).
    tip_day = time.strftime("%Y-%m-%d", time.gmtime(block["time"]))
    _, listing = await get(sim, "/blocks", limit="3", blockDate=tip_day)
    heights = [b["height"] for b in listing["blocks"]]
    assert 1 <= len(heights) <= 3 and heights == list(range(sim.height, sim.height - len(heights), -1))
    _, page = await get(sim, "/txs", address=kit.address(ALICE))
    assert page["pagesTotal"] == 1 and page["txs"][0]["txid"] == coin.txid
    _, coinbase = await get(sim, f"/tx/{block['tx'][0]}")
    assert coinbase["isCoinBase"] is True and "coinbase" in coinbase["vin"][0]


@pytest.mark.asyncio
async def test_errors_look_like_insight(sim: SimNetwork) -> None:
    assert await get(sim, f"/tx/{'00' * 32}") == (404, "Not found")
    assert await get(sim, f"/rawtx/{'00' * 32}") == (404, "Not found")
    assert await get(sim, "/tx/xyz") == (400, "parameter 1 must be hexadecimal string (not 'xyz'). Code:-8")
    status, text = await get(sim, "/addr/notanaddress/utxo")
    assert status == 400 and text.startswith("Invalid address: ") and text.endswith(". Code:1")
    status, text = await get(sim, f"/addrs/{kit.address(ALICE)}/txs", **{"from": "0", "to": "60"})
    assert (status, text) == (503, '"from" (0) and "to" (60) range should be less than or equal to 50')
    status, text = await post(sim, "/tx/send", {"rawtx": "00"})
    assert (status, text) == (400, "TX decode failed. Code:-22")
    coin = sim.fund(kit.address(ALICE), COIN)
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), COIN - 1000)], expiry_delta=2)
    status, text = await post(sim, "/tx/send", {"rawtx": raw})
    assert status == 400 and text.startswith("tx-expiring-soon: expiryheight is")
    assert text.endswith("to avoid transaction expiring soon. Code:-26")
    assert await get(sim, "/block/1234") == (404, "Not found")

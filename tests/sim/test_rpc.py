"""fluxd JSON-RPC over real HTTP: auth, reply envelope, error codes and result shapes."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from flux.money import COIN
from tests.sim import testkit as kit
from tests.sim.server import SimNetwork
from wallet.tx import Transaction

ALICE = kit.key("alice")
BOB = kit.key("bob")


def auth(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def call(sim: SimNetwork, method: str, *params: Any) -> tuple[int, dict[str, Any]]:
    payload = {"jsonrpc": "1.0", "id": "t", "method": method, "params": list(params)}
    async with aiohttp.ClientSession() as session, session.post(
        sim.rpc_url, json=payload, headers=auth(sim.rpc_user, sim.rpc_password)
    ) as response:
        return response.status, await response.json(content_type=None)


async def result(sim: SimNetwork, method: str, *params: Any) -> Any:
    status, reply = await call(sim, method, *params)
    assert status == 200 and reply["error"] is None and reply["id"] == "t", reply
    return reply["result"]


async def error(sim: SimNetwork, method: str, *params: Any) -> tuple[int, int, str]:
    status, reply = await call(sim, method, *params)
    assert reply["result"] is None
    return status, reply["error"]["code"], reply["error"]["message"]


@pytest.mark.asyncio
async def test_auth_and_envelope(sim: SimNetwork) -> None:
    async with aiohttp.ClientSession() as session:
        body = {"id": 1, "method": "getblockcount", "params": []}
        async with session.post(sim.rpc_url, json=body) as response:
            assert response.status == 401 and await response.text() == ""
        async with session.post(sim.rpc_url, json=body, headers=auth(sim.rpc_user, "wrong")) as r:
            assert r.status == 401
        async with session.get(sim.rpc_url, headers=auth(sim.rpc_user, sim.rpc_password)) as r:
            assert r.status == 405
        async with session.post(
            sim.rpc_url, data=b"{not json", headers=auth(sim.rpc_user, sim.rpc_password)
        ) as r:
            assert r.status == 500 and (await r.json())["error"]["code"] == -32700
    assert await result(sim, "getblockcount") == sim.height
    assert await error(sim, "nosuchmethod") == (404, -32601, "Method not found")


@pytest.mark.asyncio
async def test_a_batch_answers_each_call_with_its_id_as_fluxd_does(sim: SimNetwork) -> None:
    """fluxd's JSONRPCExecBatch: HTTP 200 and one reply per element, in order, errors inside."""
    funded = sim.fund(kit.address(ALICE), 5 * COIN)
    batch = [
        {"jsonrpc": "1.0", "id": 7, "method": "getrawtransaction", "params": [funded.txid, 0]},
        {"jsonrpc": "1.0", "id": 8, "method": "getrawtransaction", "params": ["ab" * 32, 0]},
        {"jsonrpc": "1.0", "id": "x", "method": "getrawtransaction", "params": ["zz", 0]},
        {"jsonrpc": "1.0", "id": 9, "method": "nosuchmethod", "params": []},
        "not an object",
        {"jsonrpc": "1.0", "id": 10, "method": "getblockcount"},
    ]
    async with aiohttp.ClientSession() as session, session.post(
        sim.rpc_url, json=batch, headers=auth(sim.rpc_user, sim.rpc_password)
    ) as response:
        assert response.status == 200
        replies = await response.json(content_type=None)
    assert [r["id"] for r in replies] == [7, 8, "x", 9, None, 10]
    assert replies[0]["error"] is None
    assert bytes.fromhex(replies[0]["result"]) == sim.chain.txs[funded.txid].raw
    assert replies[1]["result"] is None and replies[1]["error"]["code"] == -5
    assert replies[2]["error"]["code"] == -8
    assert replies[3]["error"] == {"code": -32601, "message": "Method not found"}
    assert replies[4]["error"] == {"code": -32600, "message": "Invalid Request object"}
    assert replies[5] == {"result": sim.height, "error": None, "id": 10}


@pytest.mark.asyncio
async def test_chain_queries(sim: SimNetwork) -> None:
    info = await result(sim, "getblockchaininfo")
    assert info["blocks"] == info["headers"] == sim.height
    assert info["bestblockhash"] == sim.chain.tip.hash
    assert (await result(sim, "getinfo"))["blocks"] == sim.height
    tip_hash = await result(sim, "getblockhash", sim.height)
    block = await result(sim, "getblock", tip_hash)
    assert block["height"] == sim.height and block["confirmations"] == 1
    assert block["previousblockhash"] == await result(sim, "getblockhash", sim.height - 1)
    assert await error(sim, "getblockhash", sim.height + 1) == (500, -8, "Block height out of range")
    assert await error(sim, "getblock", "00" * 32) == (500, -5, "Block not found")
    assert (await result(sim, "validateaddress", kit.address(ALICE)))["isvalid"] is True
    mainnet = "t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC"
    assert await result(sim, "validateaddress", mainnet) == {"isvalid": False}
    assert await result(sim, "estimatefee", 2) == -1


@pytest.mark.asyncio
async def test_address_index_and_transactions(sim: SimNetwork) -> None:
    alice, bob = kit.address(ALICE), kit.address(BOB)
    coin = sim.fund(alice, 2 * COIN, confirmations=2)
    utxos = await result(sim, "getaddressutxos", {"addresses": [alice]})
    assert utxos == [{
        "address": alice, "txid": coin.txid, "outputIndex": 0,
        "script": "76a914" + ALICE.pubkey_hash().hex() + "88ac", "satoshis": 2 * COIN,
        "height": sim.height - 1,
    }]
    with_info = await result(sim, "getaddressutxos", {"addresses": [alice], "chainInfo": True})
    assert with_info["height"] == sim.height and with_info["hash"] == sim.chain.tip.hash
    assert await result(sim, "getaddressbalance", {"addresses": [alice]}) == {
        "balance": 2 * COIN, "received": 2 * COIN,
    }
    raw = kit.raw_spend(sim, coin, ALICE, [(bob, COIN), (alice, COIN - 1000)])
    txid = await result(sim, "sendrawtransaction", raw)
    assert txid == Transaction.parse(bytes.fromhex(raw)).txid
    mempool = await result(sim, "getaddressmempool", {"addresses": [alice, bob]})
    assert {(d["address"], d["satoshis"]) for d in mempool} == {
        (alice, -2 * COIN), (bob, COIN), (alice, COIN - 1000),
    }
    spend = next(d for d in mempool if d["satoshis"] < 0)
    assert (spend["prevtxid"], spend["prevout"]) == (coin.txid, 0)
    assert await error(sim, "sendrawtransaction", raw[:-2]) == (500, -22, "TX decode failed")
    conflict = kit.raw_spend(sim, coin, ALICE, [(alice, 2 * COIN - 5000)])
    assert await error(sim, "sendrawtransaction", conflict) == (500, -25, "")
    sim.mine(1)
    assert await result(sim, "getaddresstxids", {"addresses": [alice]}) == [coin.txid, txid]
    assert await result(sim, "getaddresstxids", alice) == [coin.txid, txid]
    assert await result(sim, "getrawtransaction", txid, 0) == raw
    verbose = await result(sim, "getrawtransaction", txid, 1)
    assert verbose["hex"] == raw and verbose["confirmations"] == 1
    assert verbose["versiongroupid"] == "892f2085" and verbose["expiryheight"] > 0
    assert verbose["vin"][0]["valueSat"] == 2 * COIN and verbose["vin"][0]["address"] == alice
    assert verbose["vout"][0]["valueSat"] == COIN and verbose["vout"][0]["value"] == 1.0
    assert verbose["vout"][0]["scriptPubKey"]["addresses"] == [bob]
    assert await error(sim, "getrawtransaction", "ab" * 32, 1) == (
        500, -5, "No information available about transaction")
    assert await error(sim, "getrawtransaction", "xyz") == (
        500, -8, "parameter 1 must be hexadecimal string (not 'xyz')")
    assert await error(sim, "getaddressutxos", {"addresses": ["bogus"]}) == (
        500, -5, "Invalid address")
    assert await error(sim, "sendrawtransaction", raw) == (
        500, -27, "transaction already in block chain")


@pytest.mark.asyncio
async def test_amounts_print_like_fluxd(sim: SimNetwork) -> None:
    coin = sim.fund(kit.address(ALICE), 123_456_789)
    payload = {"id": 1, "method": "getrawtransaction", "params": [coin.txid, 1]}
    async with aiohttp.ClientSession() as session, session.post(
        sim.rpc_url, json=payload, headers=auth(sim.rpc_user, sim.rpc_password)
    ) as response:
        text = await response.text()
    assert '"value":1.23456789' in text and '"valueSat":123456789' in text


@pytest.mark.asyncio
async def test_wallet_backends_read_the_simulator(sim: SimNetwork) -> None:
    from flux.fluxconf import RpcConfig
    from wallet.backends.fluxd_rpc import FluxdRpcBackend
    from wallet.backends.insight import InsightBackend

    alice = kit.address(ALICE)
    coin = sim.fund(alice, 3 * COIN, confirmations=2)
    config = RpcConfig(sim.rpc_user, sim.rpc_password, port=sim.rpc_port, network="regtest")
    async with InsightBackend([sim.insight_url]) as insight, FluxdRpcBackend(config) as rpc:
        for backend in (insight, rpc):
            assert await backend.tip_height() == sim.height
            (utxo,) = await backend.utxos([alice])
            assert (utxo.txid, utxo.satoshis, utxo.confirmations) == (coin.txid, 3 * COIN, 2)
            assert (await backend.balances([alice]))[alice].confirmed == 3 * COIN
            page = await backend.history([alice])
            assert [i.txid for i in page.items] == [coin.txid]
            raw = await backend.raw_transaction(coin.txid)
            assert Transaction.parse(bytes.fromhex(raw)).txid == coin.txid


@pytest.mark.asyncio
async def test_wallet_backends_map_simulator_rejections(sim: SimNetwork) -> None:
    from flux.fluxconf import RpcConfig
    from wallet.backends.broadcast_errors import BroadcastKind
    from wallet.backends.fluxd_rpc import FluxdRpcBackend
    from wallet.backends.insight import InsightBackend
    from wallet.errors import BroadcastRejected

    alice, bob = kit.address(ALICE), kit.address(BOB)
    coin = sim.fund(alice, COIN)
    soon = kit.raw_spend(sim, coin, ALICE, [(bob, COIN - 1000)], expiry_delta=3)
    good = kit.raw_spend(sim, coin, ALICE, [(bob, COIN - 1000)])
    rival = kit.raw_spend(sim, coin, ALICE, [(bob, COIN - 2000)])
    config = RpcConfig(sim.rpc_user, sim.rpc_password, port=sim.rpc_port, network="regtest")
    async with InsightBackend([sim.insight_url]) as insight, FluxdRpcBackend(config) as rpc:
        for backend in (insight, rpc):
            with pytest.raises(BroadcastRejected) as info:
                await backend.broadcast(soon)
            assert info.value.kind == BroadcastKind.EXPIRING_SOON
        assert await insight.broadcast(good) == Transaction.parse(bytes.fromhex(good)).txid
        for backend in (insight, rpc):
            with pytest.raises(BroadcastRejected) as info:
                await backend.broadcast(rival)
            assert info.value.kind == BroadcastKind.CONFLICT

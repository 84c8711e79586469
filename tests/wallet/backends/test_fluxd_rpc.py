from __future__ import annotations

import pytest

from flux.fluxconf import RpcConfig, parse_flux_conf
from wallet.backends.broadcast_errors import BroadcastKind
from wallet.backends.fluxd_rpc import FluxdRpcBackend, RpcError
from wallet.errors import (
    BackendAuthError,
    BackendResponseError,
    BackendUnavailable,
    BroadcastRejected,
)

from .conftest import FakeFluxd, closed_port

A, B = "t1aaa", "t1bbb"
T1, T2, T3 = "11" * 32, "22" * 32, "33" * 32


def client(fake: FakeFluxd, port: int) -> FluxdRpcBackend:
    conf = (
        f"rpcuser={fake.user}\nrpcpassword={fake.password}\nrpcport={port}\nrpcallowip=127.0.0.1\n"
    )
    return FluxdRpcBackend(parse_flux_conf(conf), timeout=5)


@pytest.mark.asyncio
async def test_auth_from_flux_conf_and_tip(fluxd_server) -> None:
    fake, port = fluxd_server
    fake.results["getblockcount"] = 1_600_000
    async with client(fake, port) as rpc:
        assert await rpc.tip_height() == 1_600_000
    assert fake.calls == [("getblockcount", [])]


@pytest.mark.asyncio
async def test_wrong_password(fluxd_server) -> None:
    _, port = fluxd_server
    async with FluxdRpcBackend(
        RpcConfig("fluxrpc", "wrong", port=port, source="/x/flux.conf")
    ) as rpc:
        with pytest.raises(BackendAuthError, match=r"/x/flux\.conf") as info:
            await rpc.tip_height()
    assert "wrong" not in str(info.value)


@pytest.mark.asyncio
async def test_not_running() -> None:
    async with FluxdRpcBackend(RpcConfig("u", "p", port=closed_port()), timeout=2) as rpc:
        with pytest.raises(BackendUnavailable, match="connection refused"):
            await rpc.tip_height()


@pytest.mark.asyncio
async def test_utxos_merge_index_and_mempool(fluxd_server) -> None:
    fake, port = fluxd_server
    fake.results["getaddressutxos"] = lambda params: {
        "height": 1010,
        "hash": "00" * 32,
        "utxos": [
            {
                "address": A,
                "txid": T1,
                "outputIndex": 0,
                "script": "76a9",
                "satoshis": 5000,
                "height": 1001,
            },
            {
                "address": B,
                "txid": T1,
                "outputIndex": 1,
                "script": "76a9",
                "satoshis": 7000,
                "height": 1010,
            },
        ],
    }
    fake.results["getaddressmempool"] = [
        # T2 spends T1:1 and pays A 6000 (change) — T1:1 is gone, T2:0 is new.
        {
            "address": B,
            "txid": T2,
            "index": 0,
            "satoshis": -7000,
            "timestamp": 1,
            "prevtxid": T1,
            "prevout": 1,
        },
        {"address": A, "txid": T2, "index": 1, "satoshis": 6000, "timestamp": 1},
    ]
    async with client(fake, port) as rpc:
        coins = await rpc.utxos([A, B, A])
    assert [(c.txid, c.vout, c.satoshis, c.confirmations, c.height) for c in coins] == [
        (T1, 0, 5000, 10, 1001),
        (T2, 1, 6000, 0, None),
    ]
    assert fake.calls[0] == ("getaddressutxos", [{"addresses": [A, B], "chainInfo": True}])


@pytest.mark.asyncio
async def test_balances_and_history(fluxd_server) -> None:
    fake, port = fluxd_server
    fake.results["getaddressbalance"] = lambda params: (
        {"balance": 5000, "received": 12000}
        if params[0]["addresses"] == [A]
        else {"balance": 0, "received": 0}
    )
    fake.results["getaddressmempool"] = lambda params: (
        [{"address": A, "txid": T3, "index": 0, "satoshis": -5000, "prevtxid": T1, "prevout": 0}]
        if A in params[0]["addresses"]
        else []
    )
    fake.results["getaddresstxids"] = [T1, T2]
    async with client(fake, port) as rpc:
        balances = await rpc.balances([A, B])
        assert (balances[A].confirmed, balances[A].unconfirmed, balances[A].received) == (
            5000,
            -5000,
            12000,
        )
        assert not balances[B].used
        # Both addresses' balance and mempool calls travel as one JSON-RPC batch.
        assert rpc.requests_made == 1 and len(fake.calls) == 4
        page = await rpc.history([A], start=0, limit=2)
        assert rpc.requests_made == 2
        assert [(i.txid, i.confirmed) for i in page.items] == [(T3, False), (T2, True)]
        assert page.total == 3 and page.next_start == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("code", "message", "error", "text"),
    [
        (-28, "Loading block index...", BackendUnavailable, "still starting"),
        (-10, "Flux is downloading blocks...", BackendUnavailable, "downloading"),
        (
            -1,
            "Error: getaddressutxos is disabled. Run './flux-cli help getaddressutxos'",
            RpcError,
            "insightexplorer=1",
        ),
        (-8, "Invalid parameter", RpcError, "Invalid parameter"),
    ],
)
async def test_rpc_errors_mapped(fluxd_server, code, message, error, text) -> None:
    fake, port = fluxd_server
    fake.results["getblockcount"] = 5
    fake.errors["getaddressutxos"] = (code, message)
    async with client(fake, port) as rpc:
        with pytest.raises(error, match=text):
            await rpc.utxos([A])


@pytest.mark.asyncio
async def test_unknown_tx_and_method(fluxd_server) -> None:
    fake, port = fluxd_server
    fake.errors["getrawtransaction"] = (-5, "No information available about transaction")
    async with client(fake, port) as rpc:
        with pytest.raises(RpcError, match="txindex=1"):
            await rpc.raw_transaction(T1)
        with pytest.raises(RpcError, match="does not know the command"):
            await rpc.call("getnothing")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        (
            -26,
            "tx-expiring-soon: expiryheight is 10 but should be at least 14 to avoid transaction expiring soon",
            BroadcastKind.EXPIRING_SOON,
        ),
        (-26, "64: dust", BroadcastKind.DUST),
        (-25, "", BroadcastKind.CONFLICT),
        (-25, "Missing inputs", BroadcastKind.MISSING_INPUTS),
        (-27, "transaction already in block chain", BroadcastKind.ALREADY_IN_CHAIN),
    ],
)
async def test_broadcast_errors(fluxd_server, code, message, kind) -> None:
    fake, port = fluxd_server
    fake.errors["sendrawtransaction"] = (code, message)
    async with client(fake, port) as rpc:
        with pytest.raises(BroadcastRejected) as info:
            await rpc.broadcast("0400")
    assert info.value.kind == kind


@pytest.mark.asyncio
async def test_broadcast_fee_and_raw(fluxd_server) -> None:
    fake, port = fluxd_server
    fake.results["sendrawtransaction"] = T1
    fake.results["getrawtransaction"] = "0400AB"
    fake.results["estimatefee"] = 0.00001
    async with client(fake, port) as rpc:
        assert await rpc.broadcast("0400ab") == T1
        assert await rpc.raw_transaction(T1) == "0400ab"
        assert await rpc.fee_estimate() == 1000
        fake.results["estimatefee"] = -1
        assert await rpc.fee_estimate() is None
        fake.results["getrawtransaction"] = {"hex": "00"}
        with pytest.raises(BackendResponseError):
            await rpc.raw_transaction(T1)
        fake.results["getblockcount"] = "tall"
        with pytest.raises(BackendResponseError):
            await rpc.tip_height()
    assert fake.calls[0] == ("sendrawtransaction", ["0400ab"])


@pytest.mark.asyncio
async def test_malformed_utxo_reply(fluxd_server) -> None:
    fake, port = fluxd_server
    coin = {
        "address": A,
        "txid": T1,
        "outputIndex": 0,
        "script": "76",
        "satoshis": "5000",
        "height": 1,
    }
    fake.results["getaddressutxos"] = {"height": 10, "utxos": [coin]}
    fake.results["getaddressmempool"] = []
    async with client(fake, port) as rpc:
        with pytest.raises(BackendResponseError, match="satoshis"):
            await rpc.utxos([A])
        # An old fluxd that ignores chainInfo answers with a bare list: refused, not guessed.
        fake.results["getaddressutxos"] = [{**coin, "satoshis": 5000}]
        with pytest.raises(BackendResponseError, match="should be an object"):
            await rpc.utxos([A])

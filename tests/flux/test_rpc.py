"""The fluxd JSON-RPC client against the simulator's fluxd and a few misbehaving servers."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from flux.fluxconf import RpcConfig
from flux.money import COIN
from flux.rpc import (
    RPC_INVALID_ADDRESS_OR_KEY,
    RPC_METHOD_NOT_FOUND,
    FluxdClient,
    RpcAuthFailed,
    RpcBadReply,
    RpcCallError,
    RpcUnreachable,
    call,
)
from tests.sim import testkit as kit
from tests.sim.fixtures import sim
from tests.sim.server import SimNetwork

__all__ = ["sim"]


def _client(sim: SimNetwork, password: str | None = None) -> FluxdClient:
    config = RpcConfig(
        sim.rpc_user, password or sim.rpc_password, port=sim.rpc_port, network="regtest"
    )
    return FluxdClient(config, timeout=10)


@pytest.mark.asyncio
async def test_single_call_and_refused_call(sim: SimNetwork) -> None:
    async with _client(sim) as client:
        assert await client.call("getblockcount") == sim.height
        with pytest.raises(RpcCallError) as info:
            await client.call("nosuchmethod")
        assert info.value.code == RPC_METHOD_NOT_FOUND and info.value.method == "nosuchmethod"
        assert "nosuchmethod" in str(info.value)


@pytest.mark.asyncio
async def test_batch_is_one_request_with_a_result_or_error_per_call(sim: SimNetwork) -> None:
    alice = kit.address(kit.key("alice"))
    coin = sim.fund(alice, 2 * COIN, confirmations=1)
    async with _client(sim) as client:
        results = await client.batch(
            [
                call("getblockcount"),
                call("getaddressbalance", {"addresses": [alice]}),
                call("getrawtransaction", "00" * 32, 0),
                call("getaddresstxids", {"addresses": [alice]}),
            ]
        )
        assert client.requests_made == 1
    assert results[0] == sim.height
    assert results[1]["balance"] == 2 * COIN
    assert isinstance(results[2], RpcCallError)
    assert results[2].code == RPC_INVALID_ADDRESS_OR_KEY
    assert results[3] == [coin.txid]


@pytest.mark.asyncio
async def test_empty_batch_sends_nothing(sim: SimNetwork) -> None:
    async with _client(sim) as client:
        assert await client.batch([]) == []
        assert client.requests_made == 0


@pytest.mark.asyncio
async def test_wrong_password_is_an_auth_failure(sim: SimNetwork) -> None:
    async with _client(sim, password="wrong") as client:
        with pytest.raises(RpcAuthFailed, match="rpcpassword") as info:
            await client.call("getblockcount")
    assert info.value.status == 401
    assert "wrong" not in str(info.value)


@pytest.mark.asyncio
async def test_nobody_listening_is_unreachable(unused_tcp_port: int) -> None:
    config = RpcConfig("u", "p", port=unused_tcp_port)
    async with FluxdClient(config, timeout=5) as client:
        with pytest.raises(RpcUnreachable, match="not reachable") as info:
            await client.call("getblockcount")
    assert info.value.reason == "connection refused"


Answer = Callable[[Any], Any]


@pytest_asyncio.fixture
async def fake_fluxd(unused_tcp_port: int) -> AsyncIterator[tuple[RpcConfig, list[Answer]]]:
    """A server whose batch answer is whatever the test's function makes of the request."""
    answer: list[Answer] = []

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        reply = answer[0](body)
        if inspect.isawaitable(reply):
            reply = await reply
        return web.Response(text=json.dumps(reply), content_type="application/json")

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        yield RpcConfig("u", "p", port=unused_tcp_port), answer
    finally:
        await runner.cleanup()


def _ok(request: dict[str, Any]) -> dict[str, Any]:
    return {"result": request["method"], "error": None, "id": request["id"]}


@pytest.mark.asyncio
async def test_batch_replies_are_matched_by_id_not_by_position(fake_fluxd) -> None:
    config, answer = fake_fluxd
    answer.append(lambda body: [_ok(r) for r in reversed(body)])
    async with FluxdClient(config) as client:
        assert await client.batch([call("a"), call("b"), call("c")]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    "make",
    [
        lambda body: [_ok(r) for r in body[:-1]],  # one reply missing
        lambda body: [_ok(body[0]), _ok(body[0]), _ok(body[1])],  # an id twice
        lambda body: [_ok(r) for r in body] + [{"result": 1, "error": None, "id": 999}],
        lambda body: [{**_ok(r), "id": str(r["id"])} for r in body],  # ids of another type
        lambda body: _ok(body[0]),  # an object, not a list
    ],
)
@pytest.mark.asyncio
async def test_batch_answers_that_cannot_be_right_are_refused(fake_fluxd, make) -> None:
    config, answer = fake_fluxd
    answer.append(make)
    async with FluxdClient(config) as client:
        with pytest.raises(RpcBadReply):
            await client.batch([call("a"), call("b"), call("c")])


@pytest.mark.asyncio
async def test_a_silent_fluxd_is_unreachable_and_marked_as_timed_out(fake_fluxd) -> None:
    config, answer = fake_fluxd
    release = asyncio.Event()

    async def hang(_body: Any) -> Any:
        await release.wait()
        return {}

    answer.append(hang)
    try:
        async with FluxdClient(config, timeout=0.3) as client:
            with pytest.raises(RpcUnreachable) as info:
                await client.call("getinfo")
        assert info.value.timed_out and "0.3" in info.value.reason
    finally:
        release.set()


@pytest.mark.parametrize(
    "reply",
    [[1, 2], "just a string", {"id": 1}, {"error": "not an object", "id": 1}, None],
)
@pytest.mark.asyncio
async def test_single_replies_that_cannot_be_right_are_bad_replies(fake_fluxd, reply) -> None:
    config, answer = fake_fluxd
    answer.append(lambda _body: reply)
    async with FluxdClient(config) as client:
        with pytest.raises(RpcBadReply):
            await client.call("getinfo")

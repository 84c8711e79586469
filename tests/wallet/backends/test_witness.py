"""The second-source check on its own: merkle root, block hash agreement, unreachable witness."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from tests.wallet.backends.conftest import closed_port, start
from tests.wallet.backends.liars import BlockServer
from wallet.backends.base import Trust
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.backends.witness import InsightWitness, merkle_root, witness_for

FAST = RetryPolicy(rounds=1, total_timeout=5.0)
TXS = ["11" * 32, "22" * 32, "33" * 32]
HEIGHT = 500


def block(txids: list[str], tag: str = "aa") -> tuple[str, str, list[str]]:
    return (tag * 32, merkle_root(txids), txids)


@pytest_asyncio.fixture
async def pair() -> AsyncIterator[tuple[BlockServer, BlockServer, list[str]]]:
    ours, other = BlockServer(), BlockServer()
    runners = []
    urls = []
    for server in (ours, other):
        runner, url = await start(server.app())
        runners.append(runner)
        urls.append(url + "/api")
    try:
        yield ours, other, urls
    finally:
        for runner in runners:
            await runner.cleanup()


async def check(urls: list[str], txid: str) -> Trust:
    async with InsightBackend(urls, retry=FAST) as backend:
        await backend.tip_height()  # the first server answers: it is the one "in use"
        return await InsightWitness(backend).check(txid, HEIGHT)


def test_merkle_root_of_one_and_of_an_odd_count() -> None:
    assert merkle_root([TXS[0]]) == TXS[0]
    assert merkle_root(TXS) != merkle_root(TXS[:2])
    assert merkle_root(TXS) == merkle_root([*TXS, TXS[-1]])


@pytest.mark.asyncio
async def test_agreeing_servers_verify_and_a_missing_tx_is_disputed(pair) -> None:
    ours, other, urls = pair
    ours.blocks[HEIGHT] = other.blocks[HEIGHT] = block(TXS)
    assert await check(urls, TXS[1]) is Trust.VERIFIED
    assert await check(urls, "44" * 32) is Trust.DISPUTED


@pytest.mark.asyncio
async def test_servers_naming_different_blocks_dispute(pair) -> None:
    ours, other, urls = pair
    ours.blocks[HEIGHT] = block(TXS, "bb")
    other.blocks[HEIGHT] = block(TXS, "aa")
    assert await check(urls, TXS[0]) is Trust.DISPUTED


@pytest.mark.asyncio
async def test_a_block_whose_txids_miss_its_merkle_root_proves_nothing(pair) -> None:
    ours, other, urls = pair
    ours.blocks[HEIGHT] = block(TXS)
    forged = block(TXS)
    other.blocks[HEIGHT] = (forged[0], forged[1], [*TXS, "44" * 32])
    assert await check(urls, "44" * 32) is Trust.SINGLE_SOURCE


@pytest.mark.asyncio
async def test_an_unreachable_second_server_leaves_the_coin_single_source(pair) -> None:
    ours, _, urls = pair
    ours.blocks[HEIGHT] = block(TXS)
    down = f"http://127.0.0.1:{closed_port()}/api"
    assert await check([urls[0], down], TXS[0]) is Trust.SINGLE_SOURCE


def test_which_backends_get_a_witness() -> None:
    one = InsightBackend(["http://127.0.0.1:1/api"])
    two = InsightBackend(["http://127.0.0.1:1/api", "http://127.0.0.1:2/api"])
    assert witness_for(one) == (None, False)
    witness, trusted = witness_for(two)
    assert isinstance(witness, InsightWitness) and not trusted
    local = FluxdRpcBackend(RpcConfig("user", "pw", port=closed_port()))
    assert witness_for(local) == (None, True)

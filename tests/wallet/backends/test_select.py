from __future__ import annotations

from pathlib import Path

import pytest

from flux.fluxconf import RpcConfig
from flux.http import RetryPolicy
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.backends.select import choose_backend, local_fluxd

from .conftest import closed_port

FAST = RetryPolicy(rounds=1, total_timeout=2.0)


def synced_node(fake, blocks: int = 2000, headers: int = 2000) -> None:
    fake.results["getblockchaininfo"] = {
        "blocks": blocks,
        "headers": headers,
        "verificationprogress": 0.9999,
    }
    fake.results["getaddressmempool"] = []


@pytest.mark.asyncio
async def test_local_node_used_when_synced(insight_server, fluxd_server) -> None:
    insight_fake, url = insight_server
    fake, port = fluxd_server
    synced_node(fake)
    insight_fake.tip = 2001
    async with (
        InsightBackend([url], retry=FAST) as insight,
        FluxdRpcBackend(RpcConfig(fake.user, fake.password, port=port)) as rpc,
    ):
        choice = await choose_backend(insight, rpc)
    assert choice.local and choice.backend is rpc
    assert "block 2000 of 2000" in choice.reason


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda f: synced_node(f, 1500, 2000), "syncing"),
        (
            lambda f: (
                synced_node(f),
                f.errors.update(getaddressmempool=(-1, "Error: getaddressmempool is disabled.")),
            ),
            "address index",
        ),
        (
            lambda f: f.errors.update(getblockchaininfo=(-28, "Loading block index...")),
            "still starting",
        ),
        (lambda f: synced_node(f, 1990, 1990), "behind"),
    ],
)
async def test_falls_back_to_insight(insight_server, fluxd_server, setup, reason: str) -> None:
    insight_fake, url = insight_server
    fake, port = fluxd_server
    insight_fake.tip = 2000
    setup(fake)
    async with (
        InsightBackend([url], retry=FAST) as insight,
        FluxdRpcBackend(RpcConfig(fake.user, fake.password, port=port)) as rpc,
    ):
        choice = await choose_backend(insight, rpc)
    assert not choice.local and choice.backend is insight
    assert reason in choice.reason


@pytest.mark.asyncio
async def test_node_down_or_absent(insight_server, tmp_path: Path) -> None:
    _, url = insight_server
    async with InsightBackend([url], retry=FAST) as insight:
        down = FluxdRpcBackend(RpcConfig("u", "p", port=closed_port()), timeout=2)
        choice = await choose_backend(insight, down)
        assert not choice.local and "not reachable" in choice.reason
        await down.close()
        assert "no local fluxd" in (await choose_backend(insight, None)).reason
    rpc, why = local_fluxd(tmp_path / "flux.conf")
    assert rpc is None and "No flux.conf" in why
    (tmp_path / "flux.conf").write_text("rpcuser=u\nrpcpassword=p\n")
    rpc, why = local_fluxd(tmp_path / "flux.conf")
    assert rpc is not None and why == "" and rpc.name == "local fluxd 127.0.0.1:16124"

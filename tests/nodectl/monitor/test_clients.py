"""The monitor's clients against the simulated node: good replies, and every kind of failure
ends as a typed error with a plain message and a next step, never a crash."""

from __future__ import annotations

import pytest

from nodectl.monitor.errors import (
    BadReply,
    MonitorError,
    NotAllowed,
    SourceDown,
    SourceRefused,
    SourceTimeout,
)
from nodectl.monitor.fluxd import RpcFluxd
from nodectl.monitor.fluxos import FluxosApi
from tests.sim.nodeapi.script import MALFORMED, OUTIDX, TIMEOUT, TXID, UNAUTHORIZED
from tests.sim.nodeapi.servers import RPC_USER

pytestmark = pytest.mark.asyncio


async def test_fluxd_reads_chain_status_and_rank(node) -> None:
    node.script.syncing(behind=3)
    info = await node.fluxd.getblockchaininfo()
    assert (info.blocks, info.headers) == (node.script.height, node.script.headers)
    status = await node.fluxd.getfluxnodestatus()
    assert status.status == "CONFIRMED" and status.outidx == "0" and status.tier == "CUMULUS"
    assert status.last_confirmed_height == node.script.last_confirmed_height
    entry = await node.fluxd.list_entry(TXID, OUTIDX)
    assert entry is not None and entry.rank == node.script.rank  # not the other output's rank


async def test_fluxd_expired_status_has_only_state(node) -> None:
    node.script.expired()
    status = await node.fluxd.getfluxnodestatus()
    assert status.status == "EXPIRED" and status.last_confirmed_height is None


async def test_fluxd_list_refused_while_syncing(node) -> None:
    node.script.syncing()
    with pytest.raises(SourceRefused) as caught:
        await node.fluxd.list_entry(TXID, OUTIDX)
    assert caught.value.code == -10 and "synced" in caught.value.next_step


@pytest.mark.parametrize(("fault", "error"), [
    (TIMEOUT, SourceTimeout), (MALFORMED, BadReply), (UNAUTHORIZED, NotAllowed),
])
async def test_fluxd_faults_are_typed(node, fault, error) -> None:
    node.script.faults["fluxd"] = fault
    node.script.delay_s = 3.0
    with pytest.raises(error) as caught:
        await node.fluxd.getblockchaininfo()
    assert caught.value.message and caught.value.next_step


async def test_fluxd_wrong_password_and_down(node) -> None:
    wrong = RpcFluxd(node.fluxd_url, RPC_USER, "nope", timeout=1.0)
    with pytest.raises(NotAllowed) as caught:
        await wrong.getfluxnodestatus()
    assert "nope" not in str(caught.value) and "nope" not in repr(wrong)
    await wrong.close()
    down = RpcFluxd("http://127.0.0.1:9", RPC_USER, "x", timeout=1.0)
    with pytest.raises(SourceDown) as down_error:
        await down.getblockchaininfo()
    assert "systemctl start zelcash" in down_error.value.next_step
    await down.close()


async def test_fluxos_envelope_and_routes(node) -> None:
    assert await node.fluxos.version() == "8.17.0"
    assert (await node.fluxos.clock_drift()).offset_s == pytest.approx(0.01)
    assert await node.fluxos.owner_flux_id() == node.script.owner_id
    assert await node.fluxos.public_ip() == node.script.ip
    assert (await node.fluxos.fluxnode_status()).status == "CONFIRMED"
    assert (await node.fluxos.bench_status()).benchmarking == "CUMULUS"
    assert await node.fluxos.login_refusal() is None


async def test_fluxos_owner_id_on_an_older_fluxos(node) -> None:
    node.script.old_fluxos = True
    assert await node.fluxos.owner_flux_id() == node.script.owner_id
    assert node.fluxos_hits["/flux/id"] == 1 and node.fluxos_hits["/flux/zelid"] == 1


async def test_fluxos_401_inside_http_200(node) -> None:
    with pytest.raises(NotAllowed) as caught:
        await node.fluxos.get("/flux/tailbenchmarkdebug")
    assert "Flux ID" in caught.value.next_step


async def test_fluxos_login_refusal_reason(node) -> None:
    node.script.login_refusal = ("DOS", "Node is in DOS state: IP changes over the limit")
    assert await node.fluxos.login_refusal() == "Node is in DOS state: IP changes over the limit"


async def test_fluxos_replies_are_kept_for_the_cache_time(node) -> None:
    now = [1000.0]
    api = FluxosApi(node.fluxos_url, timeout=1.0, clock=lambda: now[0])
    await api.version()
    node.script.fluxos_version = "8.18.0"
    now[0] += 29
    assert await api.version() == "8.17.0"  # FluxOS itself would send the cached reply
    assert node.fluxos_hits["/flux/version"] == 1
    now[0] += 2
    assert await api.version() == "8.18.0"
    await api.fluxnode_status()
    now[0] += 45
    await api.fluxnode_status()  # 60 s cache on this route
    assert node.fluxos_hits["/daemon/getfluxnodestatus"] == 1
    await api.close()


@pytest.mark.parametrize(("fault", "error"), [(TIMEOUT, SourceTimeout), (MALFORMED, BadReply),
                                              (UNAUTHORIZED, NotAllowed)])
async def test_fluxos_faults_are_typed(node, fault, error) -> None:
    node.script.faults["fluxos"] = fault
    node.script.delay_s = 3.0
    with pytest.raises(error):
        await node.fluxos.version()


async def test_fluxos_down_is_typed(node) -> None:
    node.script.fluxos_up = False
    with pytest.raises(BadReply):  # HTTP 503 without an envelope: something else answers
        await node.fluxos.version()
    api = FluxosApi("http://127.0.0.1:9", timeout=1.0)
    with pytest.raises(SourceDown) as caught:
        await api.version()
    assert "pm2 start flux" in caught.value.next_step
    await api.close()


async def test_fluxbench_through_its_cli(node) -> None:
    node.script.bench_failed("Failed: EPS below minimum")
    status = await node.bench.status()
    assert (status.status, status.benchmarking, status.flux) == ("online", "failed", "connected")
    figures = await node.bench.benchmarks()
    assert figures.error == "Failed: EPS below minimum" and figures.dws == 450.0
    assert await node.bench.version() == "6.3.1"


async def test_fluxbench_faults_are_typed(node) -> None:
    node.script.faults["fluxbench"] = MALFORMED
    with pytest.raises(MonitorError):
        await node.bench.status()
    with pytest.raises(MonitorError):
        await node.bench.benchmarks()
    node.script.faults["fluxbench"] = UNAUTHORIZED
    with pytest.raises(SourceRefused) as caught:
        await node.bench.status()
    assert "rpcpassword" in caught.value.reason

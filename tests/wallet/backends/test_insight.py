from __future__ import annotations

import pytest

from flux.http import RetryPolicy
from wallet.backends.broadcast_errors import BroadcastKind
from wallet.backends.insight import (
    DEFAULT_INSIGHT_SERVERS,
    InsightBackend,
    normalize_server_url,
    servers_for,
)
from wallet.errors import BackendError, BackendResponseError, BackendUnavailable, BroadcastRejected

from .conftest import SleepRecorder, closed_port

FAST = RetryPolicy(rounds=3, backoff=0.1, factor=2.0, jitter=0.0, total_timeout=2.0)
TXID = "11" * 32
SCRIPT = "76a914" + "00" * 20 + "88ac"


def utxo(address: str, vout: int = 0, sat: int = 150_000_000, conf: int = 5) -> dict:
    return {
        "address": address,
        "txid": TXID,
        "vout": vout,
        "scriptPubKey": SCRIPT,
        "amount": sat / 1e8,
        "satoshis": sat,
        "height": 1000,
        "confirmations": conf,
    }


def down_url() -> str:
    return f"http://127.0.0.1:{closed_port()}/api"


@pytest.mark.asyncio
async def test_utxos_parsed_to_satoshis(insight_server) -> None:
    fake, url = insight_server
    fake.utxos["t1a"] = [utxo("t1a", 0), {**utxo("t1a", 1, 5000, 0), "height": None}]
    async with InsightBackend([url], retry=FAST) as backend:
        coins = await backend.utxos(["t1a"])
    assert [(c.vout, c.satoshis, c.height, c.confirmations) for c in coins] == [
        (0, 150_000_000, 1000, 5),
        (1, 5000, None, 0),
    ]
    assert coins[0].script_pubkey == bytes.fromhex(SCRIPT)


@pytest.mark.asyncio
async def test_failover_when_first_server_refuses(insight_server, sleeps: SleepRecorder) -> None:
    fake, url = insight_server
    fake.utxos["t1a"] = [utxo("t1a")]
    async with InsightBackend([down_url(), url], retry=FAST, sleep=sleeps) as backend:
        assert len(await backend.utxos(["t1a"])) == 1
        assert backend.requests_made == 2
        assert sleeps.delays == []  # the second server answered in the same round
        # The working server is now asked first.
        assert await backend.tip_height() == fake.tip
        assert backend.requests_made == 3
        assert backend.name.startswith("Insight 127.0.0.1")


@pytest.mark.asyncio
async def test_all_servers_down_is_a_clear_error(sleeps: SleepRecorder) -> None:
    async with InsightBackend([down_url(), down_url()], retry=FAST, sleep=sleeps) as backend:
        with pytest.raises(BackendUnavailable, match="connection refused") as info:
            await backend.tip_height()
    assert "Settings" in str(info.value)
    assert backend.requests_made == 6  # 3 rounds x 2 servers
    assert sleeps.delays == [0.1, 0.2]  # exponential backoff between rounds


@pytest.mark.asyncio
async def test_retry_with_backoff_on_server_errors(insight_server, sleeps: SleepRecorder) -> None:
    fake, url = insight_server
    fake.fail_first = [503, 502]
    async with InsightBackend([url], retry=FAST, sleep=sleeps) as backend:
        assert await backend.tip_height() == fake.tip
    assert len(fake.log) == 3
    assert sleeps.delays == [0.1, 0.2]


@pytest.mark.asyncio
async def test_rate_limit_is_retried(insight_server, sleeps: SleepRecorder) -> None:
    fake, url = insight_server
    fake.fail_first = [429]
    async with InsightBackend([url], retry=FAST, sleep=sleeps) as backend:
        assert await backend.tip_height() == fake.tip
    assert sleeps.delays == [0.1]


@pytest.mark.asyncio
async def test_timeout_fails_over(insight_server, second_insight) -> None:
    slow, slow_url = insight_server
    good, good_url = second_insight
    slow.delay = 1.0
    policy = RetryPolicy(rounds=1, total_timeout=0.3, connect_timeout=0.3)
    async with InsightBackend([slow_url, good_url], retry=policy) as backend:
        assert await backend.tip_height() == good.tip


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        ("<html>502 Bad Gateway</html>", "not valid JSON"),
        # json refuses integers over 4300 digits with a plain ValueError.
        ('{"info": {"blocks": 1' + "0" * 5000 + "}}", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ('{"info": {"blocks": "1500000"}}', "whole number"),
        ('{"info": {"blocks": -5}}', "out of range"),
        ("[]", "should be an object"),
        ('{"info": null}', "should be an object"),
    ],
)
async def test_malformed_reply_is_a_clear_error(
    insight_server, sleeps, garbage: str, reason: str
) -> None:
    fake, url = insight_server
    fake.garbage = garbage
    async with InsightBackend([url], retry=FAST, sleep=sleeps) as backend:
        with pytest.raises(BackendResponseError, match=reason) as info:
            await backend.tip_height()
    assert "Nothing was signed" in str(info.value)
    assert len(fake.log) == 1 and sleeps.delays == []  # garbage is not retried


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "field_value",
    [
        {"satoshis": "150000000"},
        {"satoshis": 1.5},
        {"satoshis": -1},
        {"satoshis": 10**18},
        {"txid": "zz"},
        {"vout": None},
        {"scriptPubKey": "xyz"},
        {"address": "t1other"},
        {"confirmations": True},
        {"coinbase": "yes"},
    ],
)
async def test_wrong_types_in_utxos(insight_server, field_value: dict) -> None:
    fake, url = insight_server
    fake.utxos["t1a"] = [{**utxo("t1a"), **field_value}]
    async with InsightBackend([url], retry=FAST) as backend:
        with pytest.raises(BackendResponseError):
            await backend.utxos(["t1a"])


@pytest.mark.asyncio
async def test_bad_server_is_skipped_for_a_good_one(insight_server, second_insight) -> None:
    bad, bad_url = insight_server
    good, good_url = second_insight
    bad.garbage = "not json"
    good.utxos["t1a"] = [utxo("t1a")]
    async with InsightBackend([bad_url, good_url], retry=FAST) as backend:
        assert len(await backend.utxos(["t1a"])) == 1


@pytest.mark.asyncio
async def test_utxo_requests_are_batched(insight_server) -> None:
    fake, url = insight_server
    addresses = [f"t1addr{i:03d}" for i in range(45)]
    for i, a in enumerate(addresses):
        fake.utxos[a] = [utxo(a, vout=i)]
    async with InsightBackend([url], retry=FAST, batch_size=20) as backend:
        coins = await backend.utxos(addresses + addresses[:5])  # duplicates asked once
    assert sorted(c.vout for c in coins) == list(range(45))
    paths = [path for _, path, _ in fake.log]
    assert len(paths) == 3
    sizes = sorted(len(p.split("/")[3].split(",")) for p in paths)
    assert sizes == [5, 20, 20]


@pytest.mark.asyncio
async def test_same_utxo_from_two_batches_counted_once(insight_server) -> None:
    fake, url = insight_server
    fake.utxos["t1a"] = [utxo("t1a")]
    fake.utxos["t1b"] = [{**utxo("t1a"), "address": "t1b"}]
    async with InsightBackend([url], retry=FAST, batch_size=1) as backend:
        assert len(await backend.utxos(["t1a", "t1b"])) == 1


@pytest.mark.asyncio
async def test_balances(insight_server) -> None:
    fake, url = insight_server
    fake.summaries["t1a"] = {
        "addrStr": "t1a",
        "balanceSat": 500,
        "unconfirmedBalanceSat": -200,
        "totalReceivedSat": 900,
        "balance": 0.000005,
    }
    async with InsightBackend([url], retry=FAST) as backend:
        result = await backend.balances(["t1a", "t1b"])
    assert (result["t1a"].confirmed, result["t1a"].unconfirmed, result["t1a"].used) == (
        500,
        -200,
        True,
    )
    assert not result["t1b"].used


@pytest.mark.asyncio
async def test_balance_for_another_address_is_refused(insight_server) -> None:
    fake, url = insight_server
    fake.summaries["t1a"] = {
        "addrStr": "t1zzz",
        "balanceSat": 1,
        "unconfirmedBalanceSat": 0,
        "totalReceivedSat": 1,
    }
    async with InsightBackend([url], retry=FAST) as backend:
        with pytest.raises(BackendResponseError, match="asked for t1a"):
            await backend.balances(["t1a"])


@pytest.mark.asyncio
async def test_history_paging_get_and_post(insight_server) -> None:
    fake, url = insight_server
    fake.txs = [
        {"txid": f"{i:064x}", "blockheight": 100 - i if i else -1, "confirmations": i}
        for i in range(7)
    ]
    async with InsightBackend([url], retry=FAST, batch_size=2) as backend:
        page = await backend.history(["t1a", "t1b"], start=0, limit=5)
        assert page.total == 7 and len(page.items) == 5 and page.next_start == 5
        assert page.items[0].confirmed is False and page.items[0].height is None
        assert page.items[1].height == 99
        last = await backend.history(["t1a", "t1b", "t1c"], start=5, limit=5)
        assert len(last.items) == 2 and last.next_start is None
        assert (await backend.history([])).items == []
    methods = [(m, path.split("?")[0]) for m, path, _ in fake.log]
    assert methods == [("GET", "/api/addrs/t1a,t1b/txs"), ("POST", "/api/addrs/txs")]
    assert fake.log[1][2] == {"addrs": "t1a,t1b,t1c", "from": 5, "to": 10}


@pytest.mark.asyncio
async def test_raw_transaction_and_fee(insight_server, second_insight) -> None:
    fake, url = insight_server
    fake.raw[TXID] = "0400ABCD"
    async with InsightBackend([url], retry=FAST) as backend:
        assert await backend.raw_transaction(TXID.upper()) == "0400abcd"
        with pytest.raises(BackendError, match="not a transaction id"):
            await backend.raw_transaction("1234")
        with pytest.raises(BackendResponseError, match="HTTP 404"):
            await backend.raw_transaction("22" * 32)
        assert await backend.fee_estimate() == 10_000  # 0.0001 FLUX per kB
        fake.fee = -1
        assert await backend.fee_estimate() is None
        fake.fee = "lots"
        with pytest.raises(BackendResponseError):
            await backend.fee_estimate()


@pytest.mark.asyncio
async def test_broadcast_ok(insight_server) -> None:
    fake, url = insight_server
    async with InsightBackend([url], retry=FAST) as backend:
        assert await backend.broadcast("0400") == "ab" * 32
        with pytest.raises(BackendError, match="not hex"):
            await backend.broadcast("zz")
    assert fake.log[-1][2] == {"rawtx": "0400"}


@pytest.mark.asyncio
async def test_broadcast_rejection_is_mapped_and_not_retried(
    insight_server, second_insight
) -> None:
    first, first_url = insight_server
    second, second_url = second_insight
    first.broadcast_reply = (
        400,
        "16: tx-expiring-soon: expiryheight is 100 but should be at least 104. Code:-26",
    )
    async with InsightBackend([first_url, second_url], retry=FAST) as backend:
        with pytest.raises(BroadcastRejected) as info:
            await backend.broadcast("0400")
    assert info.value.kind == BroadcastKind.EXPIRING_SOON and info.value.code == -26
    assert "Refresh" in str(info.value)
    assert second.log == []


def test_server_urls() -> None:
    assert normalize_server_url(" https://x.example/api/ ") == "https://x.example/api"
    for bad in ("ftp://x/api", "x.example", "https://x/api?key=1", ""):
        with pytest.raises(BackendError):
            normalize_server_url(bad)
    assert servers_for("mainnet") == list(DEFAULT_INSIGHT_SERVERS["mainnet"])
    assert servers_for("mainnet", ["http://127.0.0.1:3001/api/"]) == ["http://127.0.0.1:3001/api"]
    with pytest.raises(BackendError, match="No Insight server"):
        InsightBackend(servers_for("regtest"))


@pytest.mark.asyncio
async def test_large_reply_read_completely(insight_server) -> None:
    fake, url = insight_server
    addresses = [f"t1big{i:04d}" for i in range(5)]
    for a in addresses:
        fake.utxos[a] = [utxo(a, vout=v, sat=v + 1) for v in range(2000)]
    async with InsightBackend([url], retry=FAST) as backend:
        coins = await backend.utxos(addresses)
    # ~1.5 MB of JSON arrives in many TCP reads; every coin must be there.
    assert len(coins) == 2000  # same txid/vout across addresses is one outpoint
    assert sum(c.satoshis for c in coins) == sum(range(1, 2001))


@pytest.mark.asyncio
async def test_oversized_reply_is_refused(insight_server, monkeypatch) -> None:
    from flux import http

    fake, url = insight_server
    fake.utxos["t1a"] = [utxo("t1a", vout=v) for v in range(200)]
    monkeypatch.setattr(http, "MAX_REPLY_BYTES", 10_000)
    async with InsightBackend([url], retry=RetryPolicy(rounds=1)) as backend:
        with pytest.raises(BackendUnavailable, match="too large"):
            await backend.utxos(["t1a"])

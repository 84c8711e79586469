"""Memory exhaustion: a lying server's huge or countless transactions end in a typed error while
memory stays bounded (tracemalloc peak, and counts of what was fetched)."""

from __future__ import annotations

import gc
import hashlib
import os
import struct
import tracemalloc

import pytest

from flux.http import RetryPolicy
from tests.wallet.backends.conftest import start
from tests.wallet.backends.liars import FixedHistory
from wallet.backends import parsing as p
from wallet.backends.insight import InsightBackend
from wallet.backends.verify import verify_transaction
from wallet.errors import BackendResponseError
from wallet.keychain import Keychain
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import WalletSync
from wallet.txcodec import MAX_TX_BYTES, MAX_TX_OUTPUTS

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
FAST = RetryPolicy(rounds=1, total_timeout=120.0)
MB = 1024 * 1024


def raw_tx(outputs: int, script: bytes = b"") -> tuple[str, str]:
    """(txid, raw hex) of a v1 transaction with `outputs` identical outputs, built directly."""
    body = struct.pack("<I", 1) + b"\x01" + os.urandom(32) + b"\x00\x00\x00\x00\x01\x51"
    body += b"\xff\xff\xff\xff"
    body += b"\xfe" + struct.pack("<I", outputs) if outputs > 0xFFFF else (
        b"\xfd" + struct.pack("<H", outputs) if outputs >= 0xFD else bytes([outputs])
    )
    body += (struct.pack("<q", 0) + bytes([len(script)]) + script) * outputs
    body += b"\x00\x00\x00\x00"
    txid = hashlib.sha256(hashlib.sha256(body).digest()).digest()[::-1].hex()
    return txid, body.hex()


def peak_of(fn) -> tuple[object, int]:
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_checking_a_long_hex_reply_needs_no_memory() -> None:
    text = os.urandom(1_000_000).hex()
    ok, peak = peak_of(lambda: p.is_hex(text))
    assert ok and peak < MB
    assert not p.is_hex(text + "0") and not p.is_hex(text[:-1] + "g")


def test_a_transaction_larger_than_fluxd_allows_is_a_bad_reply() -> None:
    script = b"\x6a" + b"\x00" * 200  # OP_RETURN, 201 bytes: no sigops
    txid, raw = raw_tx(MAX_TX_BYTES // 210 + 1, script)
    assert len(raw) // 2 > MAX_TX_BYTES
    with pytest.raises(p.BadReply, match="larger than"):
        verify_transaction(raw, txid)


def test_a_transaction_with_too_many_outputs_is_a_bad_reply() -> None:
    txid, raw = raw_tx(MAX_TX_OUTPUTS + 1)
    assert len(raw) // 2 < MAX_TX_BYTES
    with pytest.raises(p.BadReply, match="output count"):
        verify_transaction(raw, txid)
    txid, raw = raw_tx(MAX_TX_OUTPUTS)
    assert len(verify_transaction(raw, txid).outputs) == MAX_TX_OUTPUTS


async def sync_history(server: FixedHistory) -> None:
    runner, url = await start(server.app())
    try:
        async with InsightBackend([url + "/api"], retry=FAST) as backend:
            keychain = Keychain.from_document(
                WalletDocument(kind=HdSeed(MNEMONIC), network="testnet")
            )
            await WalletSync(keychain, backend).sync()
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_twenty_fake_transactions_of_100k_outputs_end_in_an_error_not_a_gigabyte() -> None:
    server = FixedHistory()
    for _ in range(20):
        txid, raw = raw_tx(100_000)
        server.raw[txid] = raw
        server.heights[txid] = server.tip - 5
    server.txs = [{"txid": t, "blockheight": h, "confirmations": 6} for t, h in
                  server.heights.items()]
    tracemalloc.start()
    try:
        with pytest.raises(p.BadReply, match="output count 100,000"):
            await sync_history(server)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Before the limits this took over 1 GB (and a regex check of each reply 270 MB); the
    # server's replies, built in this process, count here too.
    assert peak < 64 * MB, f"peak {peak / MB:.0f} MiB"
    served = sum(1 for _, path, _ in server.log if "/rawtx/" in path)
    assert served <= 9  # the fetches in flight when the first one was refused


@pytest.mark.asyncio
async def test_many_transactions_within_the_per_tx_limit_stop_at_the_history_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("wallet.txcodec.MAX_TX_OUTPUTS", 5_000)
    budget = 40_000
    monkeypatch.setattr("wallet.sync.MAX_KEPT_TX_PARTS", budget)
    server = FixedHistory()
    for _ in range(30):
        txid, raw = raw_tx(5_000)
        server.raw[txid] = raw
        server.heights[txid] = server.tip - 5
    server.txs = [{"txid": t, "blockheight": h, "confirmations": 6} for t, h in
                  server.heights.items()]
    with pytest.raises(BackendResponseError, match="more transaction data"):
        await sync_history(server)
    served = sum(1 for method, path, _ in server.log if "/rawtx/" in path)
    # Stopped once the budget was spent, give or take the fetches already in flight.
    assert served * 5_001 <= budget + 8 * 5_001

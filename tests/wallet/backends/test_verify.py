from __future__ import annotations

import json

import pytest

from tests.paths import VECTORS_DIR
from wallet.backends.base import Utxo
from wallet.backends.insight import InsightBackend
from wallet.backends.verify import (
    PrevOut,
    check_utxo,
    fetch_verified_prevouts,
    is_coinbase,
    verified_utxos,
    verify_prevout,
    verify_transaction,
)
from wallet.errors import BackendMismatch, BackendResponseError
from wallet.tx import OutPoint, Transaction, TxIn, TxOut

VECTORS = json.loads((VECTORS_DIR / "flux-tx-signing.json").read_text())[
    "ssp_fixture_outputs_DERIVED"
]
SIGNED = VECTORS["p2pkh_single_sig"]["signed"]
SIGNED_TXID = VECTORS["p2pkh_single_sig"]["txid"]
MULTI = VECTORS["fully_signed"]
MULTI_TXID = VECTORS["fully_signed_txid"]


def coinbase_tx() -> Transaction:
    return Transaction(
        inputs=[TxIn(OutPoint(bytes(32), 0xFFFFFFFF), script_sig=bytes.fromhex("03a0860100"))],
        outputs=[TxOut(75_000_000, bytes.fromhex("76a914" + "ab" * 20 + "88ac"))],
    )


def test_published_vectors_verify() -> None:
    tx = Transaction.parse(bytes.fromhex(SIGNED))
    prev = verify_prevout(SIGNED, SIGNED_TXID, 0)
    value, script = verify_prevout(SIGNED, SIGNED_TXID, 0)
    assert prev == PrevOut(value, script) == (tx.outputs[0].value, tx.outputs[0].script_pubkey)
    assert not is_coinbase(verify_transaction(SIGNED, SIGNED_TXID))
    multi = verify_prevout(MULTI.upper(), MULTI_TXID.upper(), 0)
    assert multi.value == 50_000_000  # the SSP fixture pays 0.5 FLUX to the recipient first


def test_coinbase_detected() -> None:
    tx = coinbase_tx()
    assert is_coinbase(verify_transaction(tx.serialize().hex(), tx.txid))
    assert verify_prevout(tx.serialize().hex(), tx.txid, 0).value == 75_000_000


def test_wrong_txid_is_a_mismatch() -> None:
    with pytest.raises(BackendMismatch, match="different transaction"):
        verify_prevout(SIGNED, MULTI_TXID, 0)


def test_one_changed_byte_is_caught() -> None:
    tx = Transaction.parse(bytes.fromhex(SIGNED))
    lied = Transaction(
        version=tx.version,
        version_group_id=tx.version_group_id,
        inputs=tx.inputs,
        outputs=[TxOut(tx.outputs[0].value + 1, tx.outputs[0].script_pubkey), *tx.outputs[1:]],
        lock_time=tx.lock_time,
        expiry_height=tx.expiry_height,
    )
    with pytest.raises(BackendMismatch):
        verify_prevout(lied.serialize().hex(), SIGNED_TXID, 0)


@pytest.mark.parametrize("raw", ["", "zz", "0400", SIGNED + "00", SIGNED[:-2]])
def test_garbage_raw_is_a_response_error(raw: str) -> None:
    with pytest.raises(BackendResponseError, match=r"[Nn]othing was signed"):
        verify_prevout(raw, SIGNED_TXID, 0)


def test_bad_vout_and_txid() -> None:
    with pytest.raises(BackendMismatch, match="no output 7"):
        verify_prevout(SIGNED, SIGNED_TXID, 7)
    with pytest.raises(BackendMismatch):
        verify_prevout(SIGNED, "xyz", 0)


def _utxo(value: int, script: bytes = b"") -> Utxo:
    return Utxo(SIGNED_TXID, 0, "t1x", value, script, 10, 5)


def test_check_utxo_catches_a_lying_amount() -> None:
    prev = verify_prevout(SIGNED, SIGNED_TXID, 0)
    check_utxo(_utxo(prev.value, prev.script_pubkey), prev)
    check_utxo(_utxo(prev.value), prev)  # fluxd mempool entries carry no script
    with pytest.raises(BackendMismatch, match="reported"):
        check_utxo(_utxo(prev.value + 100_000_000), prev)
    with pytest.raises(BackendMismatch, match="different script"):
        check_utxo(_utxo(prev.value, b"\x51"), prev)


@pytest.mark.asyncio
async def test_fetch_and_verify_through_a_backend(insight_server) -> None:
    fake, url = insight_server
    fake.raw[SIGNED_TXID] = SIGNED
    prev = verify_prevout(SIGNED, SIGNED_TXID, 0)
    async with InsightBackend([url]) as backend:
        found = await fetch_verified_prevouts(backend, [(SIGNED_TXID, 0), (SIGNED_TXID.upper(), 0)])
        assert found == {(SIGNED_TXID, 0): prev}
        coins = await verified_utxos(backend, [_utxo(prev.value)])
        assert coins[0].script_pubkey == prev.script_pubkey and not coins[0].coinbase
        cb = coinbase_tx()
        fake.raw[cb.txid] = cb.serialize().hex()
        (reward,) = await verified_utxos(backend, [Utxo(cb.txid, 0, "t1x", 75_000_000, b"", 9, 3)])
        assert reward.coinbase
        # A server that inflates an amount is caught before anything is signed.
        with pytest.raises(BackendMismatch):
            await verified_utxos(backend, [_utxo(prev.value * 2)])
        # A server that returns another transaction under this txid is caught too.
        fake.raw[SIGNED_TXID] = MULTI
        with pytest.raises(BackendMismatch):
            await fetch_verified_prevouts(backend, [(SIGNED_TXID, 0)])
    assert (
        sum(1 for _, path, _ in fake.log if "/rawtx/" in path) == 5
    )  # one fetch per txid per call

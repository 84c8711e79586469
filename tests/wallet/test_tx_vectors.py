"""Parse/serialize/txid of every transaction in the shared vectors, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.paths import VECTORS_DIR
from wallet.errors import DecodeError
from wallet.tx import Transaction
from wallet.txmodel import FluxnodeConfirm, FluxnodeStart

ZIP243 = json.loads((VECTORS_DIR / "zip243.json").read_text())
SIGNING = json.loads((VECTORS_DIR / "flux-tx-signing.json").read_text())
START = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())

ZIP_ROWS = [*ZIP243["vectors"], ZIP243["zip243_rst_test_vector_3"]]


def _signing_hexes() -> list[tuple[str, str]]:
    out = [(p["id"], p.get("txHex") or p["rawTx"]) for p in SIGNING["published"]]
    out.append(("ssp-finalised", SIGNING["published"][1]["expected_finaliseTransaction"]))
    derived = SIGNING["ssp_fixture_outputs_DERIVED"]
    for key in ("unsigned_with_op_return", "unsigned_no_message", "partially_signed_by_key1",
                "fully_signed"):
        out.append((key, derived[key]))
    for key, value in derived["with_expiry_1500030"].items():
        if key != "sighash_input0":
            out.append((f"expiry-{key}", value))
    out.append(("p2pkh", derived["p2pkh_single_sig"]["signed"]))
    return out


@pytest.mark.parametrize("row", ZIP_ROWS, ids=lambda r: r["id"])
def test_zip243_rows_round_trip(row: dict[str, Any]) -> None:
    raw = bytes.fromhex(row["tx"])
    tx = Transaction.parse(raw)
    assert tx.is_sapling
    assert tx.serialize() == raw
    assert tx.size() == len(raw)


def test_zip243_rows_cover_every_shielded_part() -> None:
    txs = [Transaction.parse(bytes.fromhex(r["tx"])) for r in ZIP243["vectors"]]
    assert any(t.shielded_spends for t in txs)
    assert any(t.shielded_outputs for t in txs)
    assert any(t.joinsplits for t in txs)
    assert all(len(js.proof) == 192 for t in txs for js in t.joinsplits)
    assert all(len(t.binding_sig) == 64 for t in txs if t.shielded_spends or t.shielded_outputs)


def test_zip243_vector3_txid() -> None:
    row = ZIP243["zip243_rst_test_vector_3"]
    assert Transaction.parse(bytes.fromhex(row["tx"])).txid == row["also_check"]["txid"]


@pytest.mark.parametrize(("name", "hexstr"), _signing_hexes(), ids=lambda x: x[:40])
def test_signing_vector_txs_round_trip(name: str, hexstr: str) -> None:
    raw = bytes.fromhex(hexstr)
    assert Transaction.parse(raw).serialize() == raw


def test_signing_vector_txids() -> None:
    derived = SIGNING["ssp_fixture_outputs_DERIVED"]
    full = Transaction.parse(bytes.fromhex(derived["fully_signed"]))
    assert full.txid == derived["fully_signed_txid"]
    assert full.size() == derived["fully_signed_size_bytes"]
    p2pkh = derived["p2pkh_single_sig"]
    assert Transaction.parse(bytes.fromhex(p2pkh["signed"])).txid == p2pkh["txid"]
    partial = Transaction.parse(bytes.fromhex(derived["partially_signed_by_key1"]))
    assert partial.size() == derived["partially_signed_size_bytes"]


def _start_rows() -> list[tuple[str, str, str | None]]:
    rows = []
    for v in START["official_vectors"] + START["derived_vectors"]:
        raw = v.get("expected_hex") or v.get("inputs", {}).get("rawtx")
        if raw:
            txid = v.get("txid") or v.get("txid_computed") or v.get("expected_txid")
            rows.append((v["name"], raw, txid))
    return rows


@pytest.mark.parametrize(("name", "hexstr", "txid"), _start_rows(), ids=lambda x: str(x)[:40])
def test_fluxnode_vectors_round_trip_and_txid(name: str, hexstr: str, txid: str | None) -> None:
    raw = bytes.fromhex(hexstr)
    tx = Transaction.parse(raw)
    assert tx.is_fluxnode
    assert isinstance(tx.fluxnode, FluxnodeStart | FluxnodeConfirm)
    assert tx.serialize() == raw
    assert txid is not None
    assert tx.txid == txid


def test_confirm_vector_fields() -> None:
    row = next(v for v in START["official_vectors"] if v["name"].startswith("txidConfirm"))
    tx = Transaction.parse(bytes.fromhex(row["inputs"]["rawtx"]))
    confirm = tx.fluxnode
    assert isinstance(confirm, FluxnodeConfirm)
    decoded = row["decoded_computed"]
    assert confirm.collateral.txid_hex == decoded["collateral_txid"]
    assert confirm.sig_time == decoded["sigTime"]
    assert confirm.benchmark_tier == decoded["benchmarkTier"]
    assert confirm.benchmark_sig_time == decoded["benchmarkSigTime"]
    assert confirm.update_type == decoded["nUpdateType"]
    assert confirm.ip.decode() == decoded["ip"]


def test_start_vector_fields() -> None:
    row = next(v for v in START["official_vectors"] if v["name"].startswith("txidStart"))
    start = Transaction.parse(bytes.fromhex(row["inputs"]["rawtx"])).fluxnode
    assert isinstance(start, FluxnodeStart)
    decoded = row["decoded_computed"]
    assert start.collateral.txid_hex == decoded["collateral_txid"]
    assert start.collateral_pubkey.hex() == decoded["collateral_pubkey"]
    assert start.identity_pubkey.hex() == decoded["fluxnode_pubkey"]
    assert start.sig_time == decoded["sigTime"]


def test_sprout_v2_joinsplit_uses_phgr_proof() -> None:
    # A v2 tx's JoinSplit has the 296-byte PHGR proof; truncating by one byte must fail cleanly.
    v4 = Transaction.parse(bytes.fromhex(ZIP243["vectors"][2]["tx"]))
    js = v4.joinsplits[0]
    from dataclasses import replace

    v2 = Transaction(version=2, overwintered=False, version_group_id=0,
                     inputs=v4.inputs, outputs=v4.outputs, lock_time=v4.lock_time,
                     joinsplits=[replace(js, proof=bytes(range(256)) + bytes(40))],
                     joinsplit_pubkey=v4.joinsplit_pubkey, joinsplit_sig=v4.joinsplit_sig)
    raw = v2.serialize()
    assert Transaction.parse(raw) == v2
    with pytest.raises(DecodeError):
        Transaction.parse(raw[:-1])

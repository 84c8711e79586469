"""Pending transactions kept in the wallet document: round trip, old files, damaged entries."""

from __future__ import annotations

import json
import os

from wallet.pending import remember_pending, settle_pending, stored_pending
from wallet.storage.model import HdSeed, WalletDocument
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def a_tx() -> Transaction:
    return Transaction(
        inputs=[TxIn(OutPoint(os.urandom(32), 1), b"\x51")],
        outputs=[TxOut(5000, b"\x76\xa9\x14" + bytes(20) + b"\x88\xac")],
        expiry_height=120,
    )


def roundtrip(doc: WalletDocument) -> WalletDocument:
    return WalletDocument.from_json(json.loads(json.dumps(doc.to_json())))


def test_pending_survives_the_file_and_settles() -> None:
    doc = WalletDocument(kind=HdSeed(MNEMONIC), network="testnet")
    tx, other = a_tx(), a_tx()
    assert remember_pending(doc, tx) and remember_pending(doc, other)
    assert not remember_pending(doc, tx)
    back = roundtrip(doc)
    assert {t.txid for t in stored_pending(back)} == {tx.txid, other.txid}
    assert settle_pending(back, {other.txid})
    assert list(back.pending) == [other.txid]
    assert not settle_pending(back, {other.txid})


def test_a_file_from_before_pending_opens_with_none() -> None:
    data = WalletDocument(kind=HdSeed(MNEMONIC), network="testnet").to_json()
    del data["pending"]
    assert WalletDocument.from_json(data).pending == {}


def test_a_damaged_pending_entry_is_dropped() -> None:
    doc = WalletDocument(kind=HdSeed(MNEMONIC), network="testnet")
    tx = a_tx()
    doc.pending = {tx.txid: "00", "ab" * 32: tx.serialize().hex()}
    assert stored_pending(doc) == []
    assert doc.pending == {}

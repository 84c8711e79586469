"""Collateral candidates, saved decisions and locks (wallet/nodes/collateral.py)."""

import json

from flux.money import COIN
from flux.networks import MAINNET
from wallet.backends.base import Utxo
from wallet.nodes.collateral import (
    Decision,
    collateral_coins,
    decision_for,
    locked_outpoints,
    set_decision,
)
from wallet.storage.model import ImportedKeys, NodeEntry, WalletDocument

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def utxo(txid: str, flux: float, height: int | None = 100) -> Utxo:
    return Utxo(txid, 0, "t1x", int(flux * COIN), b"", height, 1 if height else 0)


def test_exact_tier_amounts_are_locked_candidates_until_the_user_decides() -> None:
    doc = WalletDocument(kind=ImportedKeys())
    coins = [utxo(A, 1_000), utxo(B, 12_500), utxo(C, 999.99), utxo(D, 40_000)]
    assert locked_outpoints(coins, MAINNET, doc) == {(A, 0), (B, 0), (D, 0)}
    set_decision(doc, (B.upper(), 0), False)
    assert decision_for(doc, (B, 0)) == Decision.NOT_COLLATERAL
    assert locked_outpoints(coins, MAINNET, doc) == {(A, 0), (D, 0)}
    # The user's word on a coin that is not a tier amount locks it too.
    set_decision(doc, (C, 0), True)
    assert locked_outpoints(coins, MAINNET, doc) == {(A, 0), (C, 0), (D, 0)}
    # A session-only unlock still works on top.
    assert locked_outpoints(coins, MAINNET, doc, unlocked={(A, 0)}) == {(C, 0), (D, 0)}


def test_decision_survives_save_and_load() -> None:
    doc = WalletDocument(kind=ImportedKeys())
    set_decision(doc, (A, 0), False)
    back = WalletDocument.from_json(json.loads(json.dumps(doc.to_json())))
    assert locked_outpoints([utxo(A, 1_000)], MAINNET, back) == set()


def test_collateral_coins_label_node_candidates_and_maturity() -> None:
    doc = WalletDocument(kind=ImportedKeys())
    doc.nodes.append(NodeEntry("home", A, 0))
    coins = [utxo(A, 1_000, 50), utxo(B, 12_500, 120), utxo(C, 5), utxo(D, 40_000, None)]
    found = {c.outpoint[0]: c for c in collateral_coins(coins, MAINNET, doc, tip=149)}
    assert set(found) == {A, B, D}
    assert found[A].label == "Cumulus collateral of node home" and found[A].maturity.mature
    assert found[B].label.startswith("Nimbus collateral candidate") and found[B].locked
    assert found[A].short_label == "Cumulus: node home"
    assert found[B].short_label == "Nimbus: decide (locked)"
    assert (found[B].maturity.confirmations, found[B].maturity.blocks_left) == (30, 70)
    assert found[B].maturity.eta_seconds == 70 * 30
    assert found[D].maturity.confirmations == 0
    set_decision(doc, (B, 0), False)
    again = {c.outpoint[0]: c for c in collateral_coins(coins, MAINNET, doc, tip=149)}
    assert not again[B].locked and again[B].label == "Not a collateral (spendable)"
    assert again[B].short_label == "Not a collateral"

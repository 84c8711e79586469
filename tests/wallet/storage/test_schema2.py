"""Schema 2 (node entries, collateral decisions) and its upgrade from a schema-1 file."""

import json
from pathlib import Path

import pytest

from wallet.errors import CorruptWalletFile
from wallet.storage.model import (
    SCHEMA_VERSION,
    UPGRADES,
    NodeEntry,
    P2shCollateral,
    StartEntry,
    WalletDocument,
)

from .conftest import NODE_WIF, hd_document

FIXTURE = Path(__file__).parent / "fixtures" / "wallet_schema1.json"
TXID = "a8f7e2d3c4b5a69788796a5b4c3d2e1f0a8f7e2d3c4b5a69788796a5b4c3d2e1"


def test_schema_1_file_opens_and_upgrades() -> None:
    old = json.loads(FIXTURE.read_text())
    doc = WalletDocument.from_json(old)
    assert SCHEMA_VERSION == 2 and 1 in UPGRADES
    assert doc.to_json()["schema"] == 2
    first, second = doc.nodes
    assert (first.name, first.outpoint, first.ip) == ("home-cumulus", (TXID, 1), "203.0.113.7")
    assert first.identity_wif == NODE_WIF and first.identity_source == "imported"
    assert (first.tier, first.p2sh, first.delegates, first.last_start) == ("", None, [], None)
    assert second.identity_source == "" and second.identity_wif == ""
    assert doc.collateral_decisions == {}
    assert doc.frozen == {("c8f7e2d3c4b5a69788796a5b4c3d2e1f0a8f7e2d3c4b5a69788796a5b4c3d2e1", 2)}
    assert doc.accounts[0].receive_count == 3
    # Saving writes schema 2 and reads back the same document.
    assert WalletDocument.from_json(json.loads(json.dumps(doc.to_json()))) == doc
    assert old["schema"] == 1


def test_schema_2_node_entry_roundtrip_keeps_every_field() -> None:
    doc = hd_document()
    doc.nodes = [
        NodeEntry(
            "t3-node", TXID.upper(), 0, NODE_WIF, "", 5, tier="nimbus", identity_source="new",
            p2sh=P2shCollateral("5221" + "02" * 33 + "52ae", 1, "t3Vz22vK5z2LcKEdg16Yv4FFneEL1zg9ojd"),
            delegates=["02" + "11" * 32], last_start=StartEntry("ab" * 32, 1_733_000_000, 1_733_000_009),
        )
    ]
    doc.collateral_decisions = {(TXID, 0): True, ("cd" * 32, 3): False}
    back = WalletDocument.from_json(json.loads(json.dumps(doc.to_json())))
    assert back == doc
    assert back.nodes[0].collateral_txid == TXID
    assert back.nodes[0].p2sh is not None and back.nodes[0].p2sh.payout_address.startswith("t3")
    assert NODE_WIF not in repr(back.nodes[0])


@pytest.mark.parametrize(
    ("path", "value"),
    [("collateral_decisions", [["ab" * 32, 0, "yes"]]),
     ("collateral_decisions", [["ab" * 32, 0]]),
     ("nodes.0.delegates", "02ab"),
     ("nodes.0.last_start", {"txid": "ab", "sig_time": "now", "sent_at": 1}),
     ("nodes.0.p2sh", {"redeem_script_hex": "52", "key_index": None, "payout_address": "t3"})],
)
def test_damaged_schema_2_fields_are_typed_errors(path: str, value: object) -> None:
    doc = hd_document()
    doc.nodes = [NodeEntry("a", TXID, 0)]
    data = doc.to_json()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    with pytest.raises(CorruptWalletFile, match="damaged"):
        WalletDocument.from_json(data)


def test_a_schema_2_file_without_last_known_opens_with_none() -> None:
    from wallet.storage.last_known import KnownCoin, KnownTx, LastKnown

    doc = hd_document()
    data = doc.to_json()
    del data["last_known"]
    assert WalletDocument.from_json(data).last_known is None
    doc.last_known = LastKnown(
        as_of=1_700_000_000, tip=12,
        balances={"total": 5, "spendable": 5, "pending": 0, "locked": 0, "frozen": 0,
                  "immature": 0, "unverified": 5},
        coins=(KnownCoin(TXID, 1, "t1abc", 5, 3, 10, False),),
        history=(KnownTx(TXID, "received", 5, None, 10, 3, 0, ("t1abc",), "hi"),),
    )
    back = WalletDocument.from_json(json.loads(json.dumps(doc.to_json())))
    assert back.last_known == doc.last_known


def test_a_damaged_last_known_record_is_a_corrupt_file() -> None:
    data = hd_document().to_json()
    data["last_known"] = {"as_of": 1, "tip": 2, "balances": {}, "coins": [], "history": []}
    with pytest.raises(CorruptWalletFile, match=r"last_known\.balances"):
        WalletDocument.from_json(data)

import json

import pytest

from flux.errors import UnknownNetwork
from flux.networks import MAINNET
from tests.wallet.memchain import MemoryChain
from wallet.errors import CorruptWalletFile, UnsupportedWalletFile
from wallet.keychain import Keychain
from wallet.storage.model import (
    SCHEMA_VERSION,
    Contact,
    HdSeed,
    ImportedKeys,
    NodeEntry,
    WalletDocument,
    WatchOnly,
    upgrade_document,
)
from wallet.sync import WalletSync

from .conftest import MNEMONIC, NODE_WIF, PASSPHRASE, hd_document


def _roundtrip(doc: WalletDocument) -> WalletDocument:
    return WalletDocument.from_json(json.loads(json.dumps(doc.to_json())))


def test_hd_document_roundtrip() -> None:
    doc = hd_document()
    doc.address_book.append(Contact("Alice", "t1abc", "rent"))
    doc.settings.insight_servers.append("http://127.0.0.1:1/api")
    back = _roundtrip(doc)
    assert back == doc
    assert isinstance(back.kind, HdSeed) and back.kind.has_passphrase
    assert back.to_json()["schema"] == SCHEMA_VERSION


def test_other_kinds_roundtrip() -> None:
    imported = WalletDocument(kind=ImportedKeys([NODE_WIF]), network="testnet")
    assert imported.accounts == []
    assert _roundtrip(imported) == imported
    watch = WalletDocument(kind=WatchOnly("xpub6...", ["t1a", "t1b"]), network="regtest")
    assert len(watch.accounts) == 1
    assert _roundtrip(watch) == watch
    assert not HdSeed("a b c").has_passphrase


def test_secrets_absent_from_repr() -> None:
    text = repr(hd_document())
    for secret in (MNEMONIC, PASSPHRASE, NODE_WIF, "legal winner"):
        assert secret not in text
    assert NODE_WIF not in repr(ImportedKeys([NODE_WIF]))


def test_unknown_network_refused() -> None:
    with pytest.raises(UnknownNetwork, match="Unknown network"):
        WalletDocument(kind=ImportedKeys(), network="bitcoin")
    data = hd_document().to_json()
    data["network"] = "bitcoin"
    with pytest.raises(CorruptWalletFile, match="unknown network"):
        WalletDocument.from_json(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("accounts",), "x"),
        (("labels",), {"a": 1}),
        (("created_at",), "yesterday"),
        (("created_at",), True),
        (("settings", "use_local_node"), 1),
        (("kind", "mnemonic"), None),
        (("frozen",), [["ab", "0"]]),
        (("nodes",), [{"name": "n"}]),
    ],
)
def test_damaged_fields_are_corrupt(path: tuple[str, ...], value: object) -> None:
    data = hd_document().to_json()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(CorruptWalletFile, match="damaged"):
        WalletDocument.from_json(data)


def test_unknown_kind_and_newer_schema_are_unsupported() -> None:
    data = hd_document().to_json()
    data["kind"] = {"type": "multisig"}
    with pytest.raises(UnsupportedWalletFile, match="newer FluxDesk"):
        WalletDocument.from_json(data)
    data = hd_document().to_json()
    data["schema"] = SCHEMA_VERSION + 1
    with pytest.raises(UnsupportedWalletFile, match="newer FluxDesk"):
        WalletDocument.from_json(data)
    for bad in (None, [], {"schema": "1"}, {"schema": 0}):
        with pytest.raises(CorruptWalletFile):
            upgrade_document(bad)


def test_upgrade_chain_runs_each_step_in_order() -> None:
    def v1_to_v2(doc: dict) -> dict:
        doc["labels"] = {k.lower(): v for k, v in doc["labels"].items()}
        return doc

    def v2_to_v3(doc: dict) -> dict:
        doc["notes"] = doc.pop("memo", "")
        return doc

    old = {"schema": 1, "labels": {"T1ABC": "x"}, "memo": "hi"}
    new = upgrade_document(old, {1: v1_to_v2, 2: v2_to_v3}, current=3)
    assert new == {"schema": 3, "labels": {"t1abc": "x"}, "notes": "hi"}
    assert old["schema"] == 1  # the input is not modified in place
    with pytest.raises(UnsupportedWalletFile, match="cannot upgrade"):
        upgrade_document({"schema": 1}, {}, current=2)


def test_from_json_applies_registered_upgrades() -> None:
    data = hd_document().to_json()
    data["schema"] = SCHEMA_VERSION
    seen: list[int] = []

    def fake_step(doc: dict) -> dict:
        seen.append(doc["schema"])
        return doc

    doc = WalletDocument.from_json(data, {SCHEMA_VERSION: fake_step})
    assert seen == []  # nothing to upgrade at the current schema
    assert doc.name == "Savings"


@pytest.mark.parametrize(
    ("key", "value", "loaded"),
    [("gap_limit", 0, 1), ("gap_limit", -5, 1), ("gap_limit", 10**9, 1_000),
     ("expiry_delta", 0, 4), ("expiry_delta", 10**9, 10_000), ("gap_limit", 25, 25)],
)
def test_out_of_range_settings_are_pulled_into_range(key: str, value: int, loaded: int) -> None:
    data = hd_document().to_json()
    data["settings"][key] = value
    settings = WalletDocument.from_json(data).settings
    assert getattr(settings, key) == loaded
    WalletSync(Keychain.from_document(hd_document()), MemoryChain(MAINNET),
               gap_limit=settings.gap_limit)


def test_collateral_and_frozen_txids_are_lower_case() -> None:
    txid = "AB" * 32
    data = hd_document().to_json()
    data["nodes"][0]["collateral_txid"] = txid
    data["frozen"] = [[txid, 2]]
    document = WalletDocument.from_json(data)
    assert document.nodes[0].collateral_txid == txid.lower()
    assert document.frozen == {(txid.lower(), 2)}
    assert NodeEntry("n", f" {txid} ", 0).collateral_txid == txid.lower()

"""FluxNode START building against every official and derived vector, plus the rules around it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flux.networks import MAINNET
from tests.paths import VECTORS_DIR
from wallet.errors import DecodeError, InvalidKey, InvalidTransaction, SigningError
from wallet.fluxnode import (
    allowed_start_signers,
    build_start_tx,
    create_identity_key,
    identity_pubkey_from_wif,
    start_signer,
    verify_start,
)
from wallet.keys import PrivateKey
from wallet.message import message_hash
from wallet.tx import Transaction
from wallet.txmodel import FluxnodeStart

DATA = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())
KEYS = DATA["common_keys"]
OFFICIAL = {v["name"]: v for v in DATA["official_vectors"]}
DERIVED = {v["name"]: v for v in DATA["derived_vectors"]}
COLLATERAL = PrivateKey.from_wif(KEYS["collateral_wif"])
DELEGATE = PrivateKey.from_wif(KEYS["delegate_wif"])
IDENTITY = identity_pubkey_from_wif(KEYS["fluxnode_wif"])
GTEST = next(v for n, v in OFFICIAL.items() if n.startswith("fluxd P2SH start"))["data"]
THREE = next(v for n, v in OFFICIAL.items() if n.startswith("startFluxNodeAddDelegate three"))
THREE_KEYS = [bytes.fromhex(k) for k in THREE["inputs"]["delegatePublicKeys"]]
P2SH_SCRIPT = bytes.fromhex(
    OFFICIAL["startFluxNodev6 P2SH (nFluxTxVersion=2)"]["inputs"]["redeemScript"]
)
OWNER_PUB = bytes.fromhex(KEYS["collateral_pubkey_compressed"])


def _case(vector: dict[str, Any], **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = vector["inputs"]
    txid = inputs["collateralOutHash"].split()[0]
    args = {
        "collateral_txid": txid,
        "collateral_index": inputs["collateralOutIndex"],
        "signing_key": COLLATERAL,
        "identity_pubkey": IDENTITY,
        "sig_time": inputs.get("timestamp", inputs.get("sigTime")),
    }
    args.update(kwargs)
    return vector, args


CASES = [
    _case(OFFICIAL["startFluxNode v5 (P2PKH collateral)"]),
    _case(OFFICIAL["startFluxNodev6 normal (nFluxTxVersion=1)"], version=6),
    _case(OFFICIAL["startFluxNodev6 P2SH (nFluxTxVersion=2)"], version=6,
          redeem_script=P2SH_SCRIPT),
    _case(DERIVED["add_delegate_single"], version=6, delegates=THREE_KEYS[:1]),
    _case(DERIVED["add_delegate_three"], version=6, delegates=THREE_KEYS),
    _case(DERIVED["add_delegate_p2sh"], version=6, redeem_script=P2SH_SCRIPT,
          delegates=THREE_KEYS[:1]),
    _case(DERIVED["as_delegate_flux_sdk_behaviour"], version=6, signing_key=DELEGATE,
          as_delegate=True, collateral_pubkey=DELEGATE.public_key()),
    _case(DERIVED["as_delegate_fluxd_behaviour"], version=6, signing_key=DELEGATE,
          as_delegate=True, collateral_pubkey=OWNER_PUB),
    _case(DERIVED["as_delegate_p2sh"], version=6, signing_key=DELEGATE, as_delegate=True,
          redeem_script=P2SH_SCRIPT),
    _case(DERIVED["remove_delegates_update_empty"], version=6, delegates=[]),
    _case(DERIVED["fluxd_gtest_keys_p2sh"], version=6,
          signing_key=PrivateKey.from_wif(GTEST["pair2_wif"]),
          identity_pubkey=identity_pubkey_from_wif(GTEST["vps_wif"]),
          redeem_script=bytes.fromhex(GTEST["redeem_script"])),
]


@pytest.mark.parametrize(("vector", "args"), CASES, ids=[c[0]["name"][:40] for c in CASES])
def test_start_vectors_byte_for_byte(vector: dict[str, Any], args: dict[str, Any]) -> None:
    tx = build_start_tx(**args)
    assert tx.serialize().hex() == vector["expected_hex"]
    assert tx.txid == (vector.get("txid") or vector["txid_computed"])
    assert Transaction.parse(tx.serialize()) == tx


def test_every_start_vector_is_covered() -> None:
    with_hex = {v["name"] for v in [*OFFICIAL.values(), *DERIVED.values()] if v.get("expected_hex")}
    assert with_hex == {c[0]["name"] for c in CASES}


def test_official_partial_assertions() -> None:
    for name, vector in OFFICIAL.items():
        wanted = vector.get("expected_contains")
        if not wanted:
            continue
        full = DERIVED[vector["full_hex_see"].split("[")[1].rstrip("]")]
        case = next(args for v, args in CASES if v is full)
        hexstr = build_start_tx(**case).serialize().hex()
        for part in [wanted] if isinstance(wanted, str) else wanted:
            assert part in hexstr, name


def test_sign_start_message_vector() -> None:
    vector = next(v for n, v in OFFICIAL.items() if n.startswith("signStartMessage"))
    sig = COLLATERAL.sign_compact(message_hash(vector["message_signed_computed"]))
    assert sig.hex() == vector["expected_sig_hex"]
    v5 = build_start_tx(**CASES[0][1])
    assert isinstance(v5.fluxnode, FluxnodeStart)
    assert v5.fluxnode.sig.hex() == vector["expected_sig_hex"]
    assert v5.txid == vector["message_signed_computed"]


def test_signers_follow_fluxd_rules() -> None:
    v5 = build_start_tx(**CASES[0][1])
    assert verify_start(v5)
    assert start_signer(v5) == OWNER_PUB
    gtest = build_start_tx(**CASES[-1][1])
    assert verify_start(gtest)  # pair 2 is in the redeem script
    sdk_p2sh = build_start_tx(**CASES[2][1])
    assert not verify_start(sdk_p2sh)  # the official vector's signer is not a script key
    as_delegate = build_start_tx(**CASES[7][1])
    assert not verify_start(as_delegate)
    assert verify_start(as_delegate, registered_delegates=(DELEGATE.public_key(),))
    assert allowed_start_signers(v5) == {OWNER_PUB}


def test_identity_key_compression_matches_wif() -> None:
    node = create_identity_key()
    wif = node.to_wif(MAINNET)
    assert wif.startswith("5")
    assert len(identity_pubkey_from_wif(wif)) == 65
    compressed = create_identity_key(compressed=True)
    assert len(identity_pubkey_from_wif(compressed.to_wif(MAINNET))) == 33
    tx = build_start_tx("00" * 32, 0, COLLATERAL, identity_pubkey_from_wif(wif), 1_700_000_000)
    assert isinstance(tx.fluxnode, FluxnodeStart)
    assert tx.fluxnode.identity_pubkey == node.public_key(compressed=False)


def test_uncompressed_collateral_key_signs_with_uncompressed_header() -> None:
    key = PrivateKey(COLLATERAL.secret, compressed=False)
    tx = build_start_tx("11" * 32, 1, key, IDENTITY, 1_700_000_000)
    assert isinstance(tx.fluxnode, FluxnodeStart)
    assert len(tx.fluxnode.collateral_pubkey) == 65
    assert tx.fluxnode.sig[0] < 31
    assert verify_start(tx)


BAD = [
    {"version": 7},
    {"version": 5, "delegates": []},
    {"version": 5, "redeem_script": P2SH_SCRIPT},
    {"version": 5, "as_delegate": True},
    {"version": 6, "delegates": [], "as_delegate": True},
    {"version": 6, "delegates": [*THREE_KEYS, OWNER_PUB, bytes.fromhex(GTEST["vps_pubkey"])]},
    {"version": 6, "delegates": [DELEGATE.public_key(compressed=False)]},
    {"version": 6, "delegates": [THREE_KEYS[0], THREE_KEYS[0]]},
    {"version": 6, "as_delegate": True, "signing_key": DELEGATE},
    {"version": 6, "redeem_script": b"\x51"},
    {"version": 6, "redeem_script": P2SH_SCRIPT, "collateral_pubkey": OWNER_PUB},
    {"identity_pubkey": b"\x02" + b"\xff" * 32},
    {"identity_pubkey": "02" * 33},
    {"sig_time": -1},
    {"sig_time": 2**32},
    {"collateral_txid": "abc"},
    {"collateral_index": -1},
]


@pytest.mark.parametrize("override", BAD)
def test_bad_start_requests_raise_typed_errors(override: dict[str, Any]) -> None:
    args = dict(CASES[0][1])
    args.update(override)
    with pytest.raises((InvalidTransaction, InvalidKey, DecodeError, SigningError)):
        build_start_tx(**args)

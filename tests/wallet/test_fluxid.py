"""Flux ID derivation/import and the FluxOS login request/response checks (pure)."""

from __future__ import annotations

import json

import pytest

from tests.sim.msgsig import bitcoin_address
from wallet.bip39 import mnemonic_to_seed
from wallet.fluxid import (
    FLUX_ID_PATH,
    FluxIdError,
    PhraseRefused,
    flux_id_from_mnemonic,
    flux_id_from_seed,
    flux_id_from_wif,
    login_request,
    parse_login_reply,
    parse_phrase_reply,
    require_admin,
)
from wallet.hd import HDKey
from wallet.keys import PrivateKey
from wallet.message import verify_message
from wallet.networks import MAINNET

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
NOW_MS = 1_800_000_000_000
PHRASE = f"{NOW_MS - 1000}" + "k" * 40


def test_seed_flux_id_is_a_bitcoin_address_on_the_documented_path() -> None:
    fid = flux_id_from_mnemonic(MNEMONIC)
    assert fid.address == "1DEUrCxywwBKZLzoDNj875rfEbCvKJX2rd"  # pins FLUX_ID_PATH
    assert fid == flux_id_from_seed(mnemonic_to_seed(MNEMONIC))
    node = HDKey.from_mnemonic(MNEMONIC, MAINNET).derive(FLUX_ID_PATH)
    assert fid.key.secret == node.private_key.secret and fid.key.compressed
    assert bitcoin_address(fid.key.public_key()) == fid.address  # independent encoder
    assert all(part.endswith("'") for part in FLUX_ID_PATH.split("/")[1:])
    assert flux_id_from_mnemonic(MNEMONIC, "extra").address != fid.address
    assert "key=" not in repr(fid)


def test_imported_wif_keeps_its_compression() -> None:
    key = PrivateKey.generate(compressed=False)
    fid = flux_id_from_wif(key.to_wif(MAINNET))
    assert fid.address == bitcoin_address(key.public_key(compressed=False))
    assert fid.source == "wif" and fid.address.startswith("1")
    with pytest.raises(FluxIdError, match="not a usable private key"):
        flux_id_from_wif("5notawif")


def test_phrase_reply() -> None:
    assert parse_phrase_reply({"status": "success", "data": PHRASE}, NOW_MS) == PHRASE
    dos = {"status": "error", "data": {"code": 100, "name": "DOS", "message": "Node in DOS"}}
    with pytest.raises(PhraseRefused, match="Node in DOS"):
        parse_phrase_reply(dos, NOW_MS)
    assert parse_phrase_reply({"status": "success", "data": PHRASE}, NOW_MS - 60_000) == PHRASE
    with pytest.raises(FluxIdError, match="clock"):
        parse_phrase_reply({"status": "success", "data": PHRASE}, NOW_MS + 21 * 60_000)
    with pytest.raises(FluxIdError, match="clock"):
        parse_phrase_reply({"status": "success", "data": PHRASE}, NOW_MS - 6 * 60_000)
    with pytest.raises(FluxIdError, match="would not accept"):
        parse_phrase_reply({"status": "success", "data": "123"}, NOW_MS)
    with pytest.raises(FluxIdError, match="not a FluxOS reply"):
        parse_phrase_reply("<html>", NOW_MS)


def test_login_request_and_reply() -> None:
    fid = flux_id_from_mnemonic(MNEMONIC)
    request = login_request(fid, PHRASE)
    assert set(request) == {"zelid", "loginPhrase", "signature"}
    assert verify_message(fid.address, request["signature"], PHRASE, "Bitcoin")
    assert not verify_message(fid.address, request["signature"], PHRASE, "Zelcash")
    data = {"message": "Successfully logged in", "zelid": fid.address, "loginPhrase": PHRASE,
            "signature": request["signature"], "privilage": "admin",
            "createdAt": "2027-01-15T08:00:00.000Z", "expireAt": "2099-01-01T00:00:00.000Z"}
    session = parse_login_reply({"status": "success", "data": data}, request)
    assert session.is_admin and require_admin(session) is session
    assert session.expires_ms == NOW_MS - 1000 + 14 * 86_400_000
    assert session.valid_at(NOW_MS) and not session.valid_at(session.expires_ms)
    auth = json.loads(session.zelidauth())
    assert auth == {"zelid": fid.address, "signature": request["signature"],
                    "loginPhrase": PHRASE}
    assert request["signature"] not in repr(session)
    user = parse_login_reply({"status": "success", "data": {**data, "privilage": "user"}},
                             request)
    with pytest.raises(FluxIdError, match="not admin"):
        require_admin(user, "1Owner")
    for bad in ({**data, "zelid": "1Other"}, {**data, "privilege": "admin", "privilage": None}):
        with pytest.raises(FluxIdError):
            parse_login_reply({"status": "success", "data": bad}, request)
    refused = {"status": "error", "data": {"code": None, "name": "Error",
                                           "message": "Invalid signature"}}
    with pytest.raises(FluxIdError, match="Invalid signature"):
        parse_login_reply(refused, request)

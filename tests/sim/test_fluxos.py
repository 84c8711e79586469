"""The simulated FluxOS API: lists in the {status, data} envelope and the Flux ID login, whose
signature the simulator checks with coincurve (not with the wallet's code)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.sim.fluxnode_kit import collateral, start_tx, submit, with_nodes
from tests.sim.fluxos import FluxOsSim
from tests.sim.server import SimNetwork
from tests.sim.testkit import key
from wallet.backends.fluxnode_errors import FluxnodeRejectKind
from wallet.errors import BroadcastRejected
from wallet.fluxid import (
    EMERGENCY_PHRASE_PATH,
    LOGIN_PHRASE_PATH,
    VERIFY_LOGIN_PATH,
    PhraseRefused,
    flux_id_from_mnemonic,
    flux_id_from_wif,
    login_request,
    parse_login_reply,
    parse_phrase_reply,
)
from wallet.keys import PrivateKey
from wallet.message import sign_message
from wallet.networks import MAINNET
from wallet.nodes.broadcast import parse_fluxos_broadcast

OWNER_ID = flux_id_from_mnemonic(
    "legal winner thank year wave sausage worth useful legal winner thank yellow"
)


async def call(url: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
               data: Any = None) -> Any:
    async with aiohttp.ClientSession() as session:
        if body is None and data is None:
            async with session.get(url + path, headers=headers) as response:
                return await response.json()
        async with session.post(url + path, json=body, data=data) as response:
            assert response.status == 200
            return await response.json()


async def login(fluxos: FluxOsSim, fid: Any) -> Any:
    now = fluxos.clock_ms()
    try:
        phrase = parse_phrase_reply(await call(fluxos.url, LOGIN_PHRASE_PATH), now)
    except PhraseRefused:
        phrase = parse_phrase_reply(await call(fluxos.url, EMERGENCY_PHRASE_PATH), now)
    request = login_request(fid, phrase)
    return request, await call(fluxos.url, VERIFY_LOGIN_PATH, request)


@pytest.mark.asyncio
async def test_owner_logs_in_as_admin_and_zelidauth_works(sim: SimNetwork) -> None:
    async with FluxOsSim(sim.chain, OWNER_ID.address) as fluxos:
        assert (await call(fluxos.url, "/flux/id"))["data"] == OWNER_ID.address
        request, reply = await login(fluxos, OWNER_ID)
        session = parse_login_reply(reply, request)
        assert session.is_admin and reply["data"]["privilage"] == "admin"
        users = await call(fluxos.url, "/id/loggedusers",
                           headers={"zelidauth": session.zelidauth()})
        assert users["status"] == "success" and users["data"][0]["zelid"] == OWNER_ID.address
        denied = await call(fluxos.url, "/id/loggedusers")
        assert denied == {"status": "error", "data": {
            "code": 401, "name": "Unauthorized", "message": "Unauthorized. Access denied."}}
        # The phrase is used up: a replay is refused.
        again = await call(fluxos.url, VERIFY_LOGIN_PATH, request)
        assert again["data"]["message"].startswith("Signed message is no longer valid")


@pytest.mark.asyncio
async def test_dos_node_falls_back_to_the_emergency_phrase(sim: SimNetwork) -> None:
    async with FluxOsSim(sim.chain, OWNER_ID.address) as fluxos:
        fluxos.dos_message = "Flux IP detection failed"
        refused = await call(fluxos.url, LOGIN_PHRASE_PATH)
        assert refused["status"] == "error" and refused["data"]["name"] == "DOS"
        request, reply = await login(fluxos, OWNER_ID)
        assert parse_login_reply(reply, request).is_admin


@pytest.mark.asyncio
async def test_other_ids_and_bad_signatures(sim: SimNetwork) -> None:
    async with FluxOsSim(sim.chain, OWNER_ID.address) as fluxos:
        stranger = flux_id_from_wif(PrivateKey.generate().to_wif(MAINNET))
        request, reply = await login(fluxos, stranger)
        assert parse_login_reply(reply, request).privilege == "user"
        phrase = (await call(fluxos.url, EMERGENCY_PHRASE_PATH))["data"]
        forged = {**login_request(stranger, phrase), "zelid": OWNER_ID.address}
        reply = await call(fluxos.url, VERIFY_LOGIN_PATH, forged)
        assert reply == {"status": "error", "data": {"code": None, "name": "Error",
                                                     "message": "Invalid signature"}}
        # A Zelcash-magic signature is not a FluxOS login.

        zelcash = {**login_request(OWNER_ID, phrase),
                   "signature": sign_message(OWNER_ID.key, phrase, "Zelcash")}
        assert (await call(fluxos.url, VERIFY_LOGIN_PATH, zelcash))["data"]["message"] == (
            "Invalid signature")
        # The urlencoded body FluxOS also accepts.
        form = login_request(OWNER_ID, phrase)
        reply = await call(fluxos.url, VERIFY_LOGIN_PATH, data=form)
        assert reply["data"]["privilage"] == "admin"


@pytest.mark.asyncio
async def test_daemon_lists_in_the_fluxos_envelope(sim: SimNetwork) -> None:
    model = with_nodes(sim)
    owner = key("fluxos-owner")
    coin = collateral(sim, owner)
    identity = PrivateKey.generate(compressed=False).public_key()
    model.run_node(identity, "192.0.2.9")
    submit(sim, start_tx(sim, coin, owner, identity=identity))
    sim.mine(2)
    async with FluxOsSim(sim.chain, OWNER_ID.address) as fluxos:
        count = await call(fluxos.url, "/daemon/getfluxnodecount")
        assert count["status"] == "success" and count["data"]["cumulus-enabled"] == 1
        listed = await call(fluxos.url, f"/daemon/viewdeterministicfluxnodelist/{coin.txid}")
        assert [e["txhash"] for e in listed["data"]] == [coin.txid]
        assert (await call(fluxos.url, "/daemon/getstartlist"))["data"] == []
        assert (await call(fluxos.url, "/daemon/getdoslist")) == {"status": "success", "data": []}


@pytest.mark.asyncio
async def test_start_broadcast_through_fluxos(sim: SimNetwork) -> None:
    with_nodes(sim)
    owner = key("fluxos-broadcast")
    coin = collateral(sim, owner)
    tx = start_tx(sim, coin, owner)
    async with FluxOsSim(sim.chain, OWNER_ID.address) as fluxos:
        reply = await call(fluxos.url, "/daemon/sendrawtransaction",
                           {"hexstring": tx.serialize().hex()})
        assert parse_fluxos_broadcast(reply, tx.txid) == tx.txid
        sim.mine()
        again = start_tx(sim, coin, owner)
        reply = await call(fluxos.url, f"/daemon/sendrawtransaction/{again.serialize().hex()}")
        assert reply["status"] == "error" and reply["data"]["code"] == -26
        with pytest.raises(BroadcastRejected) as info:
            parse_fluxos_broadcast(reply, again.txid)
        assert info.value.kind == FluxnodeRejectKind.STARTED_OR_DOS
    with pytest.raises(BroadcastRejected) as info:
        parse_fluxos_broadcast("<html>", tx.txid)
    assert info.value.maybe_sent

"""Flux ID: the node owner identity FluxOS and XDAO use, a Bitcoin-style "1…" P2PKH address.

FluxDesk derives its own from the wallet seed at FLUX_ID_PATH (all hardened, compressed key),
or imports the WIF of the one a node already uses. It cannot reproduce the Flux ID of Zelcore
or SSP: they derive theirs in their own ways (docs/staking.md).

FluxOS admin login (FluxOS ZelBack/src/services/idService.js), as pure request builders and
reply checkers; the HTTP client lives elsewhere:
1. GET /id/loginphrase -> {"status": "success", "data": phrase}; a node that refuses (DOS,
   broken services) answers status "error": fall back to GET /id/emergencyphrase.
2. Sign the phrase with the Bitcoin message magic (base64 compact signature).
3. POST /id/verifylogin {zelid, loginPhrase, signature} -> data.privilage ("admin" when the
   Flux ID is the node owner's; spelled so by FluxOS).
4. Later calls send the header ``zelidauth`` as a JSON string {zelid, signature, loginPhrase}.
A phrase is valid 15 minutes; the session 14 days from the phrase's timestamp.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wallet.address import bitcoin_p2pkh_address
from wallet.errors import InvalidKey, WalletError
from wallet.hd import HDKey
from wallet.keys import PrivateKey
from wallet.message import sign_message, verify_message
from wallet.networks import MAINNET

# m / purpose 44' / Flux coin type 19167' / account 999' (kept out of the wallet's accounts)
# / 0' / 0': every level hardened, so no extended public key of the wallet reveals it.
FLUX_ID_PATH = "m/44'/19167'/999'/0'/0'"
LOGIN_PHRASE_PATH = "/id/loginphrase"
EMERGENCY_PHRASE_PATH = "/id/emergencyphrase"
VERIFY_LOGIN_PATH = "/id/verifylogin"
PHRASE_LIFETIME_MS = 15 * 60 * 1000
SESSION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000
MIN_PHRASE_LENGTH = 40
# The node stamps phrases with its own clock; a few minutes' difference from ours is normal.
CLOCK_TOLERANCE_MS = 5 * 60 * 1000
ADMIN = "admin"


class FluxIdError(WalletError):
    """A Flux ID or FluxOS login problem, with the next step in the message."""


class PhraseRefused(FluxIdError):
    """The node would not issue a login phrase; ask for an emergency phrase instead."""


@dataclass(frozen=True)
class FluxId:
    address: str
    key: PrivateKey = field(repr=False)
    source: str  # "seed" or "wif"


def _from_master(master: HDKey) -> FluxId:
    key = PrivateKey(master.derive(FLUX_ID_PATH).private_key.secret, compressed=True)
    return FluxId(bitcoin_p2pkh_address(key.public_key()), key, "seed")


def flux_id_from_seed(seed: bytes) -> FluxId:
    """The wallet's own Flux ID (BIP32 seed bytes, as from the mnemonic)."""
    return _from_master(HDKey.from_seed(seed, MAINNET))


def flux_id_from_mnemonic(mnemonic: str, passphrase: str = "") -> FluxId:
    return _from_master(HDKey.from_mnemonic(mnemonic, MAINNET, passphrase))


def flux_id_from_wif(wif: str) -> FluxId:
    """An existing Flux ID from its private key (WIF, compressed or not, as the ID was made)."""
    try:
        key = PrivateKey.from_wif(wif)
    except InvalidKey as exc:
        raise FluxIdError(
            f"That is not a usable private key ({exc}). Export the Flux ID's private key (WIF) "
            "from the wallet that made it and paste it again."
        ) from None
    return FluxId(bitcoin_p2pkh_address(key.public_key()), key, "wif")


def _envelope(body: Any, what: str) -> Any:
    if not isinstance(body, dict) or body.get("status") not in ("success", "error", "warning"):
        raise FluxIdError(f"The node's answer to the {what} is not a FluxOS reply; check the "
                          "address and API port of the node.")
    if body["status"] != "success":
        data = body.get("data")
        message = data.get("message") if isinstance(data, dict) else data
        raise FluxIdError(f"The node refused the {what}: {str(message)[:160]}")
    return body.get("data")


def phrase_timestamp_ms(phrase: str) -> int:
    head = phrase[:13]
    if len(phrase) < MIN_PHRASE_LENGTH or not head.isdigit():
        raise FluxIdError("The node sent a login phrase FluxOS itself would not accept; "
                          "update FluxOS on the node or try another node.")
    return int(head)


def parse_phrase_reply(body: Any, now_ms: int) -> str:
    """The phrase from /id/loginphrase or /id/emergencyphrase; PhraseRefused to fall back."""
    try:
        phrase = _envelope(body, "login phrase request")
    except FluxIdError as exc:
        raise PhraseRefused(str(exc)) from None
    if not isinstance(phrase, str):
        raise FluxIdError("The node's login phrase is not text; try again.")
    issued = phrase_timestamp_ms(phrase)
    oldest = now_ms - PHRASE_LIFETIME_MS - CLOCK_TOLERANCE_MS
    if not oldest <= issued <= now_ms + CLOCK_TOLERANCE_MS:
        raise FluxIdError("The node's clock and this computer's differ by more than a few "
                          "minutes, so the login would fail; check this computer's clock "
                          "(automatic time) or the node's, and try again.")
    return phrase


def login_request(flux_id: FluxId, phrase: str) -> dict[str, str]:
    """The JSON body of POST /id/verifylogin: the phrase signed with the Bitcoin magic."""
    phrase_timestamp_ms(phrase)
    return {"zelid": flux_id.address, "loginPhrase": phrase,
            "signature": sign_message(flux_id.key, phrase, "Bitcoin")}


@dataclass(frozen=True)
class LoginSession:
    zelid: str
    login_phrase: str
    signature: str = field(repr=False)
    privilege: str
    expires_ms: int

    @property
    def is_admin(self) -> bool:
        return self.privilege == ADMIN

    def valid_at(self, now_ms: int) -> bool:
        return now_ms < self.expires_ms

    def zelidauth(self) -> str:
        """The ``zelidauth`` header: a JSON string (a qs form would break on base64 '+')."""
        return json.dumps({"zelid": self.zelid, "signature": self.signature,
                           "loginPhrase": self.login_phrase}, separators=(",", ":"))


def parse_login_reply(body: Any, request: dict[str, str]) -> LoginSession:
    """Check /id/verifylogin's answer against what we sent; the session if it matches."""
    data = _envelope(body, "login")
    if not isinstance(data, dict):
        raise FluxIdError("The node's login answer has no session data; try again.")
    if data.get("zelid") != request["zelid"] or data.get("loginPhrase") != request["loginPhrase"]:
        raise FluxIdError("The node confirmed a login for another Flux ID or phrase; try again.")
    privilege = data.get("privilage")  # FluxOS's spelling
    if privilege not in (ADMIN, "fluxteam", "user"):
        raise FluxIdError("The node's login answer has no known privilege; update FluxOS.")
    if not verify_message(request["zelid"], request["signature"], request["loginPhrase"],
                          "Bitcoin"):
        raise FluxIdError("The login signature does not verify; this is a FluxDesk bug.")
    issued = phrase_timestamp_ms(request["loginPhrase"])
    expires = issued + SESSION_LIFETIME_MS
    expire_at = data.get("expireAt")
    if isinstance(expire_at, str):
        try:
            stamp = datetime.fromisoformat(expire_at.replace("Z", "+00:00"))
            expires = min(expires, int(stamp.timestamp() * 1000))
        except ValueError:
            pass  # the 14 days counted from the phrase stand
    return LoginSession(request["zelid"], request["loginPhrase"], request["signature"],
                        privilege, expires)


def require_admin(session: LoginSession, owner_hint: str = "") -> LoginSession:
    """The session if it has admin rights on the node; otherwise a plain explanation."""
    if session.is_admin:
        return session
    hint = f" (the node's owner is {owner_hint})" if owner_hint else ""
    raise FluxIdError(
        f"Logged in as {session.privilege}, not admin: {session.zelid} is not this node's owner "
        f"Flux ID{hint}. Use the Flux ID entered when the node was installed, or import its key."
    )

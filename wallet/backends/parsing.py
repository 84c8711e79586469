"""Strict readers for backend JSON: wrong types or impossible values become BadReply.

BadReply is internal: the clients turn it into failover to the next server or, at the end, a
BackendResponseError that names the server and the field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flux.money import MAX_MONEY
from wallet.amounts import satoshis_from_json
from wallet.errors import BackendResponseError, InvalidAmount

_TXID = re.compile(r"[0-9a-fA-F]{64}")
# One character class, no group: a repeated group makes the regex engine keep ~150 bytes of
# state per repetition (100 MB for a 1 MB transaction's hex); the even length is checked apart.
_HEX_CHARS = re.compile(r"[0-9a-fA-F]*")
# Longest script a standard output carries is far below this; the bound only stops absurd input.
_MAX_SCRIPT_HEX = 20_000
MAX_HEIGHT = 100_000_000


class BadReply(BackendResponseError):
    """A reply that parsed as HTTP but not as what the API promises.

    A subclass of BackendResponseError so that, should one ever escape a client, it is still a
    typed error; the clients normally catch it to fail over and add the server's name.
    """


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    # Plain ValueError too: json refuses integers longer than 4300 digits with one.
    except (ValueError, RecursionError):
        snippet = " ".join(text.split())[:60]
        raise BadReply(f"reply was not valid JSON ({snippet!r})") from None


def obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadReply(f"{what} should be an object, got {type(value).__name__}")
    return value


def arr(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadReply(f"{what} should be a list, got {type(value).__name__}")
    return value


def integer(data: dict[str, Any], key: str, low: int, high: int, what: str = "") -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadReply(f"{what or key} should be a whole number, got {value!r:.40}")
    if not low <= value <= high:
        raise BadReply(f"{what or key} = {value} is out of range")
    return value


def opt_integer(data: dict[str, Any], key: str, low: int, high: int) -> int | None:
    return None if data.get(key) is None else integer(data, key, low, high)


def satoshis(data: dict[str, Any], key: str, *, signed: bool = False) -> int:
    return integer(data, key, -MAX_MONEY if signed else 0, MAX_MONEY)


def flux_amount(data: dict[str, Any], key: str) -> int:
    try:
        return satoshis_from_json(data.get(key))
    except InvalidAmount as exc:
        raise BadReply(f"{key}: {exc}") from None


def text(data: dict[str, Any], key: str, max_len: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > max_len:
        raise BadReply(f"{key} should be text, got {value!r:.40}")
    return value


def txid(value: object, what: str = "txid") -> str:
    if not isinstance(value, str) or not _TXID.fullmatch(value):
        raise BadReply(f"{what} is not a transaction id ({value!r:.70})")
    return value.lower()


def hex_bytes(value: object, what: str, max_len: int = _MAX_SCRIPT_HEX) -> bytes:
    if not isinstance(value, str) or len(value) > max_len or not is_hex(value):
        raise BadReply(f"{what} is not hex ({value!r:.40})")
    return bytes.fromhex(value)


def is_txid(value: str) -> bool:
    return bool(_TXID.fullmatch(value))


def is_hex(value: str) -> bool:
    return len(value) % 2 == 0 and _HEX_CHARS.fullmatch(value) is not None

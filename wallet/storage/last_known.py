"""The last known view of the chain, kept in the wallet file so that an offline start shows the
balances, coins and history of the last good sync (marked with its time) instead of zero.

Stored as plain JSON inside the encrypted document; an optional field of schema 2 (files written
before it existed have none). Reading is strict: a malformed record is a CorruptWalletFile naming
the field, like every other part of the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from wallet.errors import CorruptWalletFile

# Newest entries kept: enough for every screen, small enough that saving stays quick.
MAX_HISTORY: Final = 1_000
BALANCE_KEYS: Final = (
    "total", "spendable", "pending", "locked", "frozen", "immature", "unverified",
)


@dataclass(frozen=True, slots=True)
class KnownCoin:
    txid: str
    vout: int
    address: str
    satoshis: int
    confirmations: int
    height: int | None
    coinbase: bool


@dataclass(frozen=True, slots=True)
class KnownTx:
    txid: str
    type: str
    amount: int
    fee: int | None
    height: int | None
    confirmations: int
    expiry_height: int
    addresses: tuple[str, ...]
    message: str | None = None
    time: int | None = None


@dataclass(frozen=True, slots=True)
class LastKnown:
    """What the last successful sync saw, and when (Unix seconds)."""

    as_of: int
    tip: int
    balances: dict[str, int] = field(default_factory=dict)
    coins: tuple[KnownCoin, ...] = ()
    history: tuple[KnownTx, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "tip": self.tip,
            "balances": {k: self.balances.get(k, 0) for k in BALANCE_KEYS},
            "coins": [
                [c.txid, c.vout, c.address, c.satoshis, c.confirmations, c.height, c.coinbase]
                for c in self.coins
            ],
            "history": [
                {
                    "txid": t.txid, "type": t.type, "amount": t.amount, "fee": t.fee,
                    "height": t.height, "confirmations": t.confirmations,
                    "expiry_height": t.expiry_height, "addresses": list(t.addresses),
                    "message": t.message, "time": t.time,
                }
                for t in self.history
            ],
        }

    def same_view(self, other: LastKnown | None) -> bool:
        """The same chain view apart from its time."""
        return other is not None and (self.tip, self.balances, self.coins, self.history) == (
            other.tip, other.balances, other.coins, other.history
        )


def last_known_from_json(data: object) -> LastKnown:
    if not isinstance(data, dict):
        raise _damaged("last_known")
    balances = data.get("balances")
    if not isinstance(balances, dict) or not all(_is_int(balances.get(k)) for k in BALANCE_KEYS):
        raise _damaged("last_known.balances")
    coins, history = data.get("coins"), data.get("history")
    if not isinstance(coins, list) or not isinstance(history, list):
        raise _damaged("last_known")
    return LastKnown(
        as_of=_int(data.get("as_of"), "as_of"),
        tip=_int(data.get("tip"), "tip"),
        balances={k: int(balances[k]) for k in BALANCE_KEYS},
        coins=tuple(_coin(item) for item in coins),
        history=tuple(_tx(item) for item in history),
    )


def _coin(item: object) -> KnownCoin:
    if not (isinstance(item, list) and len(item) == 7):
        raise _damaged("last_known.coins")
    txid, vout, address, satoshis, confirmations, height, coinbase = item
    if not (isinstance(txid, str) and isinstance(address, str) and isinstance(coinbase, bool)
            and all(_is_int(v) for v in (vout, satoshis, confirmations))
            and (height is None or _is_int(height))):
        raise _damaged("last_known.coins")
    return KnownCoin(txid, vout, address, satoshis, confirmations, height, coinbase)


def _tx(item: object) -> KnownTx:
    if not isinstance(item, dict):
        raise _damaged("last_known.history")
    addresses = item.get("addresses")
    texts = (item.get("txid"), item.get("type"))
    optional_ints = (item.get("fee"), item.get("height"), item.get("time"))
    message = item.get("message")
    if not (all(isinstance(t, str) for t in texts)
            and all(_is_int(item.get(k)) for k in ("amount", "confirmations", "expiry_height"))
            and all(v is None or _is_int(v) for v in optional_ints)
            and (message is None or isinstance(message, str))
            and isinstance(addresses, list) and all(isinstance(a, str) for a in addresses)):
        raise _damaged("last_known.history")
    return KnownTx(
        item["txid"], item["type"], item["amount"], item.get("fee"), item.get("height"),
        item["confirmations"], item["expiry_height"], tuple(addresses), message, item.get("time"),
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: object, name: str) -> int:
    if not _is_int(value):
        raise _damaged(f"last_known.{name}")
    assert isinstance(value, int)
    return value


def _damaged(where: str) -> CorruptWalletFile:
    return CorruptWalletFile(f"The wallet data is damaged (wallet.{where}).")

"""The decrypted wallet document: what the wallet file holds, with schema upgrades.

Secrets (seed phrase, passphrase, WIF keys) are excluded from every repr so that logging a document
or an exception that carries one can never leak them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from flux.errors import UnknownNetwork
from wallet.errors import CorruptWalletFile, UnsupportedWalletFile
from wallet.storage.last_known import LastKnown, last_known_from_json

SCHEMA_VERSION: Final = 2
NETWORKS: Final = ("mainnet", "testnet", "regtest")

JsonObj = dict[str, Any]
Upgrade = Callable[[JsonObj], JsonObj]


def _upgrade_1_to_2(data: JsonObj) -> JsonObj:
    """Schema 2: node entries carry tier, identity-key origin, P2SH collateral, delegates and the
    last START; the document keeps the user's collateral decisions (none in schema 1)."""
    nodes = data.get("nodes")
    if isinstance(nodes, list):
        data["nodes"] = [
            {
                "tier": "",
                "identity_source": "imported" if n.get("identity_wif") else "",
                "p2sh": None,
                "delegates": [],
                "last_start": None,
                **n,
            }
            if isinstance(n, dict)
            else n
            for n in nodes
        ]
    data.setdefault("collateral_decisions", [])
    return data


# UPGRADES[v] turns a schema-v document into schema v+1; a new schema adds one pure function
# here plus a fixture file in the tests (tests/wallet/storage/fixtures/).
UPGRADES: Final[Mapping[int, Upgrade]] = {1: _upgrade_1_to_2}


@dataclass
class HdSeed:
    """BIP39 seed phrase (+ optional passphrase, the "25th word")."""

    mnemonic: str = field(repr=False)
    passphrase: str = field(default="", repr=False)

    @property
    def has_passphrase(self) -> bool:
        return bool(self.passphrase)


@dataclass
class ImportedKeys:
    """Loose private keys imported as WIF strings."""

    wifs: list[str] = field(default_factory=list, repr=False)


@dataclass
class WatchOnly:
    """No private keys: an account xpub and/or a list of addresses."""

    # Out of repr: files from older versions may hold a private key (xprv) here.
    xpub: str | None = field(default=None, repr=False)
    addresses: list[str] = field(default_factory=list)


WalletKind = HdSeed | ImportedKeys | WatchOnly


@dataclass
class Account:
    index: int
    name: str
    # How many receive / change addresses are known to be used or handed out, so the next sync
    # starts its gap-limit scan there instead of at 0.
    receive_count: int = 0
    change_count: int = 0
    # The receive index "New address" handed out, shown until coins arrive on it (-1: none), so
    # a restart shows the same address (wallet/receiving.py).
    fresh_receive: int = -1


@dataclass
class Contact:
    name: str
    address: str
    note: str = ""


@dataclass
class P2shCollateral:
    """A t3 (multisig) collateral: its redeem script and which of its public keys we hold.

    Payouts go to ``payout_address`` (the t3 address), which the wallet does not track: the
    node list shows it, so keep it here to show it too.
    """

    redeem_script_hex: str
    key_index: int
    payout_address: str


@dataclass
class StartEntry:
    """The last START this wallet broadcast for a node (wallet.nodes.state.StartRecord)."""

    txid: str
    sig_time: int
    sent_at: int


@dataclass
class NodeEntry:
    """A FluxNode this wallet controls: alias (``name``), collateral outpoint, identity key."""

    name: str
    collateral_txid: str
    collateral_vout: int
    identity_wif: str = field(default="", repr=False)
    ip: str = ""
    created_at: int = 0
    tier: str = ""  # tier key ("cumulus"…); "" until the collateral's amount is known
    identity_source: str = ""  # "new" (made by FluxDesk, like createfluxnodekey) or "imported"
    p2sh: P2shCollateral | None = None
    delegates: list[str] = field(default_factory=list)  # compressed public keys, hex
    last_start: StartEntry | None = None

    def __post_init__(self) -> None:
        # Coins are keyed by lower-case txid everywhere; an upper-case paste would leave the
        # collateral unlocked.
        self.collateral_txid = self.collateral_txid.strip().lower()

    @property
    def alias(self) -> str:
        return self.name

    @property
    def outpoint(self) -> tuple[str, int]:
        return (self.collateral_txid, self.collateral_vout)

    def to_json(self) -> JsonObj:
        data = vars(self).copy()
        data["p2sh"] = None if self.p2sh is None else vars(self.p2sh).copy()
        data["last_start"] = None if self.last_start is None else vars(self.last_start).copy()
        data["delegates"] = list(self.delegates)
        return data


# Blocks from the tip to a send's expiry: fluxd refuses expiry below tip + 4 ("tx-expiring-soon");
# beyond about two weeks an unconfirmed payment would hold its coins for too long.
MIN_EXPIRY_DELTA: Final = 4
MAX_EXPIRY_DELTA: Final = 10_000
# Addresses scanned past the last used one; more would make every sync crawl.
MAX_GAP_LIMIT: Final = 1_000


@dataclass
class WalletSettings:
    fee_preset: str = "normal"
    expiry_delta: int = 30
    gap_limit: int = 20
    auto_lock_minutes: int = 10
    use_local_node: bool = True
    insight_servers: list[str] = field(default_factory=list)


@dataclass
class WalletDocument:
    kind: WalletKind
    network: str = "mainnet"
    name: str = "Wallet"
    wallet_id: str = field(default_factory=lambda: secrets.token_hex(16))
    created_at: int = field(default_factory=lambda: int(time.time()))
    accounts: list[Account] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    address_book: list[Contact] = field(default_factory=list)
    nodes: list[NodeEntry] = field(default_factory=list)
    frozen: set[tuple[str, int]] = field(default_factory=set)
    # The user's word on a coin: True "this is a collateral", False "this is not a collateral".
    collateral_decisions: dict[tuple[str, int], bool] = field(default_factory=dict)
    settings: WalletSettings = field(default_factory=WalletSettings)
    # Raw hex of transactions this wallet signed and (maybe) sent, by txid, until they confirm or
    # expire: their coins stay spent across restarts even when no server knows them.
    pending: dict[str, str] = field(default_factory=dict)
    # What the last good sync saw, shown (with its time) while no server answers.
    last_known: LastKnown | None = None

    def __post_init__(self) -> None:
        if self.network not in NETWORKS:
            raise UnknownNetwork(
                f"Unknown network {self.network!r}; use one of {', '.join(NETWORKS)}."
            )
        if not self.accounts and not isinstance(self.kind, ImportedKeys):
            self.accounts.append(Account(0, "Account 1"))

    def to_json(self) -> JsonObj:
        return {
            "schema": SCHEMA_VERSION,
            "wallet_id": self.wallet_id,
            "name": self.name,
            "network": self.network,
            "created_at": self.created_at,
            "kind": _kind_to_json(self.kind),
            "accounts": [vars(a).copy() for a in self.accounts],
            "labels": dict(sorted(self.labels.items())),
            "address_book": [vars(c).copy() for c in self.address_book],
            "nodes": [n.to_json() for n in self.nodes],
            "frozen": [[txid, vout] for txid, vout in sorted(self.frozen)],
            "collateral_decisions": [
                [txid, vout, decision]
                for (txid, vout), decision in sorted(self.collateral_decisions.items())
            ],
            "settings": {
                **vars(self.settings),
                "insight_servers": list(self.settings.insight_servers),
            },
            "pending": dict(sorted(self.pending.items())),
            "last_known": None if self.last_known is None else self.last_known.to_json(),
        }

    @staticmethod
    def from_json(data: object, upgrades: Mapping[int, Upgrade] = UPGRADES) -> WalletDocument:
        doc = _Reader(upgrade_document(data, upgrades), "wallet")
        network = doc.text("network")
        if network not in NETWORKS:
            raise CorruptWalletFile(f"The wallet data names an unknown network {network!r}.")
        return WalletDocument(
            kind=_kind_from_json(doc.sub("kind")),
            network=network,
            name=doc.text("name"),
            wallet_id=doc.text("wallet_id"),
            created_at=doc.integer("created_at"),
            accounts=[
                Account(
                    a.integer("index"),
                    a.text("name"),
                    a.integer("receive_count"),
                    a.integer("change_count"),
                    # Optional in schema 2: files written before it existed have none.
                    a.integer("fresh_receive") if "fresh_receive" in a else -1,
                )
                for a in doc.items("accounts")
            ],
            labels=doc.text_map("labels"),
            address_book=[
                Contact(c.text("name"), c.text("address"), c.text("note"))
                for c in doc.items("address_book")
            ],
            nodes=[_node_from_json(n) for n in doc.items("nodes")],
            frozen={_outpoint(item) for item in doc.array("frozen")},
            collateral_decisions=dict(
                _decision(item) for item in doc.array("collateral_decisions")
            ),
            settings=_settings_from_json(doc.sub("settings")),
            # Optional in schema 1: files written before it existed have none.
            pending=doc.text_map("pending") if "pending" in doc else {},
            # Optional in schema 2 (same rule): older files open with none.
            last_known=doc.optional("last_known", last_known_from_json),
        )


def upgrade_document(
    data: object, upgrades: Mapping[int, Upgrade] = UPGRADES, current: int = SCHEMA_VERSION
) -> JsonObj:
    """Bring an older document up to `current` one schema step at a time."""
    if not isinstance(data, dict):
        raise CorruptWalletFile("The wallet data is damaged (not an object).")
    version = data.get("schema")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise CorruptWalletFile("The wallet data is damaged (schema version).")
    if version > current:
        raise UnsupportedWalletFile(
            f"This wallet was saved by a newer FluxDesk (data schema {version}, this version "
            f"understands up to {current}). Update FluxDesk to open it."
        )
    while version < current:
        step = upgrades.get(version)
        if step is None:
            raise UnsupportedWalletFile(
                f"FluxDesk cannot upgrade wallet data from schema {version}; "
                "open it with the FluxDesk version that wrote it and export the seed."
            )
        data = step(dict(data))
        version += 1
        data["schema"] = version
    return data


def _kind_to_json(kind: WalletKind) -> JsonObj:
    if isinstance(kind, HdSeed):
        return {"type": "hd", "mnemonic": kind.mnemonic, "passphrase": kind.passphrase}
    if isinstance(kind, ImportedKeys):
        return {"type": "imported", "wifs": list(kind.wifs)}
    return {"type": "watch", "xpub": kind.xpub, "addresses": list(kind.addresses)}


def _kind_from_json(kind: _Reader) -> WalletKind:
    match kind.text("type"):
        case "hd":
            return HdSeed(kind.text("mnemonic"), kind.text("passphrase"))
        case "imported":
            return ImportedKeys(kind.texts("wifs"))
        case "watch":
            return WatchOnly(kind.opt_text("xpub"), kind.texts("addresses"))
        case other:
            raise UnsupportedWalletFile(
                f"Unknown wallet type {other!r}; it was probably made by a newer FluxDesk."
            )


def _node_from_json(n: _Reader) -> NodeEntry:
    p2sh = None
    if n.opt_sub("p2sh") is not None:
        p = n.sub("p2sh")
        p2sh = P2shCollateral(
            p.text("redeem_script_hex"), p.integer("key_index"), p.text("payout_address")
        )
    start = None
    if n.opt_sub("last_start") is not None:
        r = n.sub("last_start")
        start = StartEntry(r.text("txid"), r.integer("sig_time"), r.integer("sent_at"))
    return NodeEntry(
        n.text("name"),
        n.text("collateral_txid"),
        n.integer("collateral_vout"),
        n.text("identity_wif"),
        n.text("ip"),
        n.integer("created_at"),
        tier=n.text("tier"),
        identity_source=n.text("identity_source"),
        p2sh=p2sh,
        delegates=n.texts("delegates"),
        last_start=start,
    )


def _decision(item: object) -> tuple[tuple[str, int], bool]:
    if isinstance(item, list) and len(item) == 3 and isinstance(item[2], bool):
        return _outpoint(item[:2]), item[2]
    raise CorruptWalletFile("The wallet data is damaged (collateral decisions).")


def _settings_from_json(s: _Reader) -> WalletSettings:
    return WalletSettings(
        fee_preset=s.text("fee_preset"),
        # Out-of-range values (hand edits, older builds) are pulled into range rather than
        # making the whole wallet unopenable.
        expiry_delta=_clamp(s.integer("expiry_delta"), MIN_EXPIRY_DELTA, MAX_EXPIRY_DELTA),
        gap_limit=_clamp(s.integer("gap_limit"), 1, MAX_GAP_LIMIT),
        auto_lock_minutes=s.integer("auto_lock_minutes"),
        use_local_node=s.flag("use_local_node"),
        insight_servers=s.texts("insight_servers"),
    )


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def _outpoint(item: object) -> tuple[str, int]:
    if (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], int)
        and not isinstance(item[1], bool)
    ):
        return item[0].lower(), item[1]
    raise CorruptWalletFile("The wallet data is damaged (frozen coins list).")


T = TypeVar("T")


class _Reader:
    """Typed access to a JSON object; any surprise is a CorruptWalletFile naming the field."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise CorruptWalletFile(f"The wallet data is damaged ({where} is not an object).")
        self._data: JsonObj = data
        self._where = where

    def _get(self, key: str, kind: type[T] | tuple[type, ...], label: str) -> Any:
        value = self._data.get(key)
        if isinstance(value, bool) and kind is not bool:
            value = None
        if not isinstance(value, kind):
            raise CorruptWalletFile(
                f"The wallet data is damaged ({self._where}.{key} should be {label})."
            )
        return value

    def text(self, key: str) -> str:
        return str(self._get(key, str, "text"))

    def opt_text(self, key: str) -> str | None:
        return None if self._data.get(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        return int(self._get(key, int, "a whole number"))

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool, "true or false"))

    def array(self, key: str) -> list[Any]:
        return list(self._get(key, list, "a list"))

    def texts(self, key: str) -> list[str]:
        values = self.array(key)
        if not all(isinstance(v, str) for v in values):
            raise CorruptWalletFile(f"The wallet data is damaged ({self._where}.{key}).")
        return values

    def text_map(self, key: str) -> dict[str, str]:
        value = self._get(key, dict, "an object")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise CorruptWalletFile(f"The wallet data is damaged ({self._where}.{key}).")
        return dict(value)

    def optional(self, key: str, read: Callable[[object], T]) -> T | None:
        value = self._data.get(key)
        return None if value is None else read(value)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def opt_sub(self, key: str) -> _Reader | None:
        return None if self._data.get(key) is None else self.sub(key)

    def sub(self, key: str) -> _Reader:
        return _Reader(self._data.get(key), f"{self._where}.{key}")

    def items(self, key: str) -> list[_Reader]:
        return [_Reader(item, f"{self._where}.{key}[]") for item in self.array(key)]

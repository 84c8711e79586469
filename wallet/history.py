"""Turning the wallet's raw transactions into history entries with a type and a net amount.

Only raw transactions are used (their txids are checked when they are fetched), never a server's
idea of amounts: an input's value comes from the earlier transaction it spends, which is in the
wallet's own history whenever that input spends one of the wallet's coins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from flux.networks import Network
from wallet.address import address_from_script
from wallet.errors import DecodeError
from wallet.script import OP_RETURN, parse_script
from wallet.txcodec import parse_transaction
from wallet.txmodel import FluxnodeStart, Transaction

_NULL_TXID = bytes(32)
_NULL_INDEX = 0xFFFFFFFF


class TxType(StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    SELF = "self"
    NODE_REWARD = "node_reward"
    FLUXNODE_START = "fluxnode_start"
    FLUXNODE_CONFIRM = "fluxnode_confirm"


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A transaction's bytes as the wallet's own sealed sync cache kept them (they parsed when
    it was written), parsed on first use: a restart that changes nothing never parses them."""

    raw: bytes
    # Inputs + outputs, for sync's memory budget before it is parsed.
    parts: int


@dataclass(frozen=True, slots=True, eq=False)
class ChainTx:
    """A transaction of the wallet's history with what the backend says about its place."""

    txid: str
    # The transaction, or its bytes until first used (see Unparsed).
    body: Transaction | Unparsed
    # Block height, or None in the mempool (or when a confirmed tx's height is not reported).
    height: int | None
    confirmed: bool
    # The block's time (Unix seconds) when the backend said; None in the mempool or unknown.
    time: int | None = None

    @property
    def tx(self) -> Transaction:
        body = self.body
        if isinstance(body, Unparsed):
            body = parse_transaction(body.raw, bounded=True)
            object.__setattr__(self, "body", body)
        return body

    @property
    def parts(self) -> int:
        """Inputs + outputs (without parsing an Unparsed body)."""
        body = self.body
        if isinstance(body, Unparsed):
            return body.parts
        return len(body.inputs) + len(body.outputs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChainTx):
            return NotImplemented
        place = (self.txid, self.height, self.confirmed, self.time)
        return place == (other.txid, other.height, other.confirmed, other.time) and (
            self.tx == other.tx
        )

    __hash__ = None  # type: ignore[assignment]  # equal by value, like the Transaction inside

    @property
    def is_coinbase(self) -> bool:
        return is_coinbase(self.tx)

    def confirmations(self, tip: int) -> int:
        """Depth below the tip; a confirmed tx of unknown height counts as (at least) 1."""
        if self.height is not None and self.confirmed:
            return max(tip - self.height + 1, 1)
        return 1 if self.confirmed else 0


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    txid: str
    type: TxType
    # Net change of the wallet's balance in satoshis (negative when coins left the wallet).
    amount: int
    # Known only when every input is the wallet's own; None otherwise (e.g. received coins).
    fee: int | None
    height: int | None
    confirmations: int
    # 0 = never expires.
    expiry_height: int
    # Recipients for sent, the wallet's receiving addresses otherwise.
    addresses: tuple[str, ...]
    # UTF-8 text of an OP_RETURN output, if the transaction has one.
    message: str | None = None
    # The block's time (Unix seconds), when the backend reported it.
    time: int | None = None

    @property
    def pending(self) -> bool:
        return self.confirmations == 0


def is_coinbase(tx: Transaction) -> bool:
    return (
        len(tx.inputs) == 1
        and tx.inputs[0].prevout.txid == _NULL_TXID
        and tx.inputs[0].prevout.index == _NULL_INDEX
    )


def is_expired(tx: Transaction, tip: int) -> bool:
    """True when `tx` can no longer be mined: the next block (tip + 1) is above its expiry."""
    return tx.expiry_height != 0 and tip >= tx.expiry_height


def op_return_text(tx: Transaction) -> str | None:
    for out in tx.outputs:
        if out.script_pubkey[:1] != bytes((OP_RETURN,)):
            continue
        try:
            ops = parse_script(out.script_pubkey)
        except DecodeError:
            return None
        data = b"".join(op.data or b"" for op in ops[1:])
        return data.decode("utf-8", errors="replace")
    return None


def classify(
    item: ChainTx,
    *,
    tip: int,
    owner_of: Callable[[bytes], str | None],
    known: Mapping[str, Transaction],
    network: Network,
) -> HistoryEntry:
    """History entry of one transaction.

    `owner_of` gives the wallet's address a scriptPubKey pays (None if not the wallet's);
    `known` maps txid -> transaction for the wallet's other transactions, where the values of
    its inputs are read.
    """
    tx = item.tx
    confirmations = item.confirmations(tip)
    if tx.fluxnode is not None:
        start = isinstance(tx.fluxnode, FluxnodeStart)
        kind = TxType.FLUXNODE_START if start else TxType.FLUXNODE_CONFIRM
        return HistoryEntry(item.txid, kind, 0, None, item.height, confirmations, 0, (),
                            time=item.time if item.confirmed else None)
    coinbase = is_coinbase(tx)
    mine_in = 0
    all_inputs_mine = bool(tx.inputs) and not coinbase
    for txin in tx.inputs:
        prev = known.get(txin.prevout.txid_hex)
        spent = (
            prev.outputs[txin.prevout.index]
            if prev is not None and txin.prevout.index < len(prev.outputs)
            else None
        )
        if spent is not None and owner_of(spent.script_pubkey) is not None:
            mine_in += spent.value
        else:
            all_inputs_mine = False
    mine_out = 0
    own_addresses: list[str] = []
    foreign_scripts: list[bytes] = []
    for out in tx.outputs:
        owner = owner_of(out.script_pubkey)
        if owner is not None:
            mine_out += out.value
            own_addresses.append(owner)
        elif out.script_pubkey[:1] != bytes((OP_RETURN,)):
            foreign_scripts.append(out.script_pubkey)
    fee = (mine_in - sum(o.value for o in tx.outputs)) if all_inputs_mine else None
    if coinbase:
        kind = TxType.NODE_REWARD
    elif mine_in == 0:
        kind = TxType.RECEIVED
    elif all_inputs_mine and not foreign_scripts:
        kind = TxType.SELF
    else:
        kind = TxType.SENT
    if kind == TxType.SENT:
        # Encoding addresses is the costly part of a sync of many txs: only where shown.
        found = (address_from_script(s, network) for s in foreign_scripts)
        addresses = tuple(a for a in found if a is not None)
    else:
        addresses = tuple(own_addresses)
    return HistoryEntry(
        txid=item.txid,
        type=kind,
        amount=mine_out - mine_in,
        fee=fee,
        height=item.height,
        confirmations=confirmations,
        expiry_height=tx.expiry_height,
        addresses=tuple(dict.fromkeys(addresses)),
        message=op_return_text(tx),
        time=item.time if item.confirmed else None,
    )

"""The wallet's own pending transactions, kept in the wallet file between runs.

A send whose broadcast gave no clear answer may be on the network. Its coins must stay spent
until it confirms or expires, also after a restart, or the next review could spend them again
and pay twice. The document keeps each such transaction's raw bytes by txid; sync treats them as
its local pending transactions and says which are settled.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from wallet.errors import DecodeError, WalletError
from wallet.storage.model import WalletDocument
from wallet.txmodel import Transaction

log = logging.getLogger(__name__)


def stored_pending(document: WalletDocument) -> list[Transaction]:
    """The pending transactions the file holds; an unreadable entry is dropped with a log line."""
    result = []
    for txid, raw in list(document.pending.items()):
        try:
            tx = Transaction.parse(bytes.fromhex(raw))
        except (ValueError, DecodeError, WalletError):
            tx = None
        if tx is None or tx.txid != txid:
            log.warning("pending transaction %s in the wallet file is damaged; dropped", txid[:16])
            del document.pending[txid]
            continue
        result.append(tx)
    return result


def remember_pending(document: WalletDocument, tx: Transaction) -> bool:
    """Keep `tx` as pending; True when the document changed (and must be saved)."""
    raw = tx.serialize().hex()
    if document.pending.get(tx.txid) == raw:
        return False
    document.pending[tx.txid] = raw
    return True


def settle_pending(document: WalletDocument, still_pending: Collection[str]) -> bool:
    """Forget the pending transactions sync no longer holds (confirmed or expired); True when
    the document changed."""
    settled = [t for t in document.pending if t not in still_pending]
    for txid in settled:
        del document.pending[txid]
    return bool(settled)

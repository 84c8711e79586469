"""The wallet's coins from its own (hash-checked) transactions, and what a second source says.

Kept apart from sync.py, which fetches; these functions only read a SyncState.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from wallet.backends.base import Trust, Utxo
from wallet.backends.witness import BlockWitness
from wallet.history import ChainTx, HistoryEntry, is_coinbase, is_expired
from wallet.keychain import Keychain
from wallet.sync_state import SyncState
from wallet.txmodel import Transaction

Deep = TypeVar("Deep", Utxo, HistoryEntry)

log = logging.getLogger(__name__)


def live_txs(st: SyncState) -> dict[str, ChainTx]:
    """Mined transactions and pending ones that can still be mined."""
    return {t: c for t, c in st.txs.items() if c.confirmed or not is_expired(c.tx, st.tip)}


def wallet_coins(keychain: Keychain, st: SyncState, *, trusted: bool) -> list[Utxo]:
    """Unspent outputs of the wallet: its own transactions corrected by the server's list.

    Outputs come from the hash-checked transactions; an output spent by any live (mined or
    unexpired pending) transaction is gone even if a lagging server lists it, and the inputs
    of a dropped (expired) transaction are free again. Coins a server lists from a
    transaction not in the history yet are kept. 0-value outputs are no coins.
    """
    live = live_txs(st)
    spent = {
        (txin.prevout.txid_hex, txin.prevout.index) for c in live.values() for txin in c.tx.inputs
    }
    coins: dict[tuple[str, int], Utxo] = {}
    for item in live.values():
        _add_own_outputs(keychain, st, item, coins, spent)
    for utxo in st.listed:
        if utxo.txid in live and utxo.outpoint not in spent:
            coins.setdefault(utxo.outpoint, utxo)
    ordered = sorted(coins.values(), key=lambda u: (u.height or 1 << 62, u.txid, u.vout))
    return [with_trust(st, u, trusted=trusted) for u in ordered]


def _add_own_outputs(
    keychain: Keychain,
    st: SyncState,
    item: ChainTx,
    coins: dict[tuple[str, int], Utxo],
    spent: set[tuple[str, int]],
) -> None:
    for vout, out in enumerate(item.tx.outputs):
        outpoint = (item.txid, vout)
        if out.value <= 0 or outpoint in coins or outpoint in spent:
            continue
        entry = keychain.lookup_script(out.script_pubkey)
        if entry is None:
            continue
        height = item.height if item.confirmed else None
        coins[outpoint] = Utxo(
            item.txid,
            vout,
            entry.address,
            out.value,
            out.script_pubkey,
            height,
            item.confirmations(st.tip),
            is_coinbase(item.tx),
        )


def keep_results(st: SyncState) -> bool:
    """For a refresh that changed no transaction: keep the coins and history (of the last sync,
    or of the cache after a restart) at the new tip's depth; False when they cannot be kept
    (never computed, not matching the transactions, or a coin is disputed: it is asked about
    again once computed as a coin of its depth), so that they are computed anew."""
    if st.results_tip is None or any(u.trust is Trust.DISPUTED for u in st.utxos):
        return False
    if st.results_tip == st.tip:
        return True
    deepened = at_depth(st)
    if deepened is None:
        return False
    st.utxos, st.history = deepened
    return True


def owners_touched(keychain: Keychain, st: SyncState, tx: Transaction) -> set[str]:
    """The wallet's addresses `tx` pays or spends from (of the outputs it spends, those of
    transactions in `st`)."""
    scripts = [out.script_pubkey for out in tx.outputs]
    for txin in tx.inputs:
        prev = st.txs.get(txin.prevout.txid_hex)
        if prev is not None and txin.prevout.index < len(prev.tx.outputs):
            scripts.append(prev.tx.outputs[txin.prevout.index].script_pubkey)
    owners = (keychain.lookup_script(s) for s in scripts)
    return {entry.address for entry in owners if entry is not None}


def at_depth(st: SyncState) -> tuple[list[Utxo], list[HistoryEntry]] | None:
    """The last computed coins and history with the confirmations of `st.tip`, for a refresh
    that changed no transaction; None when one of them has no transaction (compute anew).

    A pending coin or entry stays at 0 (so does a disputed coin); the others are as deep as
    their transaction is now.
    """
    if any(coin.trust is Trust.DISPUTED for coin in st.utxos):
        return None  # asked again as a coin of its depth: computed anew
    coins = _at_depth(st.utxos, st)
    entries = _at_depth(st.history, st)
    if coins is None or entries is None:
        return None
    return coins, entries


def _at_depth(items: Sequence[Deep], st: SyncState) -> list[Deep] | None:
    """Each item with its transaction's confirmations at `st.tip` (pending ones stay at 0);
    None when a mined item's transaction is not known."""
    deep = []
    for item in items:
        if item.confirmations == 0:
            deep.append(item)
            continue
        chain_tx = st.txs.get(item.txid)
        if chain_tx is None:
            return None
        deep.append(replace(item, confirmations=chain_tx.confirmations(st.tip)))
    return deep


def with_trust(st: SyncState, coin: Utxo, *, trusted: bool) -> Utxo:
    """The coin as far as a second source vouches for it (trusted: the wallet's own node)."""
    if trusted:
        return replace(coin, trust=Trust.VERIFIED)
    trust = st.trust.get(coin.txid)
    if trust is Trust.DISPUTED:
        # One server's word against another's: not confirmed, so not spendable.
        return replace(coin, trust=trust, height=None, confirmations=0)
    return replace(coin, trust=trust) if trust is not None else coin


async def ask_witness(witness: BlockWitness, st: SyncState, gate: asyncio.Semaphore) -> bool:
    """Ask about confirmed coins not checked yet; True when any answer came."""
    wanted = {
        u.txid: u.height
        for u in st.utxos
        if u.confirmations > 0 and u.height is not None and u.txid not in st.trust
    }

    async def ask(txid: str, height: int) -> tuple[str, Trust]:
        async with gate:
            return txid, await witness.check(txid, height)

    answers = await asyncio.gather(*(ask(t, h) for t, h in wanted.items() if h is not None))
    for txid, trust in answers:
        if trust is not Trust.SINGLE_SOURCE:
            st.trust[txid] = trust
        if trust is Trust.DISPUTED:
            log.warning("a second server does not have %s… in its block", txid[:16])
    return any(trust is not Trust.SINGLE_SOURCE for _, trust in answers)

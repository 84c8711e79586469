"""Wallet sync: gap-limit address discovery, history, coins and pending transactions.

Discovery reads the used addresses from the wallet's own transactions: an address is used once an
output pays it, so the history of a window of addresses (batched by the backend) tells which are
used without one request per address. The windows grow until `gap_limit` unused addresses follow
the last used one on the receive (0) and change (1) chains.

Every transaction is fetched raw and checked against its txid; coin values a server lists are
compared with those raw transactions, so a server that lies about an amount is caught here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import replace

from wallet.backends.base import (
    BulkRawSource,
    ChainBackend,
    HistoryItem,
    Trust,
    Utxo,
)
from wallet.backends.verify import check_utxo, output_of, verify_transaction
from wallet.backends.witness import BlockWitness
from wallet.errors import BackendMismatch, BackendResponseError
from wallet.history import ChainTx, HistoryEntry, classify, is_coinbase, is_expired
from wallet.keychain import CHAINS, Keychain
from wallet.sync_coins import (
    ask_witness,
    keep_results,
    live_txs,
    owners_touched,
    wallet_coins,
)
from wallet.sync_pages import HistoryReader
from wallet.sync_state import MAX_ADDRESSES_PER_CHAIN, SyncState
from wallet.txmodel import Transaction

# SyncState lives in sync_state.py; it is part of this module's interface.
__all__ = ["DEFAULT_GAP_LIMIT", "MAX_NEW_ADDRESSES_PER_SYNC", "SyncState", "WalletSync"]

log = logging.getLogger(__name__)

DEFAULT_GAP_LIMIT = 20
# Requests for raw transactions in flight at the same time.
FETCH_CONCURRENCY = 8
# Raw transactions asked in one request of a backend that batches them (fluxd JSON-RPC): a
# 250-call batch of ~250-byte transactions is a ~130 kB reply.
RAW_BATCH = 250
# Page copies of transactions checked between two yields to the event loop (~10 ms of work).
ADOPT_SLICE = 250
# A server claiming every address is used must not make discovery run forever: one sync adds at
# most this many addresses per chain (a wallet that really used more finds them over a few syncs),
# and no chain grows beyond the cap.
MAX_NEW_ADDRESSES_PER_SYNC = 1_000
# Inputs plus outputs of all transactions kept in memory (~160 bytes each once parsed, so about
# 80 MB): a personal wallet's history is far smaller, a server inventing fat transactions
# (each within fluxd's limits, see txcodec) is stopped here.
MAX_KEPT_TX_PARTS = 500_000


class WalletSync:
    """Syncs one keychain against one backend. Not thread-safe; one sync at a time."""

    def __init__(
        self,
        keychain: Keychain,
        backend: ChainBackend,
        *,
        gap_limit: int = DEFAULT_GAP_LIMIT,
        handed_out: dict[int, int] | None = None,
        concurrency: int = FETCH_CONCURRENCY,
        pending: Iterable[Transaction] = (),
        witness: BlockWitness | None = None,
        trusted: bool = False,
    ) -> None:
        if gap_limit < 1:
            raise ValueError("gap limit must be at least 1")
        self.keychain = keychain
        self.backend = backend
        self.gap_limit = gap_limit
        # Addresses already shown to the user (receive_count/change_count in the wallet file).
        self.handed_out = dict(handed_out or {})
        # A second source for confirmations, or `trusted` for the wallet's own node.
        self.witness = witness
        self.trusted = trusted
        # The wallet's own pending transactions from an earlier run (kept in the wallet file).
        self._stored_pending = {tx.txid: tx for tx in pending}
        self._gate = asyncio.Semaphore(concurrency)
        # Inputs + outputs of the transactions this sync holds (see MAX_KEPT_TX_PARTS).
        self._kept_parts = 0
        self._pages = HistoryReader(backend, self._gate)
        # In a refresh, the addresses whose coins may have changed (see _note_change); None in
        # a full sync, which reads every used address's coins.
        self._touched: set[str] | None = None
        # Transactions this sync found new, moved or gone (see _note_change): without any, a
        # refresh keeps the coins and history it had (at the new tip's depth).
        self._changed: list[Transaction] = []

    # --- public --------------------------------------------------------------------------

    async def sync(self, state: SyncState | None = None, *, full: bool = False) -> SyncState:
        """Full sync (state None or full=True) or an incremental refresh of `state`.

        A full sync starts over but keeps the wallet's own pending transactions.
        """
        full = full or state is None
        st = state if state is not None and not full else SyncState()
        self._changed = []
        # The wallet file's pending transactions join the first sync, a refresh of a cached
        # state too (the cache may be older than the file).
        carried = list(self._stored_pending.values())
        if full and state is not None:
            carried += state.local_pending.values()
        for tx in carried:
            known = st.txs.get(tx.txid)
            if known is None or not known.confirmed:
                st.local_pending[tx.txid] = tx
            if known is None:
                st.txs[tx.txid] = ChainTx(tx.txid, tx, None, False)
                self._changed.append(tx)
        self._stored_pending = {}
        st.dropped = []
        st.trust = {t: v for t, v in st.trust.items() if v is Trust.VERIFIED}
        self._kept_parts = sum(c.parts for c in st.txs.values())
        self._touched = None if full else set()
        scanned = dict(st.scanned)
        self._pages.start(self.backend)
        st.tip = await self.backend.tip_height()
        fixed = [a.address for a in self.keychain.fixed_addresses]
        targets = fixed if full else self._watched(st)
        stop_early = not full
        # Addresses the wallet handed out (its own file) are always scanned; the bound is on
        # what a server's claims of use add beyond them.
        limit = {
            c: max(st.scanned[c], self.handed_out.get(c, 0)) + MAX_NEW_ADDRESSES_PER_SYNC
            for c in self._chains()
        }
        while True:
            grown = self._grow_windows(st, limit)
            targets += grown
            if not targets:
                break
            await self._read_history(st, targets, stop_early=stop_early)
            # Newly watched addresses may be paid by transactions known before: all are read.
            self._mark_used(st, None if full or grown else self._changed)
            stop_early = False
            targets = []
            if all(st.scanned[c] >= self._window_end(st, c, limit) for c in self._chains()):
                break
        await self._read_utxos(st)
        self._drop_expired(st)
        if full or self._changed or st.scanned != scanned or not keep_results(st):
            st.utxos = self._coins(st)
            if await self._ask_witness(st):
                st.utxos = self._coins(st)
            st.history = self._history(st)
        elif await self._ask_witness(st):
            st.utxos = self._coins(st)
        st.results_tip = st.tip
        return st

    def add_local_pending(self, state: SyncState, tx: Transaction) -> None:
        """Record a transaction this wallet just broadcast, before any server lists it."""
        state.local_pending[tx.txid] = tx
        state.txs.setdefault(tx.txid, ChainTx(tx.txid, tx, None, False))
        self._mark_used(state, [tx])
        state.utxos = self._coins(state)
        state.history = self._history(state)
        state.results_tip = state.tip

    # --- discovery ------------------------------------------------------------------------

    def _chains(self) -> tuple[int, ...]:
        return CHAINS if self.keychain.is_hd else ()

    def _window_end(self, st: SyncState, chain: int, limit: dict[int, int]) -> int:
        floor = max(st.last_used[chain] + 1, self.handed_out.get(chain, 0))
        return min(floor + self.gap_limit, limit[chain], MAX_ADDRESSES_PER_CHAIN)

    def _grow_windows(self, st: SyncState, limit: dict[int, int]) -> list[str]:
        new: list[str] = []
        for chain in self._chains():
            end = self._window_end(st, chain, limit)
            if end > st.scanned[chain]:
                count = end - st.scanned[chain]
                batch = self.keychain.derive_range(chain, st.scanned[chain], count)
                new += [a.address for a in batch]
                st.scanned[chain] = end
        return new

    def _watched(self, st: SyncState) -> list[str]:
        addresses = [a.address for a in self.keychain.fixed_addresses]
        for chain in self._chains():
            derived = self.keychain.derive_range(chain, 0, st.scanned[chain])
            addresses += [a.address for a in derived]
        return addresses

    def _mark_used(self, st: SyncState, txs: Iterable[Transaction] | None = None) -> None:
        """Raise each chain's last used index from outputs that pay the wallet something: of
        `txs` (those a refresh found new or moved), or of every transaction.

        A 0-value output costs a liar nothing and pays nobody, so it does not count as use.
        """
        for tx in (c.tx for c in st.txs.values()) if txs is None else txs:
            for out in tx.outputs:
                if out.value <= 0:
                    continue
                entry = self.keychain.lookup_script(out.script_pubkey)
                if entry is not None and entry.chain is not None and entry.index is not None:
                    st.last_used[entry.chain] = max(st.last_used[entry.chain], entry.index)

    # --- history --------------------------------------------------------------------------

    async def _read_history(self, st: SyncState, addresses: list[str], *, stop_early: bool) -> None:
        items = await self._pages.items(st, addresses, stop_early=stop_early)
        seen: dict[str, HistoryItem] = {}
        for item in items:
            seen.setdefault(item.txid.lower(), item)
        missing = [t for t in seen if t not in st.txs]
        # Insight pages carry whole transactions: checked here, fetched raw only if they fail.
        fetched = await self._adopt({t: raw for t in missing if (raw := seen[t].raw) is not None})
        fetched.update(await self._fetch_many(t for t in missing if t not in fetched))
        for txid, item in seen.items():
            known = st.txs.get(txid)
            # A cached transaction stays unparsed unless it moved (see history.Unparsed).
            body = fetched.get(txid) or st.txs[txid].body
            height = item.height
            if height is None and item.confirmed and known is not None and known.confirmed:
                # fluxd lists txids without heights; keep the one learnt from its coin list.
                height = known.height
            block_time = item.time if item.time is not None else known.time if known else None
            if known is not None and (known.confirmed, known.height, known.time) == (
                item.confirmed, height, block_time
            ):
                continue
            st.txs[txid] = ChainTx(txid, body, height, item.confirmed, block_time)
            self._note_change(st, st.txs[txid].tx)
            if item.confirmed:
                st.local_pending.pop(txid, None)
        if stop_early:
            # A mempool tx the server no longer lists was dropped (expired or replaced).
            for txid, known in list(st.txs.items()):
                if not known.confirmed and txid not in seen and txid not in st.local_pending:
                    self._note_change(st, known.tx)
                    del st.txs[txid]
                    st.dropped.append(txid)

    def _note_change(self, st: SyncState, tx: Transaction) -> None:
        """A refresh saw `tx` new, moved or gone: the coins of the wallet's addresses it pays or
        spends from are read again (the server's coin list of the others cannot have changed
        without such a transaction in their history)."""
        self._changed.append(tx)
        if self._touched is not None:
            self._touched |= owners_touched(self.keychain, st, tx)

    async def _adopt(self, raws: dict[str, str]) -> dict[str, Transaction]:
        """The transactions among `raws` that hash to their txid (the rest are fetched)."""
        adopted: dict[str, Transaction] = {}
        for n, (txid, raw) in enumerate(raws.items(), 1):
            if n % ADOPT_SLICE == 0:
                # Thousands of checks in a row would hold the event loop (the GUI's) too long.
                await asyncio.sleep(0)
            try:
                adopted[txid] = self._keep(verify_transaction(raw, txid))
            except (BackendMismatch, BackendResponseError) as exc:
                if self._kept_parts > MAX_KEPT_TX_PARTS:
                    raise
                log.info("%s: page copy of %s… not used (%s)", self.backend.name, txid[:16], exc)
        return adopted

    async def _fetch_many(self, txids: Iterable[str]) -> dict[str, Transaction]:
        wanted = list(dict.fromkeys(txids))
        size = RAW_BATCH if isinstance(self.backend, BulkRawSource) else 1
        chunks = [wanted[n : n + size] for n in range(0, len(wanted), size)]
        tasks = [asyncio.ensure_future(self._fetch(c)) for c in chunks]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            # One bad reply ends the sync: the other fetches stop too instead of still filling
            # memory with what the same server sends.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return {txid: tx for chunk in results for txid, tx in chunk}

    async def _fetch(self, txids: list[str]) -> list[tuple[str, Transaction]]:
        async with self._gate:
            if self._kept_parts > MAX_KEPT_TX_PARTS:
                raise self._over_budget()
            if isinstance(self.backend, BulkRawSource):
                raws = await self.backend.raw_transactions(txids)
            else:
                raws = [await self.backend.raw_transaction(t) for t in txids]
            if len(raws) != len(txids):
                raise BackendResponseError(
                    f"{self.backend.name} sent {len(raws)} transactions for {len(txids)} asked."
                )
            pairs = zip(txids, raws, strict=True)
            return [(t, self._keep(verify_transaction(r, t))) for t, r in pairs]

    def _keep(self, tx: Transaction) -> Transaction:
        """Count `tx` against the memory budget (see MAX_KEPT_TX_PARTS)."""
        self._kept_parts += _parts(tx)
        if self._kept_parts > MAX_KEPT_TX_PARTS:
            raise self._over_budget()
        return tx

    def _over_budget(self) -> BackendResponseError:
        return BackendResponseError(
            f"{self.backend.name} sent more transaction data for this wallet than FluxDesk keeps "
            f"(over {MAX_KEPT_TX_PARTS:,} inputs and outputs). The server is probably lying or "
            "broken: switch to another server."
        )

    # --- coins ----------------------------------------------------------------------------

    async def _read_utxos(self, st: SyncState) -> None:
        """The server's coin list of the used addresses, checked against the raw transactions.

        A refresh asks only for the addresses its changes touched and keeps the rest of the list
        as last read (after a restart from the cache that rest is empty: the wallet's coins come
        from its own transactions, the list only adds heights and checks the server)."""
        addresses = self._used_addresses(st)
        kept: list[Utxo] = []
        if self._touched is not None:
            touched = self._touched
            kept = [u for u in st.listed if u.address not in touched and u.txid in st.txs]
            addresses = [a for a in addresses if a in touched]
        listed = await self.backend.utxos(addresses) if addresses else []
        missing = [u.txid.lower() for u in listed if u.txid.lower() not in st.txs]
        fetched = await self._fetch_many(missing)
        for utxo in listed:
            txid = utxo.txid.lower()
            if txid in fetched:
                st.txs[txid] = ChainTx(txid, fetched[txid], utxo.height, utxo.confirmations > 0)
                self._changed.append(fetched[txid])
        checked = []
        for utxo in listed:
            known = st.txs[utxo.txid.lower()]
            # The raw transaction (hash-checked) is the truth; a differing claim is a lie.
            prevout = output_of(known.tx, utxo.vout)
            check_utxo(utxo, prevout)
            owner = self._listed_owner(utxo, prevout.script_pubkey)
            if known.confirmed and known.height is None and utxo.height is not None:
                # fluxd's history has no heights; its coin list does.
                known = replace(known, height=utxo.height)
                st.txs[known.txid] = known
                self._changed.append(known.tx)
            checked.append(
                replace(
                    utxo,
                    txid=known.txid,
                    address=owner,
                    script_pubkey=prevout.script_pubkey,
                    coinbase=is_coinbase(known.tx),
                    height=known.height if known.confirmed else None,
                    confirmations=known.confirmations(st.tip),
                )
            )
        st.listed = kept + checked

    def _listed_owner(self, utxo: Utxo, script_pubkey: bytes) -> str:
        """Our address that the verified output pays; BackendMismatch when it pays a stranger.

        A server could list someone else's real coin under one of our addresses (with no script)
        to inflate the balance, so the owner comes from the output itself, never the server.
        """
        entry = self.keychain.lookup_script(script_pubkey)
        where = f"{utxo.txid[:16]}…:{utxo.vout}"
        if entry is None:
            raise BackendMismatch(
                f"The server listed coin {where} as this wallet's, but the transaction pays "
                "an address that is not in this wallet. It was not counted. Switch to another "
                "server."
            )
        if utxo.address and utxo.address != entry.address:
            raise BackendMismatch(
                f"The server listed coin {where} under {utxo.address:.40}, but the transaction "
                f"pays {entry.address}. Switch to another server."
            )
        return entry.address

    def _used_addresses(self, st: SyncState) -> list[str]:
        addresses = [a.address for a in self.keychain.fixed_addresses]
        for chain in self._chains():
            count = max(st.last_used[chain] + 1, self.handed_out.get(chain, 0))
            addresses += [a.address for a in self.keychain.derive_range(chain, 0, count)]
        return addresses

    def _drop_expired(self, st: SyncState) -> None:
        for txid, item in list(st.txs.items()):
            if not item.confirmed and is_expired(item.tx, st.tip):
                log.info("pending transaction %s expired at %d", txid[:16], item.tx.expiry_height)
                self._changed.append(item.tx)
                del st.txs[txid]
                st.local_pending.pop(txid, None)
                st.dropped.append(txid)

    def _coins(self, st: SyncState) -> list[Utxo]:
        return wallet_coins(self.keychain, st, trusted=self.trusted)

    async def _ask_witness(self, st: SyncState) -> bool:
        if self.witness is None or self.trusted:
            return False
        return await ask_witness(self.witness, st, self._gate)

    # --- history entries -----------------------------------------------------------------

    def _owner_of(self, script_pubkey: bytes) -> str | None:
        entry = self.keychain.lookup_script(script_pubkey)
        return entry.address if entry is not None else None

    def _history(self, st: SyncState) -> list[HistoryEntry]:
        live = live_txs(st)
        known = {t: c.tx for t, c in st.txs.items()}
        entries = [
            classify(
                item,
                tip=st.tip,
                owner_of=self._owner_of,
                known=known,
                network=self.keychain.network,
            )
            for item in live.values()
        ]
        # Newest first; pending on top.
        entries.sort(key=lambda e: (e.height is not None, -(e.height or 0), e.txid))
        return entries



def _parts(tx: Transaction) -> int:
    return len(tx.inputs) + len(tx.outputs)

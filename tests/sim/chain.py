"""The simulated chain: blocks, UTXO set, mempool, tx index and address index.

One ``Chain`` is shared by the Insight and RPC servers. Transactions enter the mempool only
through ``submit`` (full fluxd-like validation, see validate.py) or through the simulator's own
funding helpers (faucet.py), and leave it by being mined or by expiring (fluxd
``removeExpired``: dropped once the tip is above their expiry height, with their descendants).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.sim import validate
from tests.sim.blocks import Block, coinbase_tx, make_block
from tests.sim.params import MAX_BLOCK_SIZE, SimParams
from tests.sim.reject import SimReject
from tests.sim.validate import Coin
from wallet.address import address_from_script, script_pubkey_for_address
from wallet.encoding import sha256d
from wallet.networks import Tier
from wallet.txmodel import OutPoint, Transaction, TxOut

if TYPE_CHECKING:
    from tests.sim.fluxnodes import FluxnodeModel

Key = tuple[str, int]
GENESIS_PREV = "00" * 32


@dataclass
class TxEntry:
    """A transaction the node knows: in a block (``height`` set) or in the mempool."""

    tx: Transaction
    raw: bytes
    txid: str
    spent: list[Coin]
    fee: int
    time: int
    coinbase: bool = False
    height: int | None = None
    block_hash: str | None = None


@dataclass(frozen=True)
class Delta:
    """One mempool address delta (fluxd CMempoolAddressDelta)."""

    address: str
    txid: str
    index: int
    satoshis: int
    timestamp: int
    prevout: Key | None = None


@dataclass
class AddressIndex:
    """Confirmed per-address data, as fluxd's addressindex/spentindex keep it."""

    txids: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    utxos: dict[str, dict[Key, Coin]] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    balance: dict[str, int] = field(default_factory=dict)

    def add_tx(self, address: str, height: int, txid: str) -> None:
        entries = self.txids.setdefault(address, [])
        if not entries or entries[-1] != (height, txid):
            entries.append((height, txid))


class Chain:
    def __init__(self, params: SimParams | None = None, clock: Callable[[], float] = time.time):
        self.params = params or SimParams()
        self.network = self.params.network
        self._clock = clock
        self.blocks: list[Block] = []
        self.block_by_hash: dict[str, Block] = {}
        self.txs: dict[str, TxEntry] = {}
        self.utxos: dict[Key, Coin] = {}
        self.unspent_count: dict[str, int] = {}
        self.spent_by: dict[Key, tuple[str, int, int | None]] = {}
        self.mempool: dict[str, TxEntry] = {}
        self.mempool_spends: dict[Key, str] = {}
        self.index = AddressIndex()
        # Hooks for a fluxnode model: tier -> payout script for the block at a height, and the
        # mempool check of START/CONFIRM transactions (validate.accept); block listeners see
        # every connected block to track node states.
        self.node_payees: Callable[[int], dict[Tier, bytes]] | None = None
        self.fluxnode_check: validate.FluxnodeCheck | None = None
        self.dev_fund_script: bytes | None = None
        self.listeners: list[Callable[[Block], None]] = []
        # The fluxnode model (tests/sim/fluxnodes.py) when attached; its lists are served by
        # the Insight and RPC apps, which show empty lists without one.
        self.fluxnodes: FluxnodeModel | None = None
        self._addresses: dict[bytes, str | None] = {}
        self._txids_cache: dict[frozenset[str], list[str]] = {}

    # ------------------------------------------------------------------ view (validate.CoinView)

    @property
    def tip_height(self) -> int:
        return len(self.blocks) - 1

    @property
    def tip(self) -> Block:
        return self.blocks[-1]

    def in_mempool(self, txid: str) -> bool:
        return txid in self.mempool

    def in_chain_unspent(self, txid: str) -> bool:
        entry = self.txs.get(txid)
        return entry is not None and entry.height is not None and (
            self.unspent_count.get(txid, 0) > 0
        )

    def have_coins(self, txid: str) -> bool:
        return txid in self.mempool or self.unspent_count.get(txid, 0) > 0

    def coin(self, outpoint: OutPoint) -> Coin | None:
        key = (outpoint.txid_hex, outpoint.index)
        coin = self.utxos.get(key)
        if coin is not None:
            return coin
        entry = self.mempool.get(key[0])
        if entry is None or not 0 <= key[1] < len(entry.tx.outputs):
            return None
        out = entry.tx.outputs[key[1]]
        if out.script_pubkey[:1] == b"\x6a":
            return None  # OP_RETURN outputs never enter the coins view
        return self._coin_of(out, None, False)

    def now(self) -> int:
        """The node's clock (fluxd GetAdjustedTime), injectable for tests."""
        return int(self._clock())

    def mempool_spender(self, outpoint: OutPoint) -> str | None:
        return self.mempool_spends.get((outpoint.txid_hex, outpoint.index))

    def address_of(self, script: bytes) -> str | None:
        """The P2PKH/P2SH address a script pays (cached: base58 is the hot spot in bulk)."""
        try:
            return self._addresses[script]
        except KeyError:
            address = self._addresses[script] = address_from_script(script, self.network)
            return address

    def _coin_of(self, out: TxOut, height: int | None, coinbase: bool) -> Coin:
        return Coin(out.value, out.script_pubkey, self.address_of(out.script_pubkey), height, coinbase)

    # ------------------------------------------------------------------------------ mempool

    def submit(self, raw_hex: object, *, allow_high_fees: bool = False) -> str:
        """sendrawtransaction: validate and add to the mempool; SimReject on refusal."""
        accepted = validate.accept(
            self, raw_hex, self.params, allow_high_fees=allow_high_fees,
            fluxnode_check=self.fluxnode_check,
        )
        if not accepted.already_known:
            self.add_to_mempool(accepted.tx, accepted.raw, accepted.spent, accepted.fee)
        return accepted.txid

    def add_to_mempool(self, tx: Transaction, raw: bytes, spent: list[Coin], fee: int) -> str:
        txid = tx.txid
        entry = TxEntry(tx, raw, txid, spent, fee, int(self._clock()))
        self.mempool[txid] = entry
        self.txs[txid] = entry
        for n, txin in enumerate(tx.inputs):
            self.mempool_spends[(txin.prevout.txid_hex, txin.prevout.index)] = txid
            self.spent_by[(txin.prevout.txid_hex, txin.prevout.index)] = (txid, n, None)
        return txid

    def _remove_from_mempool(self, txid: str, *, recursive: bool) -> list[str]:
        entry = self.mempool.pop(txid, None)
        if entry is None:
            return []
        removed = [txid]
        for txin in entry.tx.inputs:
            key = (txin.prevout.txid_hex, txin.prevout.index)
            if self.mempool_spends.get(key) == txid:
                del self.mempool_spends[key]
                self.spent_by.pop(key, None)
        if recursive:
            for n in range(len(entry.tx.outputs)):
                child = self.mempool_spends.get((txid, n))
                if child is not None:
                    removed += self._remove_from_mempool(child, recursive=True)
            if entry.height is None:
                self.txs.pop(txid, None)
        return removed

    def drop_from_mempool(self, txid: str) -> list[str]:
        """Remove a transaction and its descendants (a replaced or timed-out fluxnode tx)."""
        return self._remove_from_mempool(txid, recursive=True)

    def remove_expired(self, height: int) -> list[str]:
        expired = [
            t for t, e in self.mempool.items()
            if e.tx.expiry_height != 0 and height > e.tx.expiry_height
        ]
        removed: list[str] = []
        for txid in expired:
            removed += self._remove_from_mempool(txid, recursive=True)
        return removed

    # ------------------------------------------------------------------------------- mining

    def miner_script(self, to_address: str | None, default: bytes) -> bytes:
        return default if to_address is None else script_pubkey_for_address(
            to_address, self.network
        )

    def next_block_time(self) -> int:
        if not self.blocks:
            return int(self._clock())
        return max(self.tip.time + 1, int(self._clock()))

    def mine_block(
        self,
        miner_script: bytes,
        *,
        include_mempool: bool = True,
        extra: Iterable[tuple[Transaction, bytes, list[Coin], int]] = (),
        coinbase_outputs: list[TxOut] | None = None,
    ) -> Block:
        """Mine one block: mempool txs valid at the new height, then ``extra`` ones."""
        height = self.tip_height + 1
        chosen: list[TxEntry] = []
        chosen_ids: set[str] = set()
        size = 2000
        if include_mempool:
            for entry in list(self.mempool.values()):
                expiry = entry.tx.expiry_height
                if (expiry and height > expiry) or size + len(entry.raw) > MAX_BLOCK_SIZE:
                    continue
                # A child may only follow its parent into the block (mempool keeps arrival order).
                if any(
                    txin.prevout.txid_hex in self.mempool
                    and txin.prevout.txid_hex not in chosen_ids
                    for txin in entry.tx.inputs
                ):
                    continue
                chosen.append(entry)
                chosen_ids.add(entry.txid)
                size += len(entry.raw)
        now = int(self._clock())
        for tx, raw, spent, fee in extra:
            chosen.append(TxEntry(tx, raw, sha256d(raw)[::-1].hex(), spent, fee, now))
        fees = sum(e.fee for e in chosen)
        payees = self.node_payees(height) if self.node_payees else None
        coinbase = coinbase_tx(
            height, miner_script, fees, pon_height=self.params.pon_height,
            node_payees=payees, dev_fund_script=self.dev_fund_script,
            extra_outputs=coinbase_outputs,
        )
        cb_raw = coinbase.serialize()
        prev = self.tip.hash if self.blocks else GENESIS_PREV
        cb_entry = TxEntry(coinbase, cb_raw, sha256d(cb_raw)[::-1].hex(), [], 0, now, True)
        block = make_block(
            height, prev, self.next_block_time(), [cb_raw] + [e.raw for e in chosen],
            [cb_entry.txid] + [e.txid for e in chosen],
        )
        self._connect(block, cb_entry, chosen)
        return block

    def _connect(self, block: Block, coinbase: TxEntry, entries: list[TxEntry]) -> None:
        self._txids_cache.clear()
        self.blocks.append(block)
        self.block_by_hash[block.hash] = block
        for entry in [coinbase, *entries]:
            if entry.txid in self.mempool:
                self._remove_from_mempool(entry.txid, recursive=False)
            entry.height = block.height
            entry.block_hash = block.hash
            self.txs[entry.txid] = entry
            self._apply(entry, block.height)
        self.remove_expired(block.height)
        for listener in list(self.listeners):
            listener(block)

    def _apply(self, entry: TxEntry, height: int) -> None:
        idx = self.index
        touched: set[str] = set()
        if not entry.coinbase:
            for n, txin in enumerate(entry.tx.inputs):
                key = (txin.prevout.txid_hex, txin.prevout.index)
                coin = self.utxos.pop(key)
                self.unspent_count[key[0]] -= 1
                self.spent_by[key] = (entry.txid, n, height)
                if coin.address is not None:
                    idx.utxos[coin.address].pop(key, None)
                    idx.balance[coin.address] -= coin.value
                    touched.add(coin.address)
        for n, out in enumerate(entry.tx.outputs):
            coin = self._coin_of(out, height, entry.coinbase)
            if coin.script[:1] == b"\x6a":
                continue  # OP_RETURN outputs are provably unspendable, never in the UTXO set
            key = (entry.txid, n)
            self.utxos[key] = coin
            self.unspent_count[entry.txid] = self.unspent_count.get(entry.txid, 0) + 1
            if coin.address is not None:
                idx.utxos.setdefault(coin.address, {})[key] = coin
                idx.received[coin.address] = idx.received.get(coin.address, 0) + coin.value
                idx.balance[coin.address] = idx.balance.get(coin.address, 0) + coin.value
                touched.add(coin.address)
        for address in touched:
            idx.add_tx(address, height, entry.txid)

    # ------------------------------------------------------------------------------ queries

    def confirmations(self, height: int | None) -> int:
        return 0 if height is None else self.tip_height - height + 1

    def address_txids(self, addresses: Iterable[str]) -> list[str]:
        """fluxd getaddresstxids: confirmed, ordered by (height, txid), duplicates removed.

        Cached until the next block: wallets page through long histories one query at a time.
        """
        key = frozenset(addresses)
        cached = self._txids_cache.get(key)
        if cached is None:
            pairs: set[tuple[int, str]] = set()
            for address in key:
                pairs.update(self.index.txids.get(address, ()))
            cached = self._txids_cache[key] = [txid for _, txid in sorted(pairs)]
        return list(cached)

    def mempool_deltas(self, addresses: Iterable[str]) -> list[Delta]:
        """fluxd getaddressmempool entries (spends negative with prevtxid/prevout)."""
        wanted = set(addresses)
        deltas: list[Delta] = []
        for entry in sorted(self.mempool.values(), key=lambda e: e.time):
            for n, (txin, coin) in enumerate(zip(entry.tx.inputs, entry.spent, strict=True)):
                if coin.address is not None and coin.address in wanted:
                    deltas.append(Delta(coin.address, entry.txid, n, -coin.value, entry.time,
                                        (txin.prevout.txid_hex, txin.prevout.index)))
            for n, out in enumerate(entry.tx.outputs):
                address = self.address_of(out.script_pubkey)
                if address is not None and address in wanted:
                    deltas.append(Delta(address, entry.txid, n, out.value, entry.time))
        return deltas

    def address_utxos(self, addresses: Iterable[str]) -> list[tuple[Key, Coin]]:
        """Confirmed unspent outputs (getaddressutxos), ordered by height, txid, index."""
        found: list[tuple[Key, Coin]] = []
        for address in dict.fromkeys(addresses):
            found.extend(self.index.utxos.get(address, {}).items())
        found.sort(key=lambda item: (item[1].height or 0, item[0]))
        return found

    def balance(self, addresses: Iterable[str]) -> tuple[int, int]:
        """(balance, received) of confirmed history, as getaddressbalance."""
        unique = list(dict.fromkeys(addresses))
        return (
            sum(self.index.balance.get(a, 0) for a in unique),
            sum(self.index.received.get(a, 0) for a in unique),
        )

    def get_block(self, ref: str | int) -> Block | None:
        if isinstance(ref, int):
            return self.blocks[ref] if 0 <= ref < len(self.blocks) else None
        return self.block_by_hash.get(ref)


__all__ = ["Chain", "Coin", "Delta", "SimReject", "TxEntry"]

"""A small in-memory chain implementing the ChainBackend protocol, for unit tests of sync/send.

It keeps real transactions (parsed, hashed, signature-checked on broadcast) in blocks and a
mempool, indexes them by address, and answers the protocol's calls from that index. It is not
the simulator (tests/sim); it exists so sync and send logic can be tested without HTTP.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from flux.networks import Network
from wallet.address import address_from_script, script_pubkey_for_address
from wallet.backends.base import AddressBalance, HistoryItem, HistoryPage, Utxo
from wallet.backends.broadcast_errors import explain_broadcast_error
from wallet.errors import BackendError
from wallet.keys import verify_der
from wallet.script import parse_script
from wallet.sighash import SighashContext
from wallet.signing import p2pkh_script_code
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut


@dataclass
class MemoryChain:
    network: Network
    tip: int = 200
    txs: dict[str, Transaction] = field(default_factory=dict)
    heights: dict[str, int] = field(default_factory=dict)
    mempool: list[str] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    broadcasts: list[str] = field(default_factory=list)

    # --- test helpers --------------------------------------------------------------------

    def fund(self, address: str, satoshis: int, *, coinbase: bool = False, mine: bool = True) -> str:
        """A transaction from outside the wallet paying `address`."""
        if coinbase:
            txin = TxIn(OutPoint(bytes(32), 0xFFFFFFFF), b"\x03" + os.urandom(3))
        else:
            txin = TxIn(OutPoint(os.urandom(32), 0), b"\x51")
        out = TxOut(satoshis, script_pubkey_for_address(address, self.network))
        tx = Transaction(inputs=[txin], outputs=[out])
        self.txs[tx.txid] = tx
        self.mempool.append(tx.txid)
        if mine:
            self.mine()
        return tx.txid

    def mine(self, blocks: int = 1, *, include_mempool: bool = True) -> None:
        for _ in range(blocks):
            self.tip += 1
            if include_mempool:
                for txid in self.mempool:
                    self.heights[txid] = self.tip
                self.mempool = []
            # fluxd drops transactions that can no longer be mined.
            for txid in list(self.mempool):
                expiry = self.txs[txid].expiry_height
                if expiry and self.tip >= expiry:
                    self.mempool.remove(txid)
                    del self.txs[txid]

    # --- index ---------------------------------------------------------------------------

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def _live(self) -> list[str]:
        return [t for t in self.txs if t in self.heights or t in self.mempool]

    def _prev_out(self, txin: TxIn) -> TxOut | None:
        prev = self.txs.get(txin.prevout.txid_hex)
        if prev is None or txin.prevout.index >= len(prev.outputs):
            return None
        return prev.outputs[txin.prevout.index]

    def _touches(self, txid: str, wanted: set[str]) -> bool:
        tx = self.txs[txid]
        scripts = [o.script_pubkey for o in tx.outputs]
        scripts += [p.script_pubkey for p in map(self._prev_out, tx.inputs) if p is not None]
        return any(address_from_script(s, self.network) in wanted for s in scripts)

    def _spent(self) -> set[tuple[str, int]]:
        return {
            (i.prevout.txid_hex, i.prevout.index) for t in self._live() for i in self.txs[t].inputs
        }

    # --- ChainBackend --------------------------------------------------------------------

    @property
    def name(self) -> str:
        return "memory chain"

    async def tip_height(self) -> int:
        self._count("tip_height")
        return self.tip

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        self._count("utxos")
        wanted = set(addresses)
        spent = self._spent()
        found = []
        for txid in self._live():
            tx = self.txs[txid]
            height = self.heights.get(txid)
            for n, out in enumerate(tx.outputs):
                owner = address_from_script(out.script_pubkey, self.network)
                if owner not in wanted or (txid, n) in spent or owner is None:
                    continue
                confirmations = self.tip - height + 1 if height is not None else 0
                found.append(
                    Utxo(txid, n, owner, out.value, out.script_pubkey, height, confirmations)
                )
        return found

    async def balances(self, addresses: Sequence[str]) -> dict[str, AddressBalance]:
        self._count("balances")
        coins = await self.utxos(addresses)
        result = {}
        for address in addresses:
            mine = [c for c in coins if c.address == address]
            touched = any(self._touches(t, {address}) for t in self._live())
            result[address] = AddressBalance(
                address,
                sum(c.satoshis for c in mine if c.height is not None),
                sum(c.satoshis for c in mine if c.height is None),
                1 if touched else 0,
            )
        return result

    async def history(
        self, addresses: Sequence[str], *, start: int = 0, limit: int = 50
    ) -> HistoryPage:
        self._count("history")
        wanted = set(addresses)
        hits = [t for t in self._live() if self._touches(t, wanted)]
        hits.sort(key=lambda t: (t in self.heights, -self.heights.get(t, 0), t))
        items = [HistoryItem(t, self.heights.get(t), t in self.heights) for t in hits]
        return HistoryPage(items[start : start + limit], len(items), start)

    async def raw_transaction(self, txid: str) -> str:
        self._count("raw_transaction")
        tx = self.txs.get(txid)
        if tx is None:
            raise BackendError(f"no transaction {txid}")
        return tx.serialize().hex()

    async def broadcast(self, raw_hex: str) -> str:
        self._count("broadcast")
        tx = Transaction.parse(bytes.fromhex(raw_hex))
        if tx.expiry_height and tx.expiry_height < self.tip + 1 + 3:
            raise explain_broadcast_error(
                f"tx-expiring-soon: expiryheight is {tx.expiry_height}", -26
            )
        spent = self._spent()
        total_in = 0
        ctx = SighashContext(tx, self.network.branch_id)
        for n, txin in enumerate(tx.inputs):
            prev = self._prev_out(txin)
            key = (txin.prevout.txid_hex, txin.prevout.index)
            if prev is None or key in spent:
                raise explain_broadcast_error("Missing inputs", -25)
            ops = parse_script(txin.script_sig)
            sig, pubkey = ops[0].data or b"", ops[1].data or b""
            digest = ctx.digest(n, p2pkh_script_code(pubkey), prev.value, sig[-1])
            if prev.script_pubkey != p2pkh_script_code(pubkey) or not verify_der(
                pubkey, sig[:-1], digest
            ):
                raise explain_broadcast_error(
                    "16: mandatory-script-verify-flag-failed (Script evaluated without error "
                    "but finished with a false/empty top stack element)", -26
                )
            total_in += prev.value
        if total_in < sum(o.value for o in tx.outputs):
            raise explain_broadcast_error("16: bad-txns-in-belowout", -26)
        self.txs[tx.txid] = tx
        self.mempool.append(tx.txid)
        self.broadcasts.append(tx.txid)
        return tx.txid

    async def fee_estimate(self, blocks: int = 2) -> int | None:
        return None

    async def close(self) -> None:
        return None


class LyingChain(MemoryChain):
    """Reports one FLUX more for every coin than the transactions hold."""

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        coins = await super().utxos(addresses)
        return [
            Utxo(c.txid, c.vout, c.address, c.satoshis + 100_000_000, c.script_pubkey,
                 c.height, c.confirmations)
            for c in coins
        ]

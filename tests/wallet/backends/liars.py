"""Insight servers that lie on purpose, over real HTTP on 127.0.0.1.

Each one is a FakeInsight (conftest.py) whose replies are made up to attack the wallet: the
transactions it invents are real, parseable and hash to their txids, so only the wallet's own
rules (gap limit, agreement of two servers, size limits) can stop them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from flux.networks import Network
from tests.wallet.backends.conftest import FakeInsight
from wallet.address import script_pubkey_for_address
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut


def invented_tx(outputs: list[TxOut], *, tag: bytes | None = None) -> Transaction:
    """A transaction spending a coin that never existed; its txid matches its bytes."""
    txin = TxIn(OutPoint(tag or os.urandom(32), 0), b"\x51")
    return Transaction(inputs=[txin], outputs=outputs, expiry_height=0)


def history_entry(txid: str, height: int | None, tip: int) -> dict[str, Any]:
    if height is None:
        return {"txid": txid, "blockheight": -1, "confirmations": 0}
    return {"txid": txid, "blockheight": height, "confirmations": tip - height + 1}


@dataclass
class GapLiar(FakeInsight):
    """Answers every history request with a new transaction paying each asked-for address.

    `value` 0 is the attack as found (0-value outputs look like use); a value above 0 is the
    stronger variant whose outputs cannot be told from a real payment by value alone.
    """

    network: Network | None = None
    value: int = 0
    invented: int = 0

    async def _txs(self, request: web.Request) -> web.Response:
        if request.method == "POST":
            body = await request.json()
            addresses = str(body["addrs"]).split(",")
        else:
            addresses = request.match_info["addrs"].split(",")
        assert self.network is not None
        outputs = [TxOut(self.value, script_pubkey_for_address(a, self.network)) for a in addresses]
        tx = invented_tx(outputs)
        self.raw[tx.txid] = tx.serialize().hex()
        self.invented += 1
        item = history_entry(tx.txid, self.tip - 1, self.tip)
        return web.json_response({"totalItems": 1, "from": 0, "to": 1, "items": [item]})


@dataclass
class FixedHistory(FakeInsight):
    """Serves the same list of transactions (and their coins) for any address set."""

    heights: dict[str, int | None] = field(default_factory=dict)

    def add(self, tx: Transaction, height: int | None) -> str:
        self.raw[tx.txid] = tx.serialize().hex()
        self.heights[tx.txid] = height
        self.txs = [history_entry(t, h, self.tip) for t, h in self.heights.items()]
        return tx.txid


@dataclass
class BlockServer(FakeInsight):
    """Serves /block-index and /block from a table of height -> (hash, merkle root, txids)."""

    blocks: dict[int, tuple[str, str, list[str]]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = super().app()
        app.router.add_get("/api/block-index/{height}", self._block_index)
        app.router.add_get("/api/block/{hash}", self._block)
        return app

    async def _block_index(self, request: web.Request) -> web.Response:
        height = int(request.match_info["height"])
        if height not in self.blocks:
            return web.Response(status=404, text="Not found")
        return web.json_response({"blockHash": self.blocks[height][0]})

    async def _block(self, request: web.Request) -> web.Response:
        for height, (block_hash, root, txids) in self.blocks.items():
            if block_hash == request.match_info["hash"]:
                return web.json_response(
                    {"hash": block_hash, "height": height, "merkleroot": root, "tx": txids,
                     "isMainChain": True}
                )
        return web.Response(status=404, text="Not found")

"""A second source for "this transaction is in block N": agreement instead of one server's word.

A light wallet without SPV cannot prove a transaction is mined; an explorer can invent one
(with a txid that matches its bytes) and call it confirmed. So a coin counts as confirmed only
when an independent source agrees: another Insight server whose block at that height lists the
transaction, in a block whose merkle root matches its transaction list, and whose hash the
wallet's own server reports for that height too. Coins from the local fluxd need no witness
(the wallet trusts its own node). Without a second source, coins stay usable but are marked
single-source so views can say so. See docs/server-trust.md.
"""

from __future__ import annotations

import logging
from typing import Protocol

from wallet.backends import parsing as p
from wallet.backends.base import BlockSummary, ChainBackend, Trust
from wallet.backends.fluxd_rpc import FluxdRpcBackend
from wallet.backends.insight import InsightBackend
from wallet.encoding import sha256d
from wallet.errors import BackendError

log = logging.getLogger(__name__)


class BlockWitness(Protocol):
    async def check(self, txid: str, height: int) -> Trust:
        """VERIFIED when the source has `txid` in its main-chain block at `height`, DISPUTED
        when that block does not hold it, SINGLE_SOURCE when it cannot be asked."""
        ...


def merkle_root(txids: list[str]) -> str:
    """Bitcoin merkle root (display order) of display-order txids; odd levels repeat the last."""
    level = [bytes.fromhex(t)[::-1] for t in txids]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0][::-1].hex()


def check_block(block: BlockSummary, height: int) -> None:
    """BadReply when the block's own fields do not fit together."""
    if block.height != height or not block.main_chain:
        raise p.BadReply(f"block {block.hash[:16]}… is not the main-chain block {height}")
    if merkle_root(block.txids) != block.merkle_root:
        raise p.BadReply(f"block {block.hash[:16]}…: its transactions do not give its merkle root")


class InsightWitness:
    """The other servers of an Insight backend: asked about blocks, never the one in use."""

    def __init__(self, backend: InsightBackend) -> None:
        self._backend = backend

    async def check(self, txid: str, height: int) -> Trust:
        in_use = self._backend.preferred_server
        others = [s for s in self._backend.servers if s != in_use]
        if not others:
            return Trust.SINGLE_SOURCE
        session = await self._backend.session()
        retry = self._backend.retry
        # Separate clients, so that failing over cannot make the witness the server in use.
        witness = InsightBackend(others, session=session, retry=retry)
        ours = InsightBackend([in_use], session=session, retry=retry)
        try:
            block_hash = await witness.block_hash(height)
            block = await witness.block(block_hash)
            check_block(block, height)
        except BackendError as exc:
            log.info("could not check %s… with a second server: %s", txid[:16], exc)
            return Trust.SINGLE_SOURCE
        try:
            our_hash: str | None = await ours.block_hash(height)
        except BackendError:
            # The second server's block is the agreement that counts; ours adds a cross-check.
            our_hash = None
        if our_hash is not None and our_hash != block_hash:
            log.warning(
                "servers disagree on block %d (%s… / %s…)", height, our_hash[:16], block_hash[:16]
            )
            return Trust.DISPUTED
        return Trust.VERIFIED if txid in block.txids else Trust.DISPUTED


def witness_for(backend: ChainBackend) -> tuple[BlockWitness | None, bool]:
    """(witness, trusted): the local fluxd is trusted as is; an Insight backend with more than
    one server gets the others as witness; anything else has neither."""
    if isinstance(backend, FluxdRpcBackend):
        return None, True
    if isinstance(backend, InsightBackend) and len(backend.servers) > 1:
        return InsightWitness(backend), False
    return None, False

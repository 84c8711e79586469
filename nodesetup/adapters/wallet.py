"""The Wallet port over WalletService and NodeManager (thin: node operations live in
wallet/nodes/manager.py, which the CLI and the GUI use too)."""

from __future__ import annotations

from nodesetup.ports import Candidate, ChainTip, CollateralOffer, Outpoint, SetupError
from wallet.nodes.manager import NodeManager
from wallet.nodes.state import NodeStatus, StartRecord
from wallet.send import Review


class WalletAdapter:
    def __init__(self, manager: NodeManager) -> None:
        self.manager = manager
        self.service = manager.service

    async def tip(self) -> ChainTip:
        tip = await self.manager.lists.tip()
        return ChainTip(tip.height, tip.time)

    async def candidates(self, tier: str) -> list[Candidate]:
        found = [Candidate(c.outpoint[0], c.outpoint[1], c.satoshis, c.maturity.confirmations)
                 for c in await self.manager.candidates(tier)]
        return sorted(found, key=lambda c: -c.confirmations)

    async def offer_collateral(self, tier: str) -> CollateralOffer:
        review = await self.manager.prepare_collateral(tier)
        return CollateralOffer(tier, review.amount, review.fee, review.to, review.change, review)

    async def send_collateral(self, offer: CollateralOffer) -> Outpoint:
        review = offer.handle
        if not isinstance(review, Review):
            raise SetupError("The collateral review is stale; build it again.")
        return (await self.manager.send_collateral(review)).outpoint

    def flux_id(self) -> str:
        return self.manager.flux_id()

    def has_node(self, outpoint: Outpoint) -> str | None:
        entry = self.manager.entry_for(outpoint)
        return None if entry is None else entry.name

    async def add_node(self, alias: str, outpoint: Outpoint) -> None:
        taken = {n.name for n in self.service.document.nodes}
        name, number = alias, 2
        while name in taken:
            name, number = f"{alias}-{number}", number + 1
        await self.manager.add_node(name, outpoint)

    def identity_wif(self, outpoint: Outpoint) -> str:
        entry = self.manager.entry_for(outpoint)
        if entry is None or not entry.identity_wif:
            raise SetupError("The wallet has no identity key for this node.",
                             ("Go back to the identity step (retry the setup).",))
        return entry.identity_wif

    async def status(self, outpoint: Outpoint, record: StartRecord | None) -> NodeStatus:
        return await self.manager.status(outpoint, record)

    async def start(self, outpoint: Outpoint, *, replace_pending: bool) -> StartRecord:
        entry = self.manager.entry_for(outpoint)
        if entry is None:
            raise SetupError("The wallet has no node entry for this collateral.",
                             ("Go back to the identity step (retry the setup).",))
        return await self.manager.start(entry.name, replace_pending)

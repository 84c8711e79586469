"""The Wallet port over WalletService and NodeManager (thin: node operations live in
wallet/nodes/manager.py, which the CLI and the GUI use too)."""

from __future__ import annotations

from flux.tiers import Tier, tier_spec
from nodesetup.ports import Candidate, ChainTip, CollateralOffer, Outpoint, SetupError
from wallet.nodes.manager import NodeManager
from wallet.nodes.state import NodeStatus, StartRecord
from wallet.send import Review, SendRequest


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
        amount = tier_spec(Tier[tier]).collateral
        address = self.service.receive_address(new=True)
        review = await self.service.prepare_send(SendRequest(address, amount))
        return CollateralOffer(tier, review.amount, review.fee, address, review.change, review)

    async def send_collateral(self, offer: CollateralOffer) -> Outpoint:
        review = offer.handle
        if not isinstance(review, Review):
            raise SetupError("The collateral review is stale; build it again.")
        txid = await self.service.send(review)
        for coin in self.service.state.coins if self.service.state else ():
            if (coin.txid, coin.address, coin.satoshis) == (txid, offer.address, offer.amount):
                return coin.txid, coin.vout
        for index, output in enumerate(review.outputs):
            if (output.address, output.satoshis, output.role) == (
                    offer.address, offer.amount, "recipient"):
                return txid, index
        raise SetupError(f"Sent {txid}, but its collateral output was not found.",
                         ("Refresh the wallet; the setup finds the coin when you retry.",))

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

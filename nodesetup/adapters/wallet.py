"""The Wallet port over WalletService's public methods (thin: the staking core does the work).

Node entries are kept in the wallet document (``NodeEntry.identity_wif``, encrypted with the
rest of the file); the collateral's label is set at the same time, which saves the file.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flux.tiers import Tier, tier_for_amount, tier_spec
from nodesetup.adapters.nodelists import InsightNodeLists
from nodesetup.ports import Candidate, ChainTip, CollateralOffer, Outpoint, SetupError
from wallet.fluxid import flux_id_from_mnemonic
from wallet.fluxnode import create_identity_key
from wallet.keys import PrivateKey
from wallet.nodes.broadcast import broadcast_start
from wallet.nodes.start import Collateral, build_verified_start, precheck
from wallet.nodes.state import NodeStatus, StartRecord, node_status
from wallet.send import Review, SendRequest
from wallet.service import WalletService
from wallet.state import Coin
from wallet.storage.model import HdSeed, NodeEntry


class WalletAdapter:
    def __init__(self, service: WalletService, lists: InsightNodeLists, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.lists = lists
        self.clock = clock
        self._flux_id: str | None = None

    async def tip(self) -> ChainTip:
        return await self.lists.tip()

    async def _coins(self) -> tuple[Coin, ...]:
        state = await self.service.sync()
        return state.coins

    async def candidates(self, tier: str) -> list[Candidate]:
        state = await self.service.sync()
        found = []
        for coin in state.coins:
            # The tier that a START in the next block would see for this amount.
            match = tier_for_amount(coin.satoshis, self.service.network, state.tip + 1)
            if match is not None and match.name == tier and not coin.frozen:
                found.append(Candidate(coin.txid, coin.vout, coin.satoshis, coin.confirmations))
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
        if self._flux_id is None:
            kind = self.service.document.kind
            if not isinstance(kind, HdSeed):
                raise SetupError(
                    "This wallet has no seed phrase, so it has no Flux ID of its own.",
                    ("Use a wallet made from a seed phrase for the one-click setup.",))
            self._flux_id = flux_id_from_mnemonic(kind.mnemonic, kind.passphrase).address
        return self._flux_id

    def _entry(self, outpoint: Outpoint) -> NodeEntry | None:
        txid, index = outpoint[0].lower(), outpoint[1]
        return next((n for n in self.service.document.nodes
                     if (n.collateral_txid, n.collateral_vout) == (txid, index)), None)

    def has_node(self, outpoint: Outpoint) -> str | None:
        entry = self._entry(outpoint)
        return None if entry is None else entry.name

    async def add_node(self, alias: str, outpoint: Outpoint) -> None:
        document = self.service.document
        taken = {n.name for n in document.nodes}
        name, number = alias, 2
        while name in taken:
            name, number = f"{alias}-{number}", number + 1
        key = create_identity_key()  # uncompressed, as fluxd's createfluxnodekey
        document.nodes.append(NodeEntry(name, outpoint[0], outpoint[1],
                                        key.to_wif(self.service.network), "",
                                        int(self.clock())))
        # set_label saves the whole document, the new entry with it.
        self.service.set_label(outpoint[0].lower(), f"FluxNode {name} collateral")

    def identity_wif(self, outpoint: Outpoint) -> str:
        entry = self._entry(outpoint)
        if entry is None or not entry.identity_wif:
            raise SetupError("The wallet has no identity key for this node.",
                             ("Go back to the identity step (retry the setup).",))
        return entry.identity_wif

    async def status(self, outpoint: Outpoint, record: StartRecord | None) -> NodeStatus:
        tip = await self.lists.tip()
        confirmed, started, dos = await self.lists.lists(outpoint)
        return node_status(outpoint, tip=tip.height, confirmed=confirmed, started=started,
                           dos=dos, record=record, now=int(self.clock()))

    async def start(self, outpoint: Outpoint, *, replace_pending: bool) -> StartRecord:
        coins = {c.outpoint: c for c in await self._coins()}
        coin = coins.get((outpoint[0].lower(), outpoint[1]))
        if coin is None:
            collateral = Collateral(outpoint[0], outpoint[1], 0, None, spent=True)
        else:
            collateral = Collateral(coin.txid, coin.vout, coin.satoshis, coin.height)
        tip = await self.lists.tip()
        status = await self.status(outpoint, None)
        now = int(self.clock())
        precheck(collateral, status, tip=tip.height, tip_time=tip.time, local_now=now,
                 network=self.service.network, replace_pending=replace_pending)
        assert coin is not None  # precheck refused a spent (missing) coin
        owner = self.service.keychain.private_key(coin.address)
        identity = PrivateKey.from_wif(self.identity_wif(outpoint))
        tx = build_verified_start(collateral, owner, identity.public_key(), now)
        txid = await broadcast_start(tx, self.service.backend)
        return StartRecord(txid, now, now)

"""NodeManager: the one place for node operations, used by the CLI, the GUI and nodesetup.

It reads the wallet (WalletService), asks the network's lists for this wallet's collaterals
only (NodeListsClient) and changes the wallet document only through ``WalletService.edit``
(saved once, listeners told). The logic lives in the pure modules next to it: state.py (state in
words), start.py (pre-checks, building), batch.py (start all), prepare.py (collateral
send-to-self), broadcast.py, collateral.py, conf.py, rewards.py; views.py holds what is shown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from flux.networks import same_encoding
from flux.rewards import RewardsUnknown
from flux.tiers import Tier, tier_for_amount
from wallet.backends.base import Utxo
from wallet.errors import InsufficientFunds, InvalidKey
from wallet.fluxnode import create_identity_key
from wallet.keys import PrivateKey
from wallet.nodes.batch import BatchItem, plan_start_all, send_planned
from wallet.nodes.broadcast import broadcast_start
from wallet.nodes.collateral import CollateralCoin, collateral_coins, set_decision
from wallet.nodes.conf import ImportResult, merge_entries, read_conf, write_conf
from wallet.nodes.errors import NodeInputError, StartMaybeSent
from wallet.nodes.lists import NodeLists, Outpoint
from wallet.nodes.prepare import (
    PreparedCollateral,
    check_collateral_review,
    collateral_amount,
    prepared,
    short_of_funds,
)
from wallet.nodes.reward_series import reward_series
from wallet.nodes.rewards import RewardEstimate, estimate, node_rewards
from wallet.nodes.start import (
    Collateral,
    build_verified_start,
    maturity,
    precheck,
    start_version,
)
from wallet.nodes.state import NodeState, NodeStatus, StartRecord, keep_record, node_status
from wallet.nodes.views import NodeView, StartReview, wallet_flux_id
from wallet.send import Review, SendRequest
from wallet.service import WalletService
from wallet.state import Coin, WalletState
from wallet.storage.model import NodeEntry, StartEntry, WalletDocument

if TYPE_CHECKING:  # the HTTP client (aiohttp) is imported by whoever makes one
    from wallet.nodes.client import NodeListsClient

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class NodeManager:
    def __init__(self, service: WalletService, lists: NodeListsClient, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.lists = lists
        self.clock = clock

    # --- reading ---------------------------------------------------------------------------

    def entry(self, name: str) -> NodeEntry:
        found = next((n for n in self.service.document.nodes if n.name == name), None)
        if found is None:
            known = ", ".join(n.name for n in self.service.document.nodes) or "none yet"
            raise NodeInputError(f"No node is named {name!r} in this wallet (nodes: {known}). "
                                 "`fluxdesk node list` shows them.")
        return found

    def entry_for(self, outpoint: Outpoint) -> NodeEntry | None:
        key = (outpoint[0].lower(), outpoint[1])
        return next((n for n in self.service.document.nodes if n.outpoint == key), None)

    async def nodes(self) -> list[NodeView]:
        """Every node entry with its collateral, state in words, payments and rewards."""
        state = await self.service.sync()
        entries = list(self.service.document.nodes)
        found = await self.lists.lists([n.outpoint for n in entries]) if entries else NodeLists()
        coins = {c.outpoint: c for c in state.coins}
        now = int(self.clock())
        views, dropped = [], []
        for entry in entries:
            record = _record(entry)
            status = node_status(entry.outpoint, tip=state.tip, confirmed=found.confirmed,
                                 started=found.started, dos=found.dos, record=record, now=now)
            kept = keep_record(record, status)
            if record is not None and kept is None:
                dropped.append(entry.name)
            views.append(self._view(entry, coins.get(entry.outpoint), status, kept, state))
        if dropped:  # the network lists them now: our own START record is no longer needed
            self.service.edit(lambda d: _drop_records(d, dropped))
        return views

    def _view(self, entry: NodeEntry, coin: Coin | None, status: NodeStatus,
              record: StartRecord | None, state: WalletState) -> NodeView:
        tier = ""
        address = "" if coin is None else coin.address
        if coin is not None:
            match = tier_for_amount(coin.satoshis, self.service.network, state.tip + 1)
            tier = match.name.lower() if match is not None else ""
        return NodeView(
            name=entry.name, outpoint=entry.outpoint, tier=tier or entry.tier,
            satoshis=None if coin is None else coin.satoshis,
            address=None if coin is None else coin.address,
            maturity=None if coin is None else maturity(coin.height, state.tip),
            status=status, last_start=record,
            rewards=node_rewards(state.history, address, tip=state.tip),
            ip=entry.ip, identity_source=entry.identity_source,
            series=reward_series(state.history, address, now=self.clock()),
        )

    async def status(self, outpoint: Outpoint, record: StartRecord | None = None) -> NodeStatus:
        """The state of one collateral in words (``record``: a START we broadcast)."""
        tip = await self.lists.tip()
        found = await self.lists.lists([outpoint])
        return node_status(outpoint, tip=tip.height, confirmed=found.confirmed,
                           started=found.started, dos=found.dos, record=record,
                           now=int(self.clock()))

    async def candidates(self, tier: str | None = None) -> list[CollateralCoin]:
        """Coins that are or may be a collateral (candidates, decided, used by a node)."""
        state = await self.service.sync()
        found = collateral_coins(_utxos(state.coins), self.service.network,
                                 self.service.document, tip=state.tip)
        if tier is None:
            return found
        wanted = _tier(tier)
        return [c for c in found if c.tier == wanted]

    async def reward_estimates(self) -> list[RewardEstimate]:
        """"About X FLUX/day" per tier: an ESTIMATE, from the schedule and the node count."""
        state = self.service.state or await self.service.sync()
        counts = await self.lists.node_count()
        try:
            found = [estimate(self.service.network, tier, height=state.tip + 1, nodes=n)
                     for tier, n in counts.items()]
        except RewardsUnknown as exc:
            raise NodeInputError(f"{exc} No reward estimate for this network.") from None
        return [e for e in found if e is not None]

    def flux_id(self) -> str:
        """This wallet's Flux ID ("1…" address, derived from the seed; see docs/staking.md)."""
        return wallet_flux_id(self.service.document)

    # --- changing the wallet document ------------------------------------------------------

    async def add_node(self, name: str, outpoint: Outpoint,
                       identity_wif: str | None = None) -> NodeEntry:
        """A node entry for one of our coins of exactly a tier amount; a new identity key
        (like fluxd's createfluxnodekey) unless ``identity_wif`` is given."""
        if not _NAME.match(name):
            raise NodeInputError(f"{name[:70]!r} cannot be a node name: use 1 to 64 letters, "
                                 "digits, '.', '_' or '-'.")
        outpoint = (outpoint[0].strip().lower(), outpoint[1])
        document = self.service.document
        if any(n.name == name for n in document.nodes):
            raise NodeInputError(f"A node named {name!r} already exists; choose another name.")
        same = self.entry_for(outpoint)
        if same is not None:
            raise NodeInputError(f"That coin is already the collateral of node {same.name!r}.")
        key = self._identity(identity_wif)
        state = await self.service.sync()
        coin = next((c for c in state.coins if c.outpoint == outpoint), None)
        if coin is None:
            raise NodeInputError(
                f"{outpoint[0]}:{outpoint[1]} is not an unspent coin of this wallet. "
                "`fluxdesk node candidates` lists the coins that can be a collateral.")
        tier = tier_for_amount(coin.satoshis, self.service.network, state.tip + 1)
        if tier is None:
            raise NodeInputError(
                "That coin is not exactly a tier amount (1 000, 12 500 or 40 000 FLUX). Send "
                "the exact amount to yourself in one output and use that coin.")
        entry = NodeEntry(name, outpoint[0], outpoint[1], key.to_wif(self.service.network),
                          "", int(self.clock()), tier=tier.name.lower(),
                          identity_source="imported" if identity_wif else "new")

        def change(d: WalletDocument) -> None:
            d.nodes.append(entry)
            d.labels.setdefault(outpoint[0], f"FluxNode {name} collateral")

        self.service.edit(change)
        return entry

    def _identity(self, wif: str | None) -> PrivateKey:
        if wif is None:
            return create_identity_key()  # uncompressed, as fluxd's createfluxnodekey
        try:
            key = PrivateKey.from_wif(wif.strip())
        except InvalidKey:
            raise NodeInputError("The identity key is not a WIF private key (as fluxd's "
                                 "createfluxnodekey prints it).") from None
        if key.network is not None and not same_encoding(key.network, self.service.network):
            raise NodeInputError(f"The identity key is a {key.network.name} key, not a "
                                 f"{self.service.network.name} key.")
        return key

    def remove_node(self, name: str, *, not_collateral: bool = False) -> None:
        """Forget a node entry. Its coin stays locked as a collateral unless ``not_collateral``
        (the user said "this is not a collateral"), which makes it spendable."""
        entry = self.entry(name)

        def change(d: WalletDocument) -> None:
            d.nodes = [n for n in d.nodes if n.name != name]
            d.collateral_decisions[entry.outpoint] = not not_collateral

        self.service.edit(change)

    def new_identity(self, name: str) -> str:
        """A fresh identity key for the node; returns its WIF (put it in the node's flux.conf
        and start the node again)."""
        self.entry(name)
        wif = create_identity_key().to_wif(self.service.network)

        def change(d: WalletDocument) -> None:
            for n in d.nodes:
                if n.name == name:
                    n.identity_wif, n.identity_source = wif, "new"

        self.service.edit(change)
        return wif

    def set_collateral_decision(self, outpoint: Outpoint, is_collateral: bool | None) -> None:
        """The user's word on a coin: a collateral (locked), not one (spendable), or undecided
        (None: an exact tier amount is locked again until the user decides)."""
        key = (outpoint[0].strip().lower(), outpoint[1])
        node = self.entry_for(key)
        if node is not None and is_collateral is not True:
            raise NodeInputError(f"That coin is the collateral of node {node.name!r}; remove "
                                 "the node first (`fluxdesk node remove`).")

        def change(d: WalletDocument) -> None:
            if is_collateral is None:
                d.collateral_decisions.pop(key, None)
            else:
                d.collateral_decisions[key] = is_collateral

        self.service.edit(change)

    def import_conf(self, path: Path) -> ImportResult:
        entries = read_conf(path, self.service.network)
        result: list[ImportResult] = []
        self.service.edit(lambda d: result.append(merge_entries(d.nodes, entries,
                                                                now=int(self.clock()))))
        return result[0]

    def export_conf(self, path: Path) -> int:
        """Write fluxnode.conf (0600); returns how many nodes it holds."""
        nodes = [n for n in self.service.document.nodes if n.identity_wif]
        write_conf(path, nodes, self.service.network)
        return len(nodes)

    # --- starting --------------------------------------------------------------------------

    async def review_start(self, name: str, replace_pending: bool = False) -> StartReview:
        """Every pre-check, then a signed and verified START (not sent): StartRefused says why
        not and when it may work."""
        entry = self.entry(name)
        state = await self.service.sync()
        coin = next((c for c in state.coins if c.outpoint == entry.outpoint), None)
        if coin is None:
            collateral = Collateral(entry.outpoint[0], entry.outpoint[1], 0, None, spent=True)
        else:
            collateral = Collateral(coin.txid, coin.vout, coin.satoshis, coin.height)
        tip = await self.lists.tip()
        found = await self.lists.lists([entry.outpoint])
        now = int(self.clock())
        status = node_status(entry.outpoint, tip=tip.height, confirmed=found.confirmed,
                             started=found.started, dos=found.dos, record=_record(entry),
                             now=now)
        tier = precheck(collateral, status, tip=tip.height, tip_time=tip.time, local_now=now,
                        network=self.service.network, replace_pending=replace_pending)
        assert coin is not None  # precheck refused a spent (missing) coin
        if not entry.identity_wif:
            raise NodeInputError(f"Node {name!r} has no identity key; run `fluxdesk node "
                                 f"new-identity {name}` first.")
        owner = self.service.keychain.private_key(coin.address)
        identity = PrivateKey.from_wif(entry.identity_wif).public_key()
        tx = build_verified_start(collateral, owner, identity, now)
        return StartReview(name, entry.outpoint, tier.name.lower(), coin.address, identity.hex(),
                           now, start_version(p2sh=False, delegates=False), tx.txid,
                           status.state == NodeState.STARTING, tx)

    async def start(self, name: str, replace_pending: bool = False) -> StartRecord:
        """Pre-check, build, verify and broadcast a START; the record is kept with the node so
        "starting" survives a restart. BroadcastRejected when refused (never a success);
        StartMaybeSent when unknown (recorded as starting too)."""
        review = await self.review_start(name, replace_pending)
        return await self.send_start(review)

    async def send_start(self, review: StartReview) -> StartRecord:
        try:
            txid = await broadcast_start(review.tx, self.service.backend)
        except StartMaybeSent as unsure:
            self._keep_start(review.name, StartRecord(unsure.txid, unsure.sig_time,
                                                      int(self.clock())))
            raise
        record = StartRecord(txid, review.sig_time, int(self.clock()))
        self._keep_start(review.name, record)
        return record

    async def plan_start_all(self) -> list[BatchItem]:
        """"Start all", planned: skipped (busy), refused (with ETA) or ready; nothing sent."""
        return await plan_start_all(self)

    async def start_all(self, plan: list[BatchItem]) -> list[BatchItem]:
        """Broadcast the ready STARTs of a plan, each node's outcome reported (batch.py)."""
        return await send_planned(self, plan)

    # --- preparing a collateral ------------------------------------------------------------

    async def prepare_collateral(self, tier: str) -> Review:
        """A send-to-self review of exactly the tier amount in one output to a fresh address
        of ours (plus change); nothing signed. InsufficientFunds in plain words otherwise."""
        wanted = _tier(tier)
        address = self.service.receive_address(new=True)
        try:
            review = await self.service.prepare_send(
                SendRequest(address, collateral_amount(wanted)))
        except InsufficientFunds as exc:
            raise short_of_funds(wanted, exc, self.service.network.currency_unit) from None
        check_collateral_review(review, self.service.keychain, self.service.network)
        return review

    async def send_collateral(self, review: Review) -> PreparedCollateral:
        """Check the review again, sign and broadcast it; the new coin is saved as "a
        collateral" (locked) and matures in 100 blocks."""
        tier = check_collateral_review(review, self.service.keychain, self.service.network)
        txid = await self.service.send(review)
        result = prepared(review, txid, tier, review.tip_height)
        self.service.edit(lambda d: set_decision(d, result.outpoint, True))
        return result

    def _keep_start(self, name: str, record: StartRecord) -> None:
        def change(d: WalletDocument) -> None:
            for n in d.nodes:
                if n.name == name:
                    n.last_start = StartEntry(record.txid, record.sig_time, record.sent_at)

        self.service.edit(change)


def _record(entry: NodeEntry) -> StartRecord | None:
    s = entry.last_start
    return None if s is None else StartRecord(s.txid, s.sig_time, s.sent_at)


def _drop_records(document: WalletDocument, names: list[str]) -> None:
    for n in document.nodes:
        if n.name in names:
            n.last_start = None


def _utxos(coins: tuple[Coin, ...]) -> list[Utxo]:
    return [Utxo(c.txid, c.vout, c.address, c.satoshis, b"", c.height, c.confirmations,
                 c.coinbase, c.trust) for c in coins]


def _tier(name: str) -> Tier:
    try:
        return Tier[name.strip().upper()]
    except KeyError:
        raise NodeInputError(f"{name!r} is not a tier; use cumulus, nimbus or stratus.") \
            from None

"""Which coins are node collateral: candidates, the user's saved decisions, locks and maturity.

A coin of exactly a tier's collateral amount is a *candidate*: it is locked out of sends until
the user says "this is not a collateral" (spending a collateral stops its node). The decision is
saved in the wallet document (``WalletDocument.collateral_decisions``), so it outlives a restart.
A node entry's collateral and a coin the user called "a collateral" are always locked, unless the
user later says otherwise. Pure: no I/O; WalletService saves the document.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from flux.networks import Network
from flux.tiers import Tier, tier_for_amount
from wallet.backends.base import Utxo
from wallet.nodes.lists import Outpoint
from wallet.nodes.start import Maturity, maturity
from wallet.nodes.timing import PON_TIMING, NodeTiming
from wallet.state import collateral_outpoints
from wallet.storage.model import WalletDocument


class Decision(StrEnum):
    UNDECIDED = "candidate"  # exact tier amount, the user has not said yet (locked)
    COLLATERAL = "collateral"  # the user said "this is a collateral" (locked)
    NOT_COLLATERAL = "not-collateral"  # the user said "this is not a collateral" (spendable)


@dataclass(frozen=True)
class CollateralCoin:
    """A coin that is or may be a node's collateral, for the Coins and Nodes views."""

    outpoint: Outpoint
    satoshis: int
    tier: Tier | None  # None: not a tier amount (the user still called it a collateral)
    decision: Decision
    locked: bool
    node: str | None  # alias of the node entry using it
    maturity: Maturity

    @property
    def label(self) -> str:
        return self._words(0)

    @property
    def short_label(self) -> str:
        """The label in a table cell's width (the full `label` goes in its tooltip)."""
        return self._words(1)

    def _words(self, form: int) -> str:
        tier = self.tier.name.title() if self.tier is not None else ("Not a tier amount",
                                                                     "Odd amount")[form]
        key = "node" if self.node is not None else self.decision
        return _WORDS[key][form].format(tier=tier, node=self.node)


# (full, short) wording of a collateral coin's state; {tier} and {node} are filled in.
_WORDS: dict[str, tuple[str, str]] = {
    "node": ("{tier} collateral of node {node}", "{tier}: node {node}"),
    Decision.UNDECIDED: ("{tier} collateral candidate (locked until you decide)",
                         "{tier}: decide (locked)"),
    Decision.COLLATERAL: ("{tier} collateral", "{tier} collateral"),
    Decision.NOT_COLLATERAL: ("Not a collateral (spendable)", "Not a collateral"),
}


def decision_for(document: WalletDocument, outpoint: Outpoint) -> Decision:
    said = document.collateral_decisions.get(_key(outpoint))
    if said is None:
        return Decision.UNDECIDED
    return Decision.COLLATERAL if said else Decision.NOT_COLLATERAL


def set_decision(document: WalletDocument, outpoint: Outpoint, is_collateral: bool) -> None:
    """Record "this is (not) a collateral" in the document; the caller saves it."""
    document.collateral_decisions[_key(outpoint)] = is_collateral


def locked_outpoints(
    utxos: Iterable[Utxo],
    network: Network,
    document: WalletDocument,
    *,
    unlocked: Collection[Outpoint] = (),
) -> set[Outpoint]:
    """Coins kept out of coin selection: node entries' collaterals, coins the user called a
    collateral and undecided exact tier amounts, minus those the user called "not a collateral"
    (and ``unlocked``, a session-only unlock)."""
    said_yes = {o for o, yes in document.collateral_decisions.items() if yes}
    said_no = {o for o, yes in document.collateral_decisions.items() if not yes}
    nodes = {n.outpoint for n in document.nodes} | said_yes
    return collateral_outpoints(
        utxos, network, nodes=nodes, unlocked=set(unlocked) | said_no
    )


def collateral_coins(
    utxos: Iterable[Utxo],
    network: Network,
    document: WalletDocument,
    *,
    tip: int,
    timing: NodeTiming = PON_TIMING,
) -> list[CollateralCoin]:
    """Every coin that is, or may be, a collateral (tier amount, node entry or user's word)."""
    utxos = list(utxos)
    locked = locked_outpoints(utxos, network, document)
    aliases = {n.outpoint: n.name for n in document.nodes}
    found = []
    for u in utxos:
        tier = tier_for_amount(u.satoshis, network)  # as the locks: today's amounts
        decision = decision_for(document, u.outpoint)
        if tier is None and u.outpoint not in aliases and decision == Decision.UNDECIDED:
            continue
        found.append(CollateralCoin(
            u.outpoint, u.satoshis, tier, decision, u.outpoint in locked,
            aliases.get(u.outpoint), maturity(u.height, tip, timing),
        ))
    return sorted(found, key=lambda c: (c.tier or 0, c.outpoint))


def _key(outpoint: Outpoint) -> Outpoint:
    return (outpoint[0].strip().lower(), outpoint[1])

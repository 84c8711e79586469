""""Prepare collateral": a send-to-self of exactly a tier's collateral in one output (pure checks).

The wallet builds an ordinary send review to a fresh address of its own; before it is signed,
``check_collateral_review`` makes sure it is what the person was promised: one recipient output
of exactly the tier amount, paid to this wallet, and any change back to this wallet too. The new
coin is then a collateral candidate, locked out of sends (wallet/nodes/collateral.py), and can
back a node once it has 100 confirmations.
"""

from __future__ import annotations

from dataclasses import dataclass

from flux.networks import Network
from flux.tiers import Tier, tier_for_amount, tier_spec
from wallet.amounts import format_amount
from wallet.errors import InsufficientFunds, InvalidTransaction
from wallet.keychain import Keychain
from wallet.nodes.lists import Outpoint
from wallet.nodes.start import Maturity, maturity
from wallet.nodes.timing import PON_TIMING, NodeTiming
from wallet.send import Review


@dataclass(frozen=True)
class PreparedCollateral:
    """A broadcast send-to-self: the new coin and when it can back a node."""

    tier: str  # "cumulus", "nimbus", "stratus"
    outpoint: Outpoint
    address: str
    satoshis: int
    fee: int
    maturity: Maturity  # of an unmined coin: 0/100, ETA = 100 blocks × the block spacing


def collateral_amount(tier: Tier) -> int:
    return tier_spec(tier).collateral


def affordable(tier: Tier, spendable: int) -> bool:
    """Whether ``spendable`` can pay the tier amount and a fee (the review tells for sure)."""
    return spendable > collateral_amount(tier)


def short_of_funds(tier: Tier, cause: InsufficientFunds, unit: str) -> InsufficientFunds:
    """The coin selection's refusal in the words of this action."""
    amount = format_amount(collateral_amount(tier), unit=unit)
    return InsufficientFunds(
        f"Not enough to prepare a {tier_spec(tier).title} collateral ({amount} in one "
        f"coin, plus a small fee): {cause} Nothing was sent. Receive more first, or choose a "
        "smaller tier.")


def check_collateral_review(review: Review, keychain: Keychain, network: Network) -> Tier:
    """The tier of a collateral send-to-self review; InvalidTransaction if it is anything else
    (never sign a review that would pay someone else or split the amount)."""
    recipients = [o for o in review.outputs if o.role == "recipient"]
    if len(recipients) != 1:
        raise InvalidTransaction("A collateral must be one output; this review has "
                                 f"{len(recipients)}. Nothing was sent; prepare it again.")
    [output] = recipients
    tier = tier_for_amount(output.satoshis, network)
    if tier is None or review.amount != output.satoshis:
        raise InvalidTransaction("The review's output is not exactly a tier amount. Nothing "
                                 "was sent; prepare it again.")
    for out in review.outputs:
        if out.role == "message":
            continue
        if out.address is None or keychain.lookup(out.address) is None:
            raise InvalidTransaction(f"The review pays {out.address}, which is not an address "
                                     "of this wallet. Nothing was sent.")
    return tier


def prepared(review: Review, txid: str, tier: Tier, tip: int,
             timing: NodeTiming = PON_TIMING) -> PreparedCollateral:
    vout = next(n for n, o in enumerate(review.outputs) if o.role == "recipient")
    return PreparedCollateral(tier.name.lower(), (txid, vout), review.to, review.amount,
                              review.fee, maturity(None, tip, timing))

"""Consolidation as reviews: send-to-self transactions that merge small coins (node rewards).

Each batch becomes an ordinary `Review`, so it goes through the same verify → sign → broadcast
path as any send.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from flux.networks import Network
from wallet.backends.base import Utxo
from wallet.coinselect import SpendPlan, plan_consolidation
from wallet.coinselect import Utxo as Candidate
from wallet.fees import DEFAULT_FEE_RATE, FeeRate
from wallet.keychain import Keychain
from wallet.send import Review, ReviewInput, ReviewOutput
from wallet.signing import p2pkh_input_size

Outpoint = tuple[str, int]


def consolidation_reviews(
    utxos: Iterable[Utxo], *, keychain: Keychain, target: str, network: Network, tip: int,
    expiry_delta: int, locked: Collection[Outpoint], frozen: Collection[Outpoint],
    fee_rate: FeeRate = DEFAULT_FEE_RATE,
) -> list[Review]:
    """Reviews merging the wallet's small coins into `target` (frozen and locked coins stay)."""
    candidates = [
        Candidate(u.txid, u.vout, u.satoshis, u.confirmations, u.coinbase, u.address,
                  p2pkh_input_size(keychain.is_compressed(u.address)))
        for u in utxos if u.outpoint not in frozen
    ]
    plans = plan_consolidation(candidates, target, network=network, fee_rate=fee_rate,
                               locked=locked)
    expiry = tip + expiry_delta
    return [_self_review(plan, network, target, tip, expiry, fee_rate) for plan in plans]


def _self_review(
    plan: SpendPlan, network: Network, target: str, tip: int, expiry: int, fee_rate: FeeRate
) -> Review:
    amount = plan.outputs[0][1]
    return Review(
        network=network.name, to=target, amount=amount, is_max=True,
        inputs=tuple(ReviewInput(u.txid, u.vout, u.address, u.satoshis) for u in plan.inputs),
        outputs=(ReviewOutput(target, amount, "recipient"),),
        change=0, change_address=None, fee=plan.fee, fee_rate=fee_rate,
        size=plan.size, tip_height=tip, expiry_height=expiry, message=None,
    )

"""The last check before signing: every input of a review is still free to spend."""

from __future__ import annotations

from collections.abc import Collection

from wallet.errors import StaleReview
from wallet.send import Review

Outpoint = tuple[str, int]


def check_inputs_still_free(
    review: Review, *, frozen: Collection[Outpoint], locked: Collection[Outpoint]
) -> None:
    """Refuse a review that spends a coin frozen or locked (collateral) since it was built."""
    frozen_ids = {(t.lower(), v) for t, v in frozen}
    locked_ids = {(t.lower(), v) for t, v in locked}
    for item in review.inputs:
        outpoint = (item.txid.lower(), item.vout)
        if outpoint in frozen_ids or outpoint in locked_ids:
            why = "frozen" if outpoint in frozen_ids else "locked as node collateral"
            raise StaleReview(
                f"Coin {item.txid[:16]}…:{item.vout} in this review is now {why}. Nothing "
                "was signed or sent. Build the review again (or unfreeze / unlock the coin)."
            )

""""Start all": a START for every node that may start, and a word on every other one.

Nodes the network (or our own pending START) still holds — confirmed, started, DOS, starting —
are skipped with the reason; the others go through the same pre-checks and signing as a single
start (NodeManager.review_start), so an immature collateral is refused with its ETA. Planning
sends nothing; sending goes node by node and one failure never stops the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from wallet.errors import BroadcastRejected, WalletError
from wallet.nodes.errors import NodeInputError, StartMaybeSent, StartRefused
from wallet.nodes.start import refuse_busy
from wallet.nodes.state import NodeState

if TYPE_CHECKING:
    from wallet.nodes.manager import NodeManager
    from wallet.nodes.views import StartReview


class Outcome(StrEnum):
    READY = "ready"  # planned: a checked and signed START waits for the broadcast
    SKIPPED = "skipped"  # confirmed, started, DOS or starting: nothing to do
    REFUSED = "refused"  # a pre-check said no (immature collateral, no identity key…)
    SENT = "sent"
    MAYBE_SENT = "maybe-sent"  # recorded as starting; do not resend at once
    FAILED = "failed"  # the network refused the START, or the server could not be asked


# Outcomes that make "start all" report a failure (exit code 1 on the command line).
FAILURES = frozenset({Outcome.REFUSED, Outcome.FAILED})


@dataclass(frozen=True)
class BatchItem:
    name: str
    state: NodeState  # the node's state when it was planned
    outcome: Outcome
    reason: str  # in words: why skipped or refused, what happened
    eta_seconds: int | None = None  # when a skipped or refused node may start
    txid: str | None = None
    review: StartReview | None = None  # READY: what will be broadcast

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES


async def plan_start_all(manager: NodeManager) -> list[BatchItem]:
    """Every node with what "start all" would do with it; nothing is sent."""
    plan = []
    for view in await manager.nodes():
        state = view.status.state
        try:
            refuse_busy(view.status)
        except StartRefused as busy:
            plan.append(BatchItem(view.name, state, Outcome.SKIPPED, str(busy),
                                  busy.eta_seconds))
            continue
        try:
            review = await manager.review_start(view.name)
        except (StartRefused, NodeInputError) as refused:
            plan.append(BatchItem(view.name, state, Outcome.REFUSED, str(refused),
                                  getattr(refused, "eta_seconds", None)))
        except WalletError as exc:
            plan.append(BatchItem(view.name, state, Outcome.FAILED, f"Not checked: {exc}"))
        else:
            plan.append(BatchItem(view.name, state, Outcome.READY,
                                  "Ready: a START is checked and signed.", review=review))
    return plan


async def send_planned(manager: NodeManager, plan: list[BatchItem]) -> list[BatchItem]:
    """Broadcast the READY items one by one; every item comes back with its outcome."""
    done = []
    for item in plan:
        if item.outcome != Outcome.READY or item.review is None:
            done.append(item)
            continue
        done.append(await _send(manager, item, item.review))
    return done


async def _send(manager: NodeManager, item: BatchItem, review: StartReview) -> BatchItem:
    try:
        record = await manager.send_start(review)
    except StartMaybeSent as unsure:
        return replace(item, outcome=Outcome.MAYBE_SENT, reason=str(unsure), txid=unsure.txid,
                       review=None)
    except BroadcastRejected as exc:
        if exc.maybe_sent:
            return replace(item, outcome=Outcome.MAYBE_SENT,
                           reason=f"The START may have been sent: {exc}", txid=review.txid,
                           review=None)
        return replace(item, outcome=Outcome.FAILED,
                       reason=f"The network refused the START: {exc}", review=None)
    except WalletError as exc:
        return replace(item, outcome=Outcome.FAILED, reason=f"Not sent: {exc}", review=None)
    return replace(item, outcome=Outcome.SENT, txid=record.txid, review=None,
                   reason="START broadcast; the node shows as starting until it is mined.")

"""A node's state in words, with its next step, from the network lists and our own records.

Order of evidence: the confirmed list, then the start list, then the DOS list (fluxd keeps an
outpoint in one tracker at a time), then our own record of a START we broadcast ("starting"
until it shows in a list or fluxd's fluxnode mempool lifetime has passed: a light wallet cannot
see the mempool). Nothing found means not started, or expired: the node may start now.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wallet.nodes.lists import ListedNode, Outpoint, PendingNode, find_node
from wallet.nodes.timing import PON_TIMING, NodeTiming, blocks_to_seconds, describe_duration


class NodeState(StrEnum):
    CONFIRMED = "confirmed"
    STARTED = "started"
    DOS = "dos"
    STARTING = "starting"
    NOT_STARTED = "not-started"


LABELS = {
    NodeState.CONFIRMED: "Confirmed",
    NodeState.STARTED: "Started",
    NodeState.DOS: "DOS",
    NodeState.STARTING: "Starting",
    NodeState.NOT_STARTED: "Not started / expired",
}

# States in which a new START for the same collateral is refused by fluxd (or would replace
# one of ours that is still pending).
BUSY_STATES = frozenset({NodeState.CONFIRMED, NodeState.STARTED, NodeState.DOS, NodeState.STARTING})


@dataclass(frozen=True)
class StartRecord:
    """Our own record of a START we broadcast (kept with the node entry)."""

    txid: str
    sig_time: int
    sent_at: int  # local unix time of the broadcast


@dataclass(frozen=True)
class NodeStatus:
    outpoint: Outpoint
    state: NodeState
    summary: str  # one sentence: what is going on
    next_step: str  # what the person can do, with an ETA where there is one
    blocks_left: int | None = None  # until the state changes by itself (window, DOS, expiry)
    eta_seconds: int | None = None
    rank: int | None = None
    next_payment_seconds: int | None = None
    last_paid_height: int | None = None  # None = unknown, 0 = never paid
    needs_confirm: bool = False  # confirmed, inside the re-confirm window

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def may_start(self) -> bool:
        return self.state not in BUSY_STATES


def node_status(
    outpoint: Outpoint,
    *,
    tip: int,
    confirmed: list[ListedNode],
    started: list[PendingNode],
    dos: list[PendingNode],
    record: StartRecord | None = None,
    now: int,
    timing: NodeTiming = PON_TIMING,
) -> NodeStatus:
    """The state of one collateral; ``now`` is the local unix time (for "starting")."""
    listed = find_node(confirmed, outpoint)
    if listed is not None:
        return _confirmed(outpoint, listed, tip, timing)
    pending = find_node(started, outpoint)
    if pending is not None:
        left = pending.blocks_left
        if left is None:
            left = timing.start_window - (tip - pending.added_height)
        left = max(0, left)
        when = describe_duration(blocks_to_seconds(left, timing))
        return NodeStatus(
            outpoint, NodeState.STARTED,
            f"Started in block {pending.added_height}; waiting for the node to confirm.",
            f"Confirms within {left} blocks ({when}) if the node is synced and its benchmark "
            "passes; otherwise it goes to the DOS list.",
            blocks_left=left, eta_seconds=blocks_to_seconds(left, timing),
        )
    banned = find_node(dos, outpoint)
    if banned is not None:
        left = banned.blocks_left
        if left is None:
            left = timing.dos_blocks - (tip - banned.added_height)
        left = max(0, left)
        when = describe_duration(blocks_to_seconds(left, timing))
        return NodeStatus(
            outpoint, NodeState.DOS,
            f"Started in block {banned.added_height} but never confirmed, so the network "
            "put it in the DOS list.",
            f"Can start again in {left} blocks ({when}). Before that, check that the node is "
            "synced, its benchmark passes and its flux.conf names this collateral and key.",
            blocks_left=left, eta_seconds=blocks_to_seconds(left, timing),
        )
    if record is not None and now - record.sent_at < timing.mempool_lifetime:
        left_s = timing.mempool_lifetime - (now - record.sent_at)
        return NodeStatus(
            outpoint, NodeState.STARTING,
            f"START {record.txid[:16]}… was broadcast; it is not in a block yet.",
            "It shows as started once mined (usually within a block or two). If it does not "
            f"within {describe_duration(left_s)}, start again.",
            eta_seconds=left_s,
        )
    return NodeStatus(
        outpoint, NodeState.NOT_STARTED,
        "Not in the network's node lists (never started, or expired).",
        "May start now.",
    )


def keep_record(record: StartRecord | None, status: NodeStatus) -> StartRecord | None:
    """Our START record after a refresh: dropped once the network lists the node (from then
    on the lists tell its state; keeping it would show an expired node as "starting")."""
    if status.state in (NodeState.CONFIRMED, NodeState.STARTED, NodeState.DOS):
        return None
    return record


def _confirmed(outpoint: Outpoint, node: ListedNode, tip: int, timing: NodeTiming) -> NodeStatus:
    since = tip - node.last_confirmed_height
    expires_at = node.last_confirmed_height + timing.confirm_expiry + 1
    left = max(0, expires_at - tip)
    needs_confirm = since > timing.confirm_min_interval
    payment = None if node.rank is None else blocks_to_seconds(node.rank + 1, timing)
    paid = "never paid yet" if node.last_paid_height == 0 else (
        f"last paid in block {node.last_paid_height}"
    )
    if payment is not None:
        paid += f"; next payment in {describe_duration(payment)} (queue position {node.rank})"
    if needs_confirm:
        step = (
            f"Due for its regular confirmation; it expires in {left} blocks "
            f"({describe_duration(blocks_to_seconds(left, timing))}) unless the node confirms. "
            "Keep the node online and synced."
        )
    else:
        step = (
            "Nothing to do. The node confirms again after block "
            f"{node.last_confirmed_height + timing.confirm_min_interval}; it is safe offline "
            f"for {describe_duration(blocks_to_seconds(left, timing))} at most."
        )
    return NodeStatus(
        outpoint, NodeState.CONFIRMED,
        f"Confirmed ({node.tier.title() or 'unknown tier'}, {paid}).", step,
        blocks_left=left, eta_seconds=blocks_to_seconds(left, timing), rank=node.rank,
        next_payment_seconds=payment, last_paid_height=node.last_paid_height,
        needs_confirm=needs_confirm,
    )

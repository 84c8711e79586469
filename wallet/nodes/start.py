"""START pre-checks, building and "start all" planning (pure).

Every refusal says why and when it may work (maturity ETA, state, clock). A START is built with
wallet.fluxnode.build_start_tx (v5 for a P2PKH collateral, v6 for P2SH or delegates) and is only
handed out after verify_start accepted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wallet.fluxnode import build_start_tx, verify_start
from wallet.keys import PrivateKey
from wallet.networks import Network, Tier, tier_for_amount
from wallet.nodes.errors import StartRefused
from wallet.nodes.lists import Outpoint
from wallet.nodes.state import NodeState, NodeStatus
from wallet.nodes.timing import PON_TIMING, NodeTiming, blocks_to_seconds, describe_duration
from wallet.txmodel import FLUXNODE_TX_UPGRADEABLE_VERSION, FLUXNODE_TX_VERSION, Transaction


@dataclass(frozen=True)
class Maturity:
    confirmations: int
    needed: int
    blocks_left: int
    eta_seconds: int

    @property
    def mature(self) -> bool:
        return self.blocks_left == 0


def maturity(coin_height: int | None, tip: int, timing: NodeTiming = PON_TIMING) -> Maturity:
    """Confirmations of a collateral mined at ``coin_height`` (None = unconfirmed).

    fluxd accepts a START in block tip+1 when (tip+1) - coin_height >= 100, that is with at
    least 100 confirmations.
    """
    confirmations = 0 if coin_height is None else max(0, tip - coin_height + 1)
    left = max(0, timing.collateral_confirmations - confirmations)
    return Maturity(confirmations, timing.collateral_confirmations, left,
                    blocks_to_seconds(left, timing))


def check_clock(local_now: int, tip_time: int, timing: NodeTiming = PON_TIMING) -> None:
    """Refuse when this computer's clock and the latest block's time disagree too much.

    sigTime is the local clock; fluxd refuses a sigTime more than an hour behind its own clock.
    """
    drift = local_now - tip_time
    if abs(drift) > timing.clock_tolerance:
        direction = "behind" if drift < 0 else "ahead of"
        raise StartRefused(
            f"This computer's clock is {describe_duration(abs(drift))} {direction} the latest "
            "block's time, so the START's signature time would be wrong and the network could "
            "refuse it. Turn on automatic time (and check the time zone), or refresh if the "
            "server is behind, then start again.",
            reason="clock",
        )


@dataclass(frozen=True)
class Collateral:
    """What the wallet knows about a node's collateral coin."""

    txid: str
    index: int
    satoshis: int
    height: int | None  # None while unconfirmed
    spent: bool = False


def precheck(
    collateral: Collateral,
    status: NodeStatus,
    *,
    tip: int,
    tip_time: int,
    local_now: int,
    network: Network,
    timing: NodeTiming = PON_TIMING,
    replace_pending: bool = False,
) -> Tier:
    """The tier if a START may be sent now; StartRefused with the reason and an ETA otherwise.

    ``replace_pending``: the person retries a START of ours that is still "starting" (a newer
    sigTime replaces a pending START in fluxd's mempool); never used by "start all".
    """
    if collateral.spent:
        raise StartRefused(
            "The collateral coin has been spent, so it cannot back a node. Prepare a new "
            "collateral of the exact tier amount.",
            reason="spent",
        )
    tier = tier_for_amount(collateral.satoshis, network, tip + 1)
    if tier is None:
        raise StartRefused(
            "The collateral is not exactly 1 000, 12 500 or 40 000 FLUX. Send the exact tier "
            "amount to yourself in one output and use that coin.",
            reason="amount",
        )
    if not (replace_pending and status.state == NodeState.STARTING):
        refuse_busy(status)
    ripe = maturity(collateral.height, tip, timing)
    if not ripe.mature:
        raise StartRefused(
            f"The collateral has {ripe.confirmations}/{ripe.needed} confirmations; start "
            f"possible in {ripe.blocks_left} blocks ({describe_duration(ripe.eta_seconds)}).",
            reason="maturity",
            eta_seconds=ripe.eta_seconds,
        )
    check_clock(local_now, tip_time, timing)
    return tier


def refuse_busy(status: NodeStatus) -> None:
    """StartRefused if the network (or our own pending START) still holds this collateral."""
    if status.may_start:
        return
    reasons = {
        NodeState.CONFIRMED: "The node is already confirmed; a new START would be refused.",
        NodeState.STARTED: "The node is already started and waiting to confirm.",
        NodeState.DOS: "The node is in the DOS list after a start that never confirmed.",
        NodeState.STARTING: "A START for this node was just broadcast and is still pending.",
    }
    raise StartRefused(
        f"{reasons[status.state]} {status.next_step}",
        reason=str(status.state),
        eta_seconds=status.eta_seconds if status.state != NodeState.CONFIRMED else None,
    )


def start_version(*, p2sh: bool, delegates: bool) -> int:
    """v5 for a plain P2PKH collateral (as fluxd's startfluxnode), v6 for P2SH or delegates."""
    return FLUXNODE_TX_UPGRADEABLE_VERSION if p2sh or delegates else FLUXNODE_TX_VERSION


def build_verified_start(
    collateral: Collateral,
    signing_key: PrivateKey,
    identity_pubkey: bytes,
    sig_time: int,
    *,
    redeem_script: bytes | None = None,
    delegates: list[bytes] | None = None,
    as_delegate: bool = False,
    collateral_pubkey: bytes | None = None,
    registered_delegates: tuple[bytes, ...] = (),
) -> Transaction:
    """A signed START that verify_start accepts (StartRefused otherwise: never broadcast it)."""
    version = start_version(
        p2sh=redeem_script is not None, delegates=delegates is not None or as_delegate
    )
    tx = build_start_tx(
        collateral.txid, collateral.index, signing_key, identity_pubkey, sig_time,
        version=version, collateral_pubkey=collateral_pubkey, redeem_script=redeem_script,
        delegates=delegates, as_delegate=as_delegate,
    )
    if not verify_start(tx, registered_delegates):
        raise StartRefused(
            "The START was built but its signature is not by a key the network accepts for this "
            "collateral (wrong key, or a delegate not registered yet). Nothing was sent.",
            reason="signature",
        )
    return tx


@dataclass(frozen=True)
class PlanItem:
    alias: str
    outpoint: Outpoint
    start: bool
    reason: str  # why it is skipped, or "ready"
    eta_seconds: int | None = None


@dataclass(frozen=True)
class PlanInput:
    alias: str
    collateral: Collateral
    status: NodeStatus


def plan_start_all(
    nodes: Sequence[PlanInput],
    *,
    tip: int,
    tip_time: int,
    local_now: int,
    network: Network,
    timing: NodeTiming = PON_TIMING,
) -> list[PlanItem]:
    """"Start all": which nodes get a START and, for each skipped one, why (with an ETA)."""
    plan = []
    for node in nodes:
        outpoint = (node.collateral.txid, node.collateral.index)
        try:
            precheck(node.collateral, node.status, tip=tip, tip_time=tip_time,
                     local_now=local_now, network=network, timing=timing)
        except StartRefused as refused:
            plan.append(PlanItem(node.alias, outpoint, False, str(refused), refused.eta_seconds))
        else:
            plan.append(PlanItem(node.alias, outpoint, True, "ready"))
    return plan

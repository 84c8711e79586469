"""Block timing of a FluxNode's life after PoN, as data, and what follows from it.

Source: fluxd src/fluxnode/fluxnode.h and fluxnode.cpp (the PoN values of the START/DOS/confirm
constants). Seconds per block are ``flux.networks.block_spacing`` at the tip's height (30 s from
PoN on, the network's PoW spacing before): ``timing_at`` builds the timing for a network and tip.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flux.networks import PON_TARGET_SPACING, Network, block_spacing


@dataclass(frozen=True)
class NodeTiming:
    block_spacing_s: int
    confirm_after: int  # UPDATE_CONFIRM accepted when tip − last_confirmed > this
    expire_after: int  # expired at the first block where tip − last_confirmed > this
    start_to_dos: int  # a START not confirmed within this many blocks goes to DOS
    dos_blocks: int  # a DOS entry can START again this many blocks after its START
    source: str


POST_PON = NodeTiming(
    block_spacing_s=PON_TARGET_SPACING,
    confirm_after=500,
    expire_after=640,
    start_to_dos=240,
    dos_blocks=720,
    source="fluxd src/fluxnode/fluxnode.h (PoN constants); spacing from flux.networks",
)


def timing_at(network: Network, height: int | None) -> NodeTiming:
    """The node timing with ``network``'s block spacing at ``height``.

    With no height known (fluxd silent) the PoN spacing is assumed: every public network is past
    PoN, and the figures it feeds are estimates shown as such.
    """
    if height is None:
        return POST_PON
    return replace(POST_PON, block_spacing_s=block_spacing(network, height))


@dataclass(frozen=True)
class ConfirmWindow:
    """Blocks ``first``…``last`` are when the next confirmation can land; after ``last`` the
    node has expired."""

    first: int
    last: int
    blocks_until_open: int  # 0 when the window is open now
    blocks_until_expiry: int  # blocks left before the node expires (≤ 0: expired)


def confirm_window(last_confirmed: int, tip: int, timing: NodeTiming = POST_PON) -> ConfirmWindow:
    first = last_confirmed + timing.confirm_after + 1
    last = last_confirmed + timing.expire_after + 1
    return ConfirmWindow(first, last, max(0, first - tip), last - tip)


def safe_downtime_s(last_confirmed: int, tip: int, recovery_s: float,
                    timing: NodeTiming = POST_PON) -> float:
    """How long the node may be down from now and still confirm before it expires.

    The node must be back, synced and benchmarked (``recovery_s``) and confirm by block
    ``last_confirmed + expire_after``; the result is 0 when that is already too late.
    """
    blocks_left = last_confirmed + timing.expire_after - tip
    return max(0.0, blocks_left * timing.block_spacing_s - recovery_s)


def blocks_to_s(blocks: int, timing: NodeTiming = POST_PON) -> int:
    return blocks * timing.block_spacing_s

"""Block timing of a FluxNode's life after PoN, as data, and what follows from it.

Source: fluxd src/fluxnode/fluxnode.h and fluxnode.cpp (the PoN values of the START/DOS/confirm
constants) and chainparams.cpp (30 s blocks after PoN). Once ``flux/`` provides block spacing by
height, ``POST_PON`` is built from it instead of repeating the figures here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeTiming:
    block_spacing_s: int
    confirm_after: int  # UPDATE_CONFIRM accepted when tip − last_confirmed > this
    expire_after: int  # expired at the first block where tip − last_confirmed > this
    start_to_dos: int  # a START not confirmed within this many blocks goes to DOS
    dos_blocks: int  # a DOS entry can START again this many blocks after its START
    source: str


POST_PON = NodeTiming(
    block_spacing_s=30,
    confirm_after=500,
    expire_after=640,
    start_to_dos=240,
    dos_blocks=720,
    source="fluxd src/fluxnode/fluxnode.h (PoN constants), chainparams.cpp (30 s spacing)",
)


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

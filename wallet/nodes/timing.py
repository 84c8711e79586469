"""FluxNode timing facts after the PON upgrade, as data (fluxd src/fluxnode/fluxnode.h).

One table, so the "flux/" package can take it over unchanged. Heights are in blocks, times in
seconds. Sources and the reasoning behind each figure: docs/staking.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from flux.networks import PON_TARGET_SPACING


@dataclass(frozen=True)
class NodeTiming:
    block_spacing: int  # seconds per block
    collateral_confirmations: int  # FLUXNODE_MIN_CONFIRMATION_DETERMINISTIC
    start_window: int  # a START not confirmed within this many blocks goes to DOS
    dos_blocks: int  # DOS lasts until added_height + this (then START allowed again)
    confirm_min_interval: int  # an UPDATE_CONFIRM is due when tip - last_confirmed > this
    confirm_expiry: int  # expired once last_confirmed < height - this (first at L + this + 1)
    max_sig_age: int  # FLUXNODE_MAX_SIG_TIME: mempool refuses an older sigTime
    mempool_lifetime: int  # fluxd drops an unmined fluxnode tx from its mempool after this
    clock_tolerance: int  # FluxDesk: refuse a START when local clock and tip time differ more


PON_TIMING = NodeTiming(
    block_spacing=PON_TARGET_SPACING,
    collateral_confirmations=100,
    start_window=240,
    dos_blocks=720,
    confirm_min_interval=500,
    confirm_expiry=640,
    max_sig_age=3600,
    mempool_lifetime=1800,
    clock_tolerance=300,
)

FLUXNODE_MEMPOOL_SECONDS = PON_TIMING.mempool_lifetime


def blocks_to_seconds(blocks: int, timing: NodeTiming = PON_TIMING) -> int:
    return max(0, blocks) * timing.block_spacing


def describe_duration(seconds: int) -> str:
    """"about 50 min", "about 6 h", "about 2 days" for an ETA shown to a person."""
    seconds = max(0, seconds)
    if seconds < 90:
        return "about a minute" if seconds >= 45 else "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min"
    hours = seconds / 3600
    if hours < 36:
        return f"about {hours:.1f} h".replace(".0 h", " h")
    return f"about {round(hours / 24)} days"

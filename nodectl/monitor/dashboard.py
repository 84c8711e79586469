"""The Local node dashboard as a pure model: each card's facts, level and plain words.

Built from one ``Snapshot``; the GUI and ``fluxdesk node status`` only render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flux.tiers import TierSpec, tier_by_name
from nodectl.monitor.policy import DEFAULT_POLICY, Policy
from nodectl.monitor.services import WATCHDOG_PM2
from nodectl.monitor.snapshot import NodeContext, Snapshot
from nodectl.monitor.timing import (
    POST_PON,
    NodeTiming,
    confirm_window,
    safe_downtime_s,
    timing_at,
)
from nodectl.monitor.versions import MINIMUMS, at_least
from nodectl.monitor.watchdog import pm2_problems


class Level(Enum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    UNKNOWN = "unknown"


class NodeState(Enum):
    """The staking issue's states as seen from the node itself."""

    CONFIRMED = "confirmed"
    STARTED = "started"
    DOS = "dos"
    NOT_STARTED = "not_started"  # expired, or never started
    UNKNOWN = "unknown"


def duration(seconds: float) -> str:
    """``~1 h 10 min`` style, for words shown to a person."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"~{max(minutes, 0)} min"
    hours, rest = divmod(minutes, 60)
    return f"~{hours} h {rest} min" if rest else f"~{hours} h"


@dataclass(frozen=True)
class SyncView:
    height: int | None
    tip: int | None
    behind: int | None
    level: Level
    words: str


@dataclass(frozen=True)
class StateView:
    state: NodeState
    blocks_left: int | None  # until confirmed-or-DOS (started) or start allowed again (DOS)
    level: Level
    words: str


@dataclass(frozen=True)
class ConfirmView:
    last_confirmed: int
    first: int
    last: int
    safe_downtime_s: float
    level: Level
    words: str


@dataclass(frozen=True)
class PayoutView:
    rank: int | None
    eta_s: int | None
    last_paid_height: int | None  # None: never paid
    words: str


@dataclass(frozen=True)
class BenchView:
    result: str | None  # CUMULUS … / running / failed / toaster
    eps: float | None
    dws: float | None
    needed: TierSpec | None
    level: Level
    words: str


@dataclass(frozen=True)
class VersionView:
    component: str
    installed: str | None
    minimum: str
    source: str
    level: Level


@dataclass(frozen=True)
class Dashboard:
    sync: SyncView
    state: StateView
    confirm: ConfirmView | None
    payout: PayoutView | None
    bench: BenchView
    versions: tuple[VersionView, ...]
    public_ip: str | None
    ip_changes_20h: int
    clock: tuple[Level, str]
    watchdog: tuple[Level, str]
    flux_id: tuple[Level, str]
    silent: tuple[tuple[str, str], ...]  # (source, message + next step) of sources that failed


def build(snap: Snapshot, ctx: NodeContext, *, policy: Policy = DEFAULT_POLICY,
          timing: NodeTiming | None = None) -> Dashboard:
    """The dashboard of ``snap``; times from ``timing``, by default the node's network's block
    spacing at the tip."""
    if timing is None:
        timing = timing_at(ctx.network, snap.tip)
    return Dashboard(
        sync=sync_view(snap, policy),
        state=state_view(snap, timing),
        confirm=confirm_view(snap, policy, timing),
        payout=payout_view(snap, timing),
        bench=bench_view(snap, ctx),
        versions=version_views(snap),
        public_ip=snap.public_ip,
        ip_changes_20h=len(snap.ip_changes),
        clock=clock_view(snap, policy),
        watchdog=watchdog_view(snap, ctx),
        flux_id=flux_id_view(snap, ctx),
        silent=tuple((name, str(err)) for name, err in sorted(snap.errors.items())),
    )


def sync_view(snap: Snapshot, policy: Policy) -> SyncView:
    tip = snap.tip
    if snap.chain is None or tip is None:
        return SyncView(None, tip, None, Level.UNKNOWN, "fluxd does not answer: height unknown.")
    behind = max(0, tip - snap.chain.blocks)
    if behind == 0:
        return SyncView(snap.chain.blocks, tip, 0, Level.OK, f"Synced at block {tip}.")
    level = Level.WARN if behind < policy.sync_tolerance_blocks else Level.BAD
    return SyncView(snap.chain.blocks, tip, behind, level,
                    f"Block {snap.chain.blocks} of {tip}: {behind} behind.")


def state_view(snap: Snapshot, timing: NodeTiming = POST_PON) -> StateView:
    node, tip = snap.node, snap.tip
    if node is None:
        return StateView(NodeState.UNKNOWN, None, Level.UNKNOWN, "Node state unknown.")
    if node.status == "CONFIRMED":
        return StateView(NodeState.CONFIRMED, None, Level.OK, "Confirmed: in the payment queue.")
    since = (tip - node.added_height) if tip is not None and node.added_height else None
    if node.status == "STARTED":
        left = None if since is None else max(0, timing.start_to_dos - since)
        when = f"within {left} blocks" if left is not None else "soon"
        return StateView(NodeState.STARTED, left, Level.WARN,
                         f"Started: confirms {when} if the node is synced and its benchmark "
                         "passes.")
    if node.status == "DOS":
        left = None if since is None else max(0, timing.dos_blocks - since)
        when = (f"in {left} blocks ({duration(left * timing.block_spacing_s)})"
                if left is not None else "after 720 blocks from its START")
        return StateView(NodeState.DOS, left, Level.BAD, f"DOS: can start again {when}.")
    if node.status == "EXPIRED":
        return StateView(NodeState.NOT_STARTED, None, Level.BAD,
                         "Not started or expired: start it from the Nodes page.")
    return StateView(NodeState.UNKNOWN, None, Level.UNKNOWN, f"fluxd says '{node.status}'.")


def confirm_view(snap: Snapshot, policy: Policy,
                 timing: NodeTiming = POST_PON) -> ConfirmView | None:
    node, tip = snap.node, snap.tip
    if node is None or node.status != "CONFIRMED" or not node.last_confirmed_height or tip is None:
        return None
    window = confirm_window(node.last_confirmed_height, tip, timing)
    safe = safe_downtime_s(node.last_confirmed_height, tip, policy.recovery_s, timing)
    spacing = timing.block_spacing_s
    if window.blocks_until_open:
        when = (f"Next confirmation between blocks {window.first} and {window.last} (opens in "
                f"{duration(window.blocks_until_open * spacing)}).")
    else:
        when = (f"Confirmation window open until block {window.last} "
                f"({duration(window.blocks_until_expiry * spacing)} left).")
    level = Level.OK if safe > 0 else Level.WARN
    maintenance = (f" Safe to stop the node for {duration(safe)} now." if safe > 0 else
                   " Do not stop the node now: it would expire before it can confirm.")
    return ConfirmView(node.last_confirmed_height, window.first, window.last, safe, level,
                       when + maintenance)


def payout_view(snap: Snapshot, timing: NodeTiming = POST_PON) -> PayoutView | None:
    if snap.node is None or snap.node.status != "CONFIRMED":
        return None
    paid = snap.node.last_paid_height or None  # fluxd's 0 means never paid
    rank = snap.list_entry.rank if snap.list_entry else None
    if rank is None:
        return PayoutView(None, None, paid, "Queue position unknown until fluxd is synced.")
    eta = (rank + 1) * timing.block_spacing_s
    return PayoutView(rank, eta, paid,
                      f"Position {rank} in the queue: next payment in {duration(eta)}.")


def bench_needed(snap: Snapshot, ctx: NodeContext) -> TierSpec | None:
    name = ctx.collateral_tier or (snap.node.tier if snap.node else None)
    try:
        return tier_by_name(name) if name else None
    except KeyError:
        return None


def measured_eps(snap: Snapshot, needed: TierSpec | None) -> float | None:
    """EPS on the tier table's scale: single-thread × the tier's threads when fluxbench gives it."""
    bench = snap.bench
    if bench is None:
        return None
    if bench.eps_singlethread is not None and needed is not None:
        return bench.eps_singlethread * needed.eps_threads
    return bench.eps


def bench_view(snap: Snapshot, ctx: NodeContext) -> BenchView:
    result = snap.bench_status.benchmarking if snap.bench_status else None
    result = result or (snap.bench.status if snap.bench else None)
    needed = bench_needed(snap, ctx)
    eps, dws = measured_eps(snap, needed), snap.bench.dws if snap.bench else None
    if result is None:
        return BenchView(None, eps, dws, needed, Level.UNKNOWN, "Benchmark status unknown.")
    if result.lower() in ("failed", "toaster"):
        return BenchView(result, eps, dws, needed, Level.BAD, f"Benchmark {result.lower()}.")
    if result.lower() == "running":
        return BenchView(result, eps, dws, needed, Level.WARN, "Benchmark running.")
    if needed is not None and result.upper() in {"CUMULUS", "NIMBUS", "STRATUS"}:
        passed = tier_by_name(result)
        if passed.collateral_flux < needed.collateral_flux:
            return BenchView(result, eps, dws, needed, Level.BAD,
                             f"Benchmark passed {passed.title}, below the collateral's "
                             f"{needed.title}.")
    return BenchView(result, eps, dws, needed, Level.OK, f"Benchmark passed: {result}.")


def version_views(snap: Snapshot) -> tuple[VersionView, ...]:
    installed = {"fluxbench": snap.bench_version, "FluxOS": snap.fluxos_version}
    views = []
    for row in MINIMUMS:
        have = installed.get(row.component)
        ok = at_least(have, row.minimum) if have else None
        level = Level.UNKNOWN if ok is None else Level.OK if ok else Level.BAD
        views.append(VersionView(row.component, have, row.minimum, row.source, level))
    return tuple(views)


def clock_view(snap: Snapshot, policy: Policy) -> tuple[Level, str]:
    if snap.clock is None or snap.clock.offset_s is None:
        return Level.UNKNOWN, "Clock drift unknown."
    offset = snap.clock.offset_s
    level = Level.OK if abs(offset) < policy.clock_drift_warn_s else Level.BAD
    return level, f"Clock off by {offset:+.3f} s ({snap.clock.source or 'unknown source'})."


def watchdog_view(snap: Snapshot, ctx: NodeContext) -> tuple[Level, str]:
    if ctx.arcane:
        unit = snap.units.get("flux-watchdog")
        if unit is None:
            return Level.UNKNOWN, "Watchdog state unknown."
        return (Level.OK, "Watchdog running.") if unit.running else (
            Level.BAD, "The watchdog service is not running.")
    if snap.pm2 is None or ctx.watchdog_dir is None:
        return Level.UNKNOWN, "Watchdog state unknown."
    problems = pm2_problems(snap.pm2.get(WATCHDOG_PM2), ctx.watchdog_dir)
    if not problems:
        return Level.OK, "Watchdog running as installed by the official tools."
    return Level.BAD, "Watchdog: " + "; ".join(problems) + "."


def flux_id_view(snap: Snapshot, ctx: NodeContext) -> tuple[Level, str]:
    owner = snap.owner_flux_id
    if owner is None:
        return Level.UNKNOWN, "The node's owner Flux ID is unknown (FluxOS does not answer)."
    if ctx.wallet_flux_id is None:
        why, step = ctx.no_wallet_flux_id
        return Level.UNKNOWN, f"Node owner Flux ID {owner}. {why} {step}".strip()
    if owner == ctx.wallet_flux_id:
        return Level.OK, f"The node belongs to this wallet's Flux ID {owner}."
    return Level.WARN, (f"The node's owner Flux ID {owner} is not this wallet's "
                        f"{ctx.wallet_flux_id}.")

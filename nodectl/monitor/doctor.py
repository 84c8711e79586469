"""The doctor: rules that turn a snapshot's symptoms into a cause and the next step.

Each rule is a pure function of (snapshot, context, policy) returning a ``Finding`` or None.
After a fix, ``recheck`` runs the same rule on a fresh snapshot: None means it is fixed.
Rules only judge what they can see: a silent source gives its own finding, never a guess.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from nodectl.monitor import snapshot as src
from nodectl.monitor.dashboard import bench_needed, duration
from nodectl.monitor.errors import NotAllowed
from nodectl.monitor.policy import DEFAULT_POLICY, Policy
from nodectl.monitor.services import DOCKER_UNIT, MONGOD_UNIT, WATCHDOG_PM2
from nodectl.monitor.snapshot import NodeContext, Snapshot
from nodectl.monitor.timing import POST_PON
from nodectl.monitor.watchdog import official_pm2_start, pm2_problems

FLUX_PORTS = "16124–16129 (TCP)"
# FluxOS treats dosState >= 100 as DOS (idService.js loginphrase, appInspector).
FLUXOS_DOS_SCORE = 100


class Action(Enum):
    """A fix FluxDesk can offer as a button (through the privileged helper or FluxOS)."""

    RESTART_FLUXD = "restart_fluxd"
    RESTART_BENCH = "restart_benchmark"
    RESTART_FLUXOS = "restart_fluxos"
    RESTART_WATCHDOG = "restart_watchdog"
    RESTART_MONGOD = "restart_mongod"
    RESTART_DOCKER = "restart_docker"
    START_NODE = "start_node"  # on the Nodes page (wallet side)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "bad" (not earning / about to stop) or "warn"
    cause: str
    next_step: str
    action: Action | None = None


@dataclass(frozen=True)
class Unchecked:
    """A rule that could not judge this poll: not a pass, and said so (with what would let it)."""

    rule: str
    why: str
    next_step: str


Rule = Callable[[Snapshot, NodeContext, Policy], Finding | None]


def fluxd_silent(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    err = s.errors.get(src.FLUXD)
    if s.chain is not None or err is None or s.node is not None:
        return None
    return Finding("fluxd_silent", "bad", f"fluxd does not answer: {err.message}",
                   err.next_step, Action.RESTART_FLUXD)


def not_synced(s: Snapshot, _c: NodeContext, p: Policy) -> Finding | None:
    tip = s.tip
    if s.chain is None or tip is None or tip - s.chain.blocks < p.sync_tolerance_blocks:
        return None
    if s.height_since is not None and s.taken_at - s.height_since >= p.stuck_after_s:
        return None  # that is "stuck", reported by its own rule
    behind = tip - s.chain.blocks
    return Finding("not_synced", "warn", f"fluxd is {behind} blocks behind the network "
                   f"(block {s.chain.blocks} of {tip}); the node cannot confirm until synced.",
                   "Wait: it is catching up. A node far behind can use the bootstrap in the "
                   "installer to get there faster.")


def stuck(s: Snapshot, _c: NodeContext, p: Policy) -> Finding | None:
    tip = s.tip
    if s.chain is None or tip is None or tip - s.chain.blocks < p.sync_tolerance_blocks:
        return None
    if s.height_since is None or s.taken_at - s.height_since < p.stuck_after_s:
        return None
    return Finding("stuck", "bad", f"fluxd has stayed at block {s.chain.blocks} for "
                   f"{duration(s.taken_at - s.height_since)} while the network is at {tip}.",
                   "Restart fluxd; if it stops at the same block again, reindex or use the "
                   "bootstrap.", Action.RESTART_FLUXD)


def bench_failed(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    result = (s.bench_status.benchmarking if s.bench_status else None) or (
        s.bench.status if s.bench else None)
    if result is None or result.lower() not in ("failed", "toaster"):
        return None
    reason = s.bench_failure_log or (s.bench.error if s.bench else None) or "no reason logged"
    return Finding("bench_failed", "bad", f"The benchmark {result.lower()}: {reason}",
                   "Fix what the reason says (CPU or disk busy, FluxOS not reachable, too slow "
                   "for the tier), then restart the benchmark.", Action.RESTART_BENCH)


def bench_below_tier(s: Snapshot, c: NodeContext, _p: Policy) -> Finding | None:
    needed = bench_needed(s, c)
    result = s.bench_status.benchmarking if s.bench_status else None
    if needed is None or result is None or result.upper() not in ("CUMULUS", "NIMBUS", "STRATUS"):
        return None
    order = ["CUMULUS", "NIMBUS", "STRATUS"]
    if order.index(result.upper()) >= order.index(needed.name):
        return None
    return Finding("bench_below_tier", "bad", f"The benchmark passed {result.capitalize()}, but "
                   f"the collateral is {needed.title}: the node cannot confirm at that tier.",
                   f"Give the machine what {needed.title} needs ({needed.min_threads} threads, "
                   f"{needed.min_ram_gib} GiB RAM, {needed.min_ssd_gib} GiB SSD), then restart "
                   "the benchmark.", Action.RESTART_BENCH)


def fluxos_down(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    err = s.errors.get(src.FLUXOS)
    if err is not None and not isinstance(err, NotAllowed) and s.fluxos_version is None:
        return Finding("fluxos_down", "bad", f"FluxOS does not answer: {err.message}",
                       err.next_step, Action.RESTART_FLUXOS)
    if s.bench_status is not None and s.bench_status.flux == "disconnected":
        return Finding("fluxos_down", "bad", "fluxbench cannot reach FluxOS (disconnected), "
                       "so the benchmark cannot pass.", "Restart FluxOS; if it stays "
                       "disconnected, check that ports " + FLUX_PORTS + " are open.",
                       Action.RESTART_FLUXOS)
    return None


def _behind_nat(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip.split(":")[0] if ip.count(":") == 1 else ip)
    except ValueError:
        return False
    return address.is_private or address in ipaddress.ip_network("100.64.0.0/10")


def dos(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    in_list = s.node is not None and s.node.status == "DOS"
    fluxos_dos = s.dos is not None and (s.dos.score or 0) >= FLUXOS_DOS_SCORE
    if not in_list and not fluxos_dos:
        return None
    reason = (s.dos.message if s.dos and s.dos.message else
              "it was started but not confirmed within 240 blocks")
    if _behind_nat(s.public_ip):
        cause_extra = (f" Its address {s.public_ip} is not public (carrier-grade NAT or a "
                       "private network): other nodes cannot reach it.")
        step = ("Ask your provider for a public IPv4 address (CGNAT cannot host a node), "
                "then start it again.")
    else:
        cause_extra = ""
        step = (f"Forward ports {FLUX_PORTS} to this machine or enable UPnP on the router, "
                "check FluxOS is up")
        if in_list and s.node and s.node.added_height and s.tip:
            left = max(0, POST_PON.dos_blocks - (s.tip - s.node.added_height))
            step += f"; start it again from the Nodes page in {left} blocks"
        step += "."
    return Finding("dos", "bad", f"The node is in DOS: {reason}.{cause_extra}", step,
                   Action.START_NODE if in_list else None)


def expired(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    if s.node is None or s.node.status != "EXPIRED":
        return None
    return Finding("expired", "bad", "The node is not started or has expired (no confirmation "
                   "within 640 blocks): it earns nothing.",
                   "Make sure it is synced and its benchmark passes, then start it again from "
                   "the Nodes page.", Action.START_NODE)


def ip_changes(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    if len(s.ip_changes) < 2:
        return None
    seen = ", ".join(c.new for c in s.ip_changes)
    return Finding("ip_changes", "bad", f"The public IP changed {len(s.ip_changes)} times in "
                   f"20 hours ({seen}); FluxOS allows one change per 20 hours and removes the "
                   "node's apps and sets DOS after a second.",
                   "Get a fixed IP from your provider (or keep the router from reconnecting); "
                   "the node recovers once the address stays the same.")


def _unit_down(name: str, title: str, action: Action) -> Rule:
    def rule(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
        unit = s.units.get(name)
        if unit is None or unit.running:
            return None
        state = "not installed" if not unit.exists else f"{unit.active} ({unit.sub})"
        return Finding(f"{name}_down", "bad", f"{title} is {state}; FluxOS needs it.",
                       f"Restart {title} (systemctl restart {name}); if it fails again, read "
                       f"'journalctl -u {name}'.", action if unit.exists else None)
    rule.__name__ = f"{name}_down"
    return rule


mongod_down = _unit_down(MONGOD_UNIT, "MongoDB", Action.RESTART_MONGOD)
docker_down = _unit_down(DOCKER_UNIT, "Docker", Action.RESTART_DOCKER)


def disk_full(s: Snapshot, _c: NodeContext, p: Policy) -> Finding | None:
    for disk in s.metrics.disks if s.metrics else ():
        free_pct = 100.0 - disk.percent_used
        if free_pct < p.disk_free_min_percent and disk.free < p.disk_free_min_bytes:
            return Finding("disk_full", "bad", f"The disk of {disk.path} is nearly full "
                           f"({disk.free / 1024**3:.1f} GiB, {free_pct:.0f} % free); fluxd stops "
                           "when it runs out.",
                           "Free space (old logs, unused Docker images: 'docker image prune') or "
                           "move the node to a larger disk.")
    return None


def clock_drift(s: Snapshot, _c: NodeContext, p: Policy) -> Finding | None:
    if s.clock is None or s.clock.offset_s is None or abs(s.clock.offset_s) < \
            p.clock_drift_warn_s:
        return None
    if s.clock.source in (None, "none"):
        step = "Install a time service (sudo apt-get install chrony) and let it sync."
    else:
        step = f"Check {s.clock.source} is running and reaching its time servers."
    return Finding("clock_drift", "warn", f"The clock is off by {s.clock.offset_s:+.1f} s; PoN "
                   "block slots depend on the time.", step)


def login_refused(s: Snapshot, _c: NodeContext, _p: Policy) -> Finding | None:
    if not s.login_refusal:
        return None
    return Finding("login_refused", "warn", f"FluxOS refuses to hand out a login phrase: "
                   f"{s.login_refusal}", "Fix what FluxOS names (it checks MongoDB, Docker, "
                   "Syncthing, the hardware tier and DOS); the emergency login still works.")


def flux_id_mismatch(s: Snapshot, c: NodeContext, _p: Policy) -> Finding | None:
    if not s.owner_flux_id or not c.wallet_flux_id or s.owner_flux_id == c.wallet_flux_id:
        return None  # the same or not comparable: ``flux_id_unchecked`` says which
    return Finding("flux_id_mismatch", "warn", f"The node's owner Flux ID is {s.owner_flux_id}, "
                   f"not this wallet's {c.wallet_flux_id}: this wallet cannot log in as admin.",
                   "Import the Flux ID the node uses into the wallet, or set the wallet's Flux "
                   "ID in FluxOS (userconfig.js zelid) and restart FluxOS.")


def flux_id_unchecked(s: Snapshot, c: NodeContext) -> Unchecked | None:
    """Why ``flux_id_mismatch`` could not compare, when one side is unknown."""
    if not s.owner_flux_id:
        return Unchecked("flux_id_mismatch", "The node's owner Flux ID is unknown (FluxOS does "
                         "not answer /flux/id).", "Check again once FluxOS answers.")
    if c.wallet_flux_id:
        return None
    why, step = c.no_wallet_flux_id
    return Unchecked("flux_id_mismatch", f"The node's owner Flux ID is {s.owner_flux_id}. {why}",
                     step)


def watchdog(s: Snapshot, c: NodeContext, _p: Policy) -> Finding | None:
    if c.arcane or s.pm2 is None or c.watchdog_dir is None:
        return None
    process = s.pm2.get(WATCHDOG_PM2)
    problems = pm2_problems(process, c.watchdog_dir)
    if not problems:
        return None
    argv, cwd = official_pm2_start(c.watchdog_dir)
    if process is None:
        return Finding("watchdog_missing", "warn", "No watchdog runs: nothing restarts a failed "
                       "fluxd, fluxbench or FluxOS while you are away.",
                       f"Install it again from the installer (from {cwd}: {' '.join(argv)}).",
                       Action.RESTART_WATCHDOG)
    return Finding("watchdog_wrong", "warn", "The watchdog is not running as installed: "
                   + "; ".join(problems) + ".",
                   f"Start it again the official way: pm2 delete watchdog, then from {cwd}: "
                   f"{' '.join(argv)}; pm2 save.", Action.RESTART_WATCHDOG)


RULES: tuple[Rule, ...] = (
    fluxd_silent, not_synced, stuck, bench_failed, bench_below_tier, fluxos_down, dos, expired,
    ip_changes, mongod_down, docker_down, disk_full, clock_drift, login_refused,
    flux_id_mismatch, watchdog,
)


# Rules that can lack what they compare; each says so instead of passing silently.
UNCHECKABLE: tuple[Callable[[Snapshot, NodeContext], Unchecked | None], ...] = (
    flux_id_unchecked,
)


def unchecked(s: Snapshot, c: NodeContext) -> list[Unchecked]:
    """The rules that could not judge this poll, with why and what would let them."""
    return [u for check in UNCHECKABLE if (u := check(s, c)) is not None]


def diagnose(s: Snapshot, c: NodeContext, p: Policy = DEFAULT_POLICY) -> list[Finding]:
    """All findings, the ones that stop earning first."""
    found = [f for rule in RULES if (f := rule(s, c, p)) is not None]
    return sorted(found, key=lambda f: f.severity != "bad")


def recheck(finding: Finding, s: Snapshot, c: NodeContext,
            p: Policy = DEFAULT_POLICY) -> Finding | None:
    """The same rule on a fresh snapshot: None when the fix worked."""
    for rule in RULES:
        fresh = rule(s, c, p)
        if fresh is not None and fresh.rule == finding.rule:
            return fresh
    return None

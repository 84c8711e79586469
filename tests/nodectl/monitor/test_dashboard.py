"""The dashboard model: sync, state in words, confirmation window, safe downtime, payout,
benchmark vs the tier table, versions, clock, watchdog and Flux ID."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flux.networks import MAINNET, TESTNET
from nodectl.monitor.dashboard import Level, NodeState, build, duration
from nodectl.monitor.errors import SourceDown
from nodectl.monitor.models import (
    BenchFigures,
    BenchStatus,
    ChainInfo,
    ClockDrift,
    FluxnodeStatus,
    ListEntry,
)
from nodectl.monitor.policy import Policy
from nodectl.monitor.services import Pm2Process
from nodectl.monitor.snapshot import NodeContext, Snapshot
from nodectl.monitor.timing import POST_PON, confirm_window, safe_downtime_s, timing_at
from nodectl.monitor.versions import at_least

TIP = 2_100_000
CTX = NodeContext(wallet_flux_id="1Owner", collateral_tier="CUMULUS", watchdog_dir="/h/watchdog")


def snap(**fields) -> Snapshot:
    base = dict(taken_at=0.0, chain=ChainInfo(TIP, TIP),
                node=FluxnodeStatus("CONFIRMED", tier="CUMULUS", last_confirmed_height=TIP - 100,
                                    last_paid_height=TIP - 50, added_height=TIP - 5000),
                list_entry=ListEntry("t", "0", 9, "CUMULUS", TIP - 50, None))
    base.update(fields)
    return Snapshot(**base)


def test_window_edges_follow_fluxd() -> None:
    window = confirm_window(1000, 1400)
    assert (window.first, window.last) == (1501, 1641)
    assert window.blocks_until_open == 101 and window.blocks_until_expiry == 241
    assert confirm_window(1000, 1600).blocks_until_open == 0
    # 40 blocks to the last safe block (1640) = 1 200 s, minus 600 s recovery.
    assert safe_downtime_s(1000, 1600, recovery_s=600) == 600
    assert safe_downtime_s(1000, 1640, recovery_s=0) == 0
    assert safe_downtime_s(1000, 1700, recovery_s=0) == 0


def test_confirmed_node_dashboard() -> None:
    board = build(snap(), CTX, policy=Policy(recovery_s=1800))
    assert board.sync.level is Level.OK and board.state.state is NodeState.CONFIRMED
    assert board.confirm is not None and (board.confirm.first, board.confirm.last) == (
        TIP + 401, TIP + 541)
    assert board.confirm.safe_downtime_s == 540 * 30 - 1800
    assert "Safe to stop the node for ~3 h 60 min" not in board.confirm.words
    assert "Safe to stop the node for ~4 h" in board.confirm.words
    assert board.payout is not None and board.payout.eta_s == 10 * 30
    assert "next payment in ~5 min" in board.payout.words


def test_times_follow_the_networks_block_spacing_at_the_tip() -> None:
    """Before PoN a block is the network's PoW spacing (testnet 60 s up to block 800); from
    PoN on 30 s. The same blocks, so the same window; only the times differ."""
    tip = 700  # testnet, before PoN
    node = FluxnodeStatus("CONFIRMED", last_confirmed_height=tip - 100, last_paid_height=0)
    before = build(snap(chain=ChainInfo(tip, tip), node=node), replace(CTX, network=TESTNET),
                   policy=Policy(recovery_s=0))
    assert before.confirm is not None and before.confirm.safe_downtime_s == 540 * 60
    assert before.payout is not None and before.payout.eta_s == 10 * 60
    tip = 900  # testnet, after PoN
    node = FluxnodeStatus("CONFIRMED", last_confirmed_height=tip - 100, last_paid_height=0)
    after = build(snap(chain=ChainInfo(tip, tip), node=node), replace(CTX, network=TESTNET),
                  policy=Policy(recovery_s=0))
    assert after.confirm is not None and after.confirm.safe_downtime_s == 540 * 30
    assert after.payout is not None and after.payout.eta_s == 10 * 30
    assert timing_at(TESTNET, 799).block_spacing_s == 60
    assert timing_at(MAINNET, None) == POST_PON


def test_never_paid_and_rank_unknown() -> None:
    node = FluxnodeStatus("CONFIRMED", last_confirmed_height=TIP - 10, last_paid_height=0)
    board = build(snap(node=node, list_entry=None), CTX)
    assert board.payout is not None and board.payout.last_paid_height is None
    assert board.payout.rank is None and "unknown" in board.payout.words


@pytest.mark.parametrize(("status", "added", "state", "words"), [
    ("STARTED", TIP - 40, NodeState.STARTED, "confirms within 200 blocks"),
    ("DOS", TIP - 300, NodeState.DOS, "can start again in 420 blocks (~3 h 30 min)"),
    ("EXPIRED", None, NodeState.NOT_STARTED, "start it from the Nodes page"),
])
def test_states_in_words(status, added, state, words) -> None:
    board = build(snap(node=FluxnodeStatus(status, added_height=added)), CTX)
    assert board.state.state is state and words in board.state.words
    assert board.confirm is None and board.payout is None


def test_sync_levels_and_silent_fluxd() -> None:
    assert build(snap(chain=ChainInfo(TIP - 5, TIP)), CTX).sync.level is Level.WARN
    behind = build(snap(chain=ChainInfo(TIP - 50, TIP)), CTX).sync
    assert behind.level is Level.BAD and behind.behind == 50
    assert build(snap(chain=ChainInfo(TIP - 50, TIP - 50), network_tip=TIP), CTX).sync.behind == 50
    err = SourceDown("fluxd cannot be reached.", "Start fluxd.")
    board = build(snap(chain=None, node=None, errors={"fluxd": err}), CTX)
    assert board.sync.level is Level.UNKNOWN and board.state.state is NodeState.UNKNOWN
    assert board.silent == (("fluxd", "fluxd cannot be reached. Start fluxd."),)


def test_bench_against_collateral_tier() -> None:
    bench = BenchFigures("CUMULUS", 900.0, 250.0, 400.0, None, None, None)
    board = build(snap(bench_status=BenchStatus("online", "CUMULUS", "connected"), bench=bench),
                  NodeContext(collateral_tier="NIMBUS"))
    assert board.bench.level is Level.BAD and "below the collateral's Nimbus" in board.bench.words
    assert board.bench.eps == 250.0 * 8  # single-thread × the tier's threads
    ok = build(snap(bench_status=BenchStatus("online", "STRATUS", "connected"), bench=bench), CTX)
    assert ok.bench.level is Level.OK
    failed = build(snap(bench_status=BenchStatus("online", "failed", "connected")), CTX)
    assert failed.bench.level is Level.BAD


def test_versions_clock_watchdog_flux_id() -> None:
    wd = Pm2Process("watchdog", "online", "/h/watchdog", "/h/watchdog/watchdog.js", True,
                    (".git", "node_modules", "watchdog_error.log", "config.js"), 0)
    board = build(snap(bench_version="6.1.9", fluxos_version="v8.17.0",
                       clock=ClockDrift("chrony", 0.004), pm2={"watchdog": wd},
                       owner_flux_id="1Owner"), CTX)
    levels = {v.component: v.level for v in board.versions}
    assert levels == {"fluxbench": Level.BAD, "FluxOS": Level.OK}
    assert board.clock[0] is Level.OK and board.watchdog[0] is Level.OK
    assert board.flux_id[0] is Level.OK
    other = build(snap(owner_flux_id="1Else", clock=ClockDrift("none", 9.0)), CTX)
    assert other.flux_id[0] is Level.WARN and other.clock[0] is Level.BAD
    assert other.watchdog[0] is Level.UNKNOWN


def test_helpers() -> None:
    assert at_least("8.13.1", "8.13.1") and at_least("8.14", "8.13.1")
    assert at_least("6.1.9", "6.2.0") is False and at_least("beta", "1.0") is None
    assert duration(59) == "~1 min" and duration(3600) == "~1 h" and duration(4200) == "~1 h 10 min"
    assert POST_PON.block_spacing_s == 30


def test_headline_puts_what_stops_earning_first() -> None:
    from nodectl.monitor.dashboard import Level, build
    from nodectl.monitor.doctor import Finding
    from nodectl.monitor.snapshot import NodeContext, Snapshot
    from nodectl.monitor.summary import headline

    board = build(Snapshot(taken_at=0.0), NodeContext())
    warn = Finding("clock_drift", "warn", "The clock is off.", "Fix it.")
    bad = Finding("expired", "bad", "It expired.", "Start it.")
    assert headline(board, [warn, bad]) == (Level.BAD,
                                            "Needs attention: It expired. (and 1 more in Doctor)")
    assert headline(board, [warn]) == (Level.WARN, "Node state unknown. The clock is off.")
    assert headline(board, []) == (Level.UNKNOWN, "Node state unknown.")

"""Node states from the network lists (fluxd list shapes in the three envelopes)."""

from __future__ import annotations

from typing import Any

import pytest

from wallet.networks import Tier
from wallet.nodes.errors import NodeListError
from wallet.nodes.lists import (
    find_node,
    list_filter,
    parse_confirmed,
    parse_coutpoint,
    parse_dos_list,
    parse_node_count,
    parse_start_list,
    unwrap,
)
from wallet.nodes.state import NodeState, StartRecord, keep_record, node_status
from wallet.nodes.timing import PON_TIMING, describe_duration

TXID = "ab" * 32
OTHER = "ab" * 31 + "cd"  # shares a long prefix: fluxd's substring filter may return both
ME = (TXID, 1)
NOW = 1_800_000_000


def confirmed_entry(txid: str = TXID, outidx: str = "1", **kw: Any) -> dict[str, Any]:
    entry = {
        "collateral": f"COutPoint({txid}, {outidx})", "txhash": txid, "outidx": outidx,
        "ip": "203.0.113.5", "network": "ipv4", "added_height": 1000, "confirmed_height": 1003,
        "last_confirmed_height": 1600, "last_paid_height": 0, "tier": "CUMULUS",
        "payment_address": "t1abc", "pubkey": "04ff", "activesince": "1700000000",
        "lastpaid": "1516000000", "amount": "1000.00", "rank": 4,
    }
    entry.update(kw)
    return entry


def test_coutpoint_and_filter() -> None:
    assert parse_coutpoint(f"COutPoint({TXID.upper()}, 7)") == (TXID, 7)
    for bad in ("COutPoint(abc, 1)", None, 5, f"COutPoint({TXID})"):
        with pytest.raises(NodeListError):
            parse_coutpoint(bad)
    assert list_filter([(TXID, 0), (OTHER, 12)]) == f"{TXID}-0,{OTHER}-12"
    with pytest.raises(NodeListError):
        list_filter([])
    with pytest.raises(NodeListError):
        list_filter([("zz", 0)])


def test_envelopes() -> None:
    entries = [confirmed_entry()]
    assert unwrap({"result": entries, "error": None, "id": 1}, "x") == entries
    assert unwrap({"status": "success", "data": entries}, "x") == entries
    assert unwrap(entries, "x") == entries
    with pytest.raises(NodeListError, match="refused"):
        unwrap({"status": "error", "data": {"code": 500, "message": "down"}}, "x")
    with pytest.raises(NodeListError, match="refused"):
        unwrap({"result": None, "error": {"code": -1, "message": "IBD"}}, "x")
    with pytest.raises(NodeListError, match="not a list"):
        unwrap({"result": "nope", "error": None}, "x")


def test_substring_filter_is_matched_by_txid_then_index() -> None:
    nodes = parse_confirmed([confirmed_entry(OTHER, "1"), confirmed_entry(TXID, "11"),
                             confirmed_entry(TXID, "1", rank=0)])
    assert find_node(nodes, (TXID, 11)) is nodes[1]
    found = find_node(nodes, ME)
    assert found is not None and found.rank == 0 and found.index == 1
    assert find_node(nodes, (TXID, 2)) is None


def test_confirmed_state_with_payment_and_confirm_window() -> None:
    nodes = parse_confirmed({"result": [confirmed_entry(rank=0)], "error": None, "id": 1})
    status = node_status(ME, tip=1700, confirmed=nodes, started=[], dos=[], now=NOW)
    assert status.state == NodeState.CONFIRMED and status.label == "Confirmed"
    assert status.next_payment_seconds == 30  # rank 0 = paid next block
    assert status.last_paid_height == 0 and "never paid" in status.summary
    assert not status.needs_confirm and status.blocks_left == 1600 + 641 - 1700
    due = node_status(ME, tip=2101, confirmed=nodes, started=[], dos=[], now=NOW)
    assert due.needs_confirm and due.blocks_left == 140 and "expires in 140 blocks" in due.next_step
    at_500 = node_status(ME, tip=2100, confirmed=nodes, started=[], dos=[], now=NOW)
    assert not at_500.needs_confirm
    paid = parse_confirmed([confirmed_entry(last_paid_height=1650, rank=9)])
    status = node_status(ME, tip=1700, confirmed=paid, started=[], dos=[], now=NOW)
    assert status.next_payment_seconds == 300 and "last paid in block 1650" in status.summary


def test_started_and_dos_use_the_lists_counters() -> None:
    started = parse_start_list([{"collateral": f"COutPoint({TXID}, 1)", "added_height": 900,
                                 "payment_address": "t1abc", "expires_in": 37}])
    status = node_status(ME, tip=1103, confirmed=[], started=started, dos=[], now=NOW)
    assert status.state == NodeState.STARTED and status.blocks_left == 37
    assert "Confirms within 37 blocks" in status.next_step and "benchmark passes" in status.next_step
    dos = parse_dos_list({"status": "success", "data": [
        {"collateral": f"COutPoint({TXID}, 1)", "added_height": 900, "payment_address": "t1",
         "eligible_in": 480}]})
    status = node_status(ME, tip=1140, confirmed=[], started=[], dos=dos, now=NOW)
    assert status.state == NodeState.DOS and status.blocks_left == 480
    assert "Can start again in 480 blocks (about 4 h)" in status.next_step
    assert not status.may_start


def test_counters_computed_when_absent() -> None:
    started = parse_start_list([{"collateral": f"COutPoint({TXID}, 1)", "added_height": 1000}])
    status = node_status(ME, tip=1100, confirmed=[], started=started, dos=[], now=NOW)
    assert status.blocks_left == PON_TIMING.start_window - 100
    dos = parse_dos_list([{"collateral": f"COutPoint({TXID}, 1)", "added_height": 1000}])
    status = node_status(ME, tip=1240, confirmed=[], started=[], dos=dos, now=NOW)
    assert status.blocks_left == 720 - 240 and status.eta_seconds == 480 * 30


def test_starting_until_listed_or_mempool_lifetime() -> None:
    record = StartRecord("cd" * 32, NOW - 10, sent_at=NOW - 10)
    status = node_status(ME, tip=10, confirmed=[], started=[], dos=[], record=record, now=NOW)
    assert status.state == NodeState.STARTING and not status.may_start
    late = node_status(ME, tip=10, confirmed=[], started=[], dos=[], record=record,
                       now=NOW - 10 + 1800)
    assert late.state == NodeState.NOT_STARTED and late.may_start
    assert late.next_step == "May start now."
    started = parse_start_list([{"collateral": f"COutPoint({TXID}, 1)", "added_height": 9}])
    listed = node_status(ME, tip=10, confirmed=[], started=started, dos=[], record=record, now=NOW)
    assert keep_record(record, listed) is None and keep_record(record, status) is record


def test_malformed_entries_are_typed_errors() -> None:
    with pytest.raises(NodeListError):
        parse_confirmed([{"txhash": TXID, "outidx": "x"}])
    with pytest.raises(NodeListError):
        parse_start_list([{"collateral": "COutPoint(zz, 1)", "added_height": 1}])
    with pytest.raises(NodeListError):
        parse_dos_list([{"collateral": f"COutPoint({TXID}, 1)"}])


def test_node_count() -> None:
    data = {"total": 9, "cumulus-enabled": 5, "nimbus-enabled": 3, "stratus-enabled": 1}
    expected = {Tier.CUMULUS: 5, Tier.NIMBUS: 3, Tier.STRATUS: 1}
    assert parse_node_count({"status": "success", "data": data}) == expected
    assert parse_node_count({"result": data, "error": None, "id": 1}) == expected
    assert parse_node_count(data) == expected
    with pytest.raises(NodeListError):
        parse_node_count({"status": "error", "data": {"message": "x"}})
    with pytest.raises(NodeListError):
        parse_node_count({"total": 9})


def test_durations_read_naturally() -> None:
    assert describe_duration(100 * 30) == "about 50 min"
    assert describe_duration(720 * 30) == "about 6 h"
    assert describe_duration(20) == "less than a minute"
    assert describe_duration(14 * 86400) == "about 14 days"

"""Tolerant readers of the node's JSON and of systemctl / pm2 output."""

from __future__ import annotations

import pytest

from nodectl.monitor.errors import BadReply
from nodectl.monitor.fluxos import api_base
from nodectl.monitor.models import BenchFigures, ChainInfo, FluxnodeStatus, ListEntry, as_int
from nodectl.monitor.services import parse_pm2_jlist, parse_systemctl_show


def test_api_base_forms() -> None:
    assert api_base("1.2.3.4") == "http://1.2.3.4:16127"
    assert api_base("1.2.3.4:16137") == "http://1.2.3.4:16137"
    assert api_base("2001:db8::1") == "http://[2001:db8::1]:16127"
    assert api_base("[2001:db8::1]:16147") == "http://[2001:db8::1]:16147"
    assert api_base("http://127.0.0.1:5000/") == "http://127.0.0.1:5000"


@pytest.mark.parametrize("value", [None, [], "x", 3, {"blocks": "tall"}, {"blocks": True}])
def test_chain_info_rejects_garbage(value) -> None:
    with pytest.raises(BadReply):
        ChainInfo.from_json("fluxd", value)


def test_status_types_as_fluxd_really_sends_them() -> None:
    status = FluxnodeStatus.from_json("fluxd", {
        "status": "CONFIRMED", "outidx": 1, "last_confirmed_height": "2000",
        "last_paid_height": 0, "tier": "nimbus", "lastpaid": 0, "ip": "",
    })
    assert status.outidx == "1" and status.last_confirmed_height == 2000
    assert status.tier == "NIMBUS" and status.ip is None and status.last_paid_height == 0
    with pytest.raises(BadReply):
        FluxnodeStatus.from_json("fluxd", {"collateral": "x"})


def test_list_pick_matches_txid_and_outidx() -> None:
    reply = [{"txhash": "aa", "outidx": "1", "rank": 5}, "junk",
             {"txhash": "aa", "outidx": "0", "rank": "7", "tier": "CUMULUS"}]
    entry = ListEntry.pick(reply, "aa", "0")
    assert entry is not None and entry.rank == 7
    assert ListEntry.pick([], "aa", "0") is None
    with pytest.raises(BadReply):
        ListEntry.pick({"error": 1}, "aa", "0")


def test_bench_figures_field_names() -> None:
    assert BenchFigures.from_json("x", {"diskwritespeed": "500.5"}).dws == 500.5
    assert BenchFigures.from_json("x", {"ddwrite": 300}).dws == 300.0
    assert BenchFigures.from_json("x", {}).eps is None
    assert as_int(2.5) is None and as_int("-3") == -3


def test_systemctl_show() -> None:
    unit = parse_systemctl_show("mongod", "LoadState=loaded\nActiveState=failed\nSubState=failed\n")
    assert unit.exists and not unit.running
    missing = parse_systemctl_show("docker", "LoadState=not-found\nActiveState=inactive\n")
    assert not missing.exists
    assert not parse_systemctl_show("x", "garbage").exists


def test_pm2_jlist_with_notice_before_the_json() -> None:
    text = ('[PM2] Spawning PM2 daemon\n[{"name":"watchdog","pm2_env":{"status":"online",'
            '"pm_cwd":"/home/flux/watchdog","pm_exec_path":"/home/flux/watchdog/watchdog.js",'
            '"watch":true,"ignore_watch":[".git","node_modules"],"restart_time":3}},'
            '{"name":"flux","pm2_env":"weird"}, 7]')
    procs = parse_pm2_jlist(text)
    wd = procs["watchdog"]
    assert wd.online and wd.cwd == "/home/flux/watchdog" and wd.ignore_watch == (".git",
                                                                                "node_modules")
    assert procs["flux"].status == "" and not procs["flux"].online
    with pytest.raises(BadReply):
        parse_pm2_jlist("pm2: command failed")

"""fluxnode.conf import/export (wallet/nodes/conf.py)."""

import stat
from pathlib import Path

import pytest

from flux.networks import MAINNET, TESTNET
from flux.ports import MAINNET_PORTS
from wallet.fluxnode import create_identity_key
from wallet.nodes.conf import (
    ConfError,
    format_conf,
    merge_entries,
    parse_conf,
    read_conf,
    write_conf,
)
from wallet.storage.model import NodeEntry

A, B = "a" * 64, "B" * 64
KEY = create_identity_key().to_wif(MAINNET)
KEY2 = create_identity_key(compressed=True).to_wif(MAINNET)


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    nodes = [NodeEntry("home", A, 1, KEY, "203.0.113.7"), NodeEntry("vps", B, 0, KEY2, ""),
             NodeEntry("nokey", "c" * 64, 0)]
    path = tmp_path / "fluxnode.conf"
    write_conf(path, nodes, MAINNET)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"home 203.0.113.7:16125 {KEY} {A} 1\n" in text
    assert f"vps 0.0.0.0:{MAINNET_PORTS.p2p} {KEY2} {B.lower()} 0\n" in text
    assert "nokey" not in text  # fluxd needs a key on every line
    entries = read_conf(path, MAINNET)
    assert [(e.alias, e.ip, e.port, e.identity_wif, e.outpoint) for e in entries] == [
        ("home", "203.0.113.7", 16125, KEY, (A, 1)), ("vps", "", 16125, KEY2, (B.lower(), 0))]
    back: list[NodeEntry] = []
    result = merge_entries(back, entries, now=7)
    assert result.added == ("home", "vps") and result.skipped == ()
    assert format_conf(back, MAINNET) == text
    assert back[0].identity_source == "imported" and back[0].created_at == 7
    again = merge_entries(back, entries)
    assert again.added == () and [a for a, _ in again.skipped] == ["home", "vps"]


def test_comments_blank_lines_and_ipv6() -> None:
    text = f"# zelnode.conf\n\n  mn1 [2001:db8::1]:16125 {KEY} {A} 0  # main\n"
    (entry,) = parse_conf(text, MAINNET)
    assert entry.ip == "2001:db8::1"
    assert format_conf([NodeEntry("mn1", A, 0, KEY, entry.ip)], MAINNET).endswith(
        f"mn1 [2001:db8::1]:16125 {KEY} {A} 0\n")


@pytest.mark.parametrize(
    ("line", "match"),
    [(f"mn1 1.2.3.4:16125 {KEY} {A}", "has 4 fields"),
     (f"mn1 1.2.3.4:16124 {KEY} {A} 0", "port 16124 is not allowed on mainnet"),
     (f"mn1 1.2.3.4 {KEY} {A} 0", "is not IP:port"),
     (f"mn1 host.example:16125 {KEY} {A} 0", "not an IP address"),
     (f"mn1 1.2.3.4:16125 notakey {A} 0", "not a WIF"),
     (f"mn1 1.2.3.4:16125 {KEY} {A[:60]} 0", "64 hexadecimal"),
     (f"mn1 1.2.3.4:16125 {KEY} {A} -1", "not a whole number"),
     (f"m/n 1.2.3.4:16125 {KEY} {A} 0", "alias"),
     (f"mn1 1.2.3.4:16125 {create_identity_key().to_wif(TESTNET)} {A} 0", "testnet key")],
)
def test_malformed_lines_are_typed_errors_naming_the_line(line: str, match: str) -> None:
    with pytest.raises(ConfError, match=match) as caught:
        parse_conf(f"# header\n{line}\n", MAINNET, source="zelnode.conf")
    assert caught.value.line == 2
    assert "zelnode.conf line 2" in str(caught.value)
    assert KEY not in str(caught.value)


def test_repeated_alias_or_collateral_is_refused() -> None:
    with pytest.raises(ConfError, match="line 2 repeats the alias of line 1"):
        parse_conf(f"a 0.0.0.0:16125 {KEY} {A} 0\na 0.0.0.0:16125 {KEY2} {A} 1\n", MAINNET)
    with pytest.raises(ConfError, match="repeats the collateral"):
        parse_conf(f"a 0.0.0.0:16125 {KEY} {A} 0\nb 0.0.0.0:16125 {KEY2} {A.upper()} 0\n",
                   MAINNET)


def test_testnet_uses_its_own_port_and_refuses_the_mainnet_one(tmp_path: Path) -> None:
    key = create_identity_key().to_wif(TESTNET)
    (entry,) = parse_conf(f"t 0.0.0.0:26125 {key} {A} 0", TESTNET)
    assert entry.port == 26125
    with pytest.raises(ConfError, match="not allowed on testnet"):
        parse_conf(f"t 0.0.0.0:16125 {key} {A} 0", TESTNET)


def test_binary_or_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fluxnode.conf"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfError, match="not a text file"):
        read_conf(path, MAINNET)

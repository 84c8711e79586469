from pathlib import Path

import pytest

from flux.errors import ConfAuthError, ConfError
from flux.fluxconf import (
    default_conf_path,
    last_value,
    parse_conf,
    parse_flux_conf,
    read_flux_conf,
    render_conf,
)

# The layout the multitoolbox installer writes (docs/node-ops.md), shortened.
MULTITOOL_CONF = """\
rpcuser=ab12cd34
rpcpassword=Zx9pQ2rT7vW4yB6nM8kL
rpcallowip=127.0.0.1
rpcallowip=172.18.0.1
rpcport=16124
port=16125
zelnode=1
zelnodeprivkey=5JsecretIdentityKeyNotForLogs
server=1
daemon=1
txindex=1
addressindex=1
insightexplorer=1
experimentalfeatures=1
bind=0.0.0.0
# comment line
addnode=explorer.runonflux.io
"""


def test_multitool_conf() -> None:
    cfg = parse_flux_conf(MULTITOOL_CONF, source="/home/u/.flux/flux.conf")
    assert (cfg.user, cfg.password, cfg.port, cfg.host) == (
        "ab12cd34",
        "Zx9pQ2rT7vW4yB6nM8kL",
        16124,
        "127.0.0.1",
    )
    assert cfg.allow_ips == ("127.0.0.1", "172.18.0.1")
    assert cfg.network == "mainnet" and cfg.url == "http://127.0.0.1:16124/"
    assert "Zx9pQ2rT7vW4yB6nM8kL" not in repr(cfg)


def test_testnet_defaults_and_overrides() -> None:
    cfg = parse_flux_conf("testnet=1\nrpcuser=u\nrpcpassword=p  # trailing comment\n")
    assert (cfg.network, cfg.port, cfg.password) == ("testnet", 26124, "p")
    cfg = parse_flux_conf("regtest=1\nrpcuser=u\nrpcpassword=p\nrpcport=1234\nrpcbind=::1\n")
    assert (cfg.network, cfg.port, cfg.host, cfg.url) == (
        "regtest",
        1234,
        "::1",
        "http://[::1]:1234/",
    )
    cfg = parse_flux_conf(
        "testnet=0\nrpcuser=u\nrpcpassword=a\nrpcpassword=b\nrpcbind=10.0.0.5:16124\n"
    )
    assert (cfg.network, cfg.password, cfg.host) == ("mainnet", "b", "10.0.0.5")


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1"])
def test_bad_port(port: str) -> None:
    with pytest.raises(ConfError, match="not a port"):
        parse_flux_conf(f"rpcuser=u\nrpcpassword=p\nrpcport={port}\n")


def test_cookie_fallback(tmp_path: Path) -> None:
    (tmp_path / "testnet").mkdir()
    (tmp_path / "testnet" / ".cookie").write_text("__cookie__:c00kie")
    (tmp_path / "flux.conf").write_text("testnet=1\nserver=1\n")
    cfg = read_flux_conf(tmp_path / "flux.conf")
    assert (cfg.user, cfg.password, cfg.source) == (
        "__cookie__",
        "c00kie",
        str(tmp_path / "flux.conf"),
    )


def test_no_password_and_no_cookie(tmp_path: Path) -> None:
    (tmp_path / "flux.conf").write_text("server=1\n")
    with pytest.raises(ConfAuthError, match="no rpcpassword"):
        read_flux_conf(tmp_path / "flux.conf")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfError, match=r"No flux\.conf"):
        read_flux_conf(tmp_path / "nope.conf")


def test_default_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXD_CONFIG_PATH", str(tmp_path / "x.conf"))
    assert default_conf_path() == tmp_path / "x.conf"
    monkeypatch.delenv("FLUXD_CONFIG_PATH")
    monkeypatch.delenv("FLUXD_DATADIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_conf_path() == tmp_path / ".flux" / "flux.conf"
    (tmp_path / ".zelcash").mkdir()
    (tmp_path / ".zelcash" / "zelcash.conf").write_text("")
    assert default_conf_path() == tmp_path / ".zelcash" / "zelcash.conf"


def test_reader_keeps_every_value_in_order_and_the_last_one_counts() -> None:
    values = parse_conf(MULTITOOL_CONF + "RPCPORT=26124\nnot a setting\n=x\n")
    assert values["rpcallowip"] == ["127.0.0.1", "172.18.0.1"]
    assert last_value(values, "rpcport") == "26124"
    assert last_value(values, "addnode") == "explorer.runonflux.io"
    assert last_value(values, "testnet") is None
    assert "comment line" not in str(values) and "not a setting" not in str(values)


def test_writer_round_trips_through_the_reader() -> None:
    entries = [("rpcuser", "u"), ("addnode", "a.example"), ("addnode", "b.example"), ("port", "1")]
    text = render_conf(entries)
    assert text == "rpcuser=u\naddnode=a.example\naddnode=b.example\nport=1\n"
    assert parse_conf(text) == {"rpcuser": ["u"], "addnode": ["a.example", "b.example"],
                                "port": ["1"]}


@pytest.mark.parametrize(
    ("key", "value"),
    [("rpcuser", "u\nrpcallowip=0.0.0.0/0"), ("rpcpassword", "p#x"), ("a b", "1"), ("", "1"),
     ("=x", "1"), ("k", "v\r")],
)
def test_writer_refuses_what_would_smuggle_in_a_setting(key: str, value: str) -> None:
    with pytest.raises(ConfError):
        render_conf([(key, value)])

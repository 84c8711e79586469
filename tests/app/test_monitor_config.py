"""Monitor settings, node addresses, alert-setting checks and finding the local node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.monitor_config import (
    BadAlertSetting,
    BadNodeAddress,
    MonitorSettings,
    check_alert_settings,
    normalise_address,
)
from app.monitor_wiring import FluxConfError, find_local_node, remote_watch
from nodectl.monitor.alerts.channels import TELEGRAM_API
from tests.sim.nodeapi.notify import BOT_TOKEN


@pytest.mark.parametrize(("typed", "kept"), [
    ("203.0.113.5", "203.0.113.5"), (" 203.0.113.5:16127 ", "203.0.113.5"),
    ("203.0.113.5:16137", "203.0.113.5:16137"), ("2001:db8::1", "2001:db8::1"),
    ("[2001:db8::1]:16137", "[2001:db8::1]:16137"), ("[2001:db8::1]", "2001:db8::1"),
])
def test_addresses_are_normalised(typed: str, kept: str) -> None:
    assert normalise_address(typed) == kept


@pytest.mark.parametrize("typed", ["node.example", "1.2.3.4:0", "1.2.3.4:99999", "[::1",
                                   "1.2.3.4:abc", "300.1.1.1", "", "[::1]x"])
def test_bad_addresses_are_refused_in_words(typed: str) -> None:
    with pytest.raises(BadNodeAddress, match="is not a node address"):
        normalise_address(typed)


def test_settings_fall_back_instead_of_failing() -> None:
    loaded = MonitorSettings.from_dict({
        "interval_s": 1, "debounce_s": "soon", "remote_nodes": ["1.2.3.4", "1.2.3.4:16127",
                                                                  "bad", "5.6.7.8:16137"],
        "notify_desktop": 1, "telegram_api": "http://evil.example", "label": 7})
    assert loaded.interval_s == 10.0 and loaded.debounce_s == MonitorSettings().debounce_s
    assert loaded.remote_nodes == ["1.2.3.4", "5.6.7.8:16137"]
    assert loaded.notify_desktop is True and loaded.label == ""
    assert loaded.telegram_api == TELEGRAM_API  # a secret never goes to plain http elsewhere
    assert MonitorSettings.from_dict("nonsense") == MonitorSettings()
    assert MonitorSettings.from_dict(loaded.to_dict()) == loaded


def test_alert_settings_are_checked_without_echoing_secrets() -> None:
    check_alert_settings("42", BOT_TOKEN, "https://discord.com/api/webhooks/1/abc")
    check_alert_settings("@my_channel", None, "http://127.0.0.1:8/api/webhooks/1/abc")
    for chat, token, hook in [("42", "not-a-token-secret", None), ("forty", None, None),
                              ("", None, "http://discord.com/api/webhooks/1/secret-x"),
                              ("", None, "https://example.com/secret-y")]:
        with pytest.raises(BadAlertSetting) as caught:
            check_alert_settings(chat, token, hook)
        assert "secret" not in str(caught.value)


def write_conf(home: Path, text: str) -> Path:
    conf = home / ".flux" / "flux.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(text)
    return conf


def test_local_node_from_flux_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("FLUXD_CONFIG_PATH", raising=False)
    monkeypatch.delenv("FLUXD_DATADIR", raising=False)
    home.mkdir()
    assert find_local_node(MonitorSettings(), data) is None  # nothing installed
    conf = write_conf(home, "rpcuser=u\nrpcpassword=p\nrpcport=16124\n")
    node = find_local_node(MonitorSettings(label="n1"), data)
    assert node is not None and node.rpc is not None and node.rpc.port == 16124
    assert node.is_own_user and node.api == "127.0.0.1:16127" and node.label == "n1"
    assert node.context.watchdog_dir == str(home / "watchdog")
    assert node.context.data_path == str(conf.parent)
    conf.write_text("rpcuser=u\nrpcpassword=p\nrpcport=nope\n")
    with pytest.raises(FluxConfError, match="rpcport"):
        find_local_node(MonitorSettings(), data)


def test_installed_for_another_user_is_watched_through_fluxos(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.delenv("FLUXD_CONFIG_PATH", raising=False)
    state = tmp_path / "data" / "node-install" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"version": 1, "steps": {}, "meta": {
        "user": "fluxnode-test-nobody", "tier": "nimbus", "api_port": 16137,
        "label": "rack-2"}}))
    node = find_local_node(MonitorSettings(), tmp_path / "data")
    assert node is not None and node.rpc is None and "flux.conf" in (node.note or "")
    assert node.conf == Path("/home/fluxnode-test-nobody/.flux/flux.conf")
    assert (node.api, node.label, node.context.collateral_tier) == ("127.0.0.1:16137",
                                                                     "rack-2", "NIMBUS")
    assert not node.is_own_user


def test_closed_home_counts_as_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node user's home closed to us: flux.conf may exist, we cannot tell or read it."""
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.setenv("FLUXD_CONFIG_PATH", str(tmp_path / "closed" / "flux.conf"))
    real_exists = Path.exists

    def exists(self: Path) -> bool:
        if "closed" in self.parts:
            raise PermissionError(13, "Permission denied")
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", exists)
    node = find_local_node(MonitorSettings(), tmp_path / "data")
    assert node is not None and node.rpc is None and "cannot read" in (node.note or "")


def test_remote_store_folder_is_a_plain_name(tmp_path: Path) -> None:
    watched = remote_watch("[2001:db8::1]:16137", tmp_path)
    folder = watched.watch.store.path.parent
    assert folder.parent == tmp_path / "node-monitor" and folder.name == "_2001_db8__1__16137"

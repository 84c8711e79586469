import json

import pytest

from app import settings
from app.settings import (
    SCHEMA_VERSION,
    BenchSettings,
    ServerSettings,
    Settings,
    SettingsError,
    UiSettings,
)


def test_missing_file_gives_defaults(data_dir):
    loaded = settings.load(data_dir)
    assert loaded == Settings()


def test_round_trip(data_dir):
    original = Settings(
        network="testnet",
        ui=UiSettings(theme="dark", close_to_tray=True, window_geometry="AAA="),
        servers=ServerSettings(insight={"testnet": ["https://a.example/api"]},
                               use_local_node=False, flux_conf="/srv/flux.conf"),
        bench=BenchSettings(download_urls=["https://dl.example/f"]),
    )
    settings.save(data_dir, original)
    doc = json.loads((data_dir / "settings.json").read_text())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert settings.load(data_dir) == original
    assert (data_dir / "settings.json").stat().st_mode & 0o777 == 0o600


def test_v1_file_is_upgraded(data_dir):
    (data_dir / "settings.json").write_text(
        json.dumps({"schema_version": 1, "network": "regtest", "dark_mode": True})
    )
    loaded = settings.load(data_dir)
    assert loaded.ui.theme == "dark"
    assert loaded.network == "regtest"


def test_v2_file_with_extra_bag_becomes_typed_sections(data_dir, caplog):
    (data_dir / "settings.json").write_text(json.dumps({
        "schema_version": 2, "network": "testnet", "theme": "light", "start_minimised": True,
        "close_to_tray": True, "window_geometry": "AAA=", "last_page": "wallet-send",
        "extra": {
            "insight_servers": {"testnet": ["https://t.example/api"]},
            "bench_download_urls": ["https://dl.example/f"],
            "bench_upload_urls": ["https://up.example/u"],
            "something_old": 1,
        },
    }))
    loaded = settings.load(data_dir)
    assert loaded == Settings(
        network="testnet",
        ui=UiSettings(theme="light", start_minimised=True, close_to_tray=True,
                      window_geometry="AAA=", last_page="wallet-send"),
        servers=ServerSettings(insight={"testnet": ["https://t.example/api"]}),
        bench=BenchSettings(download_urls=["https://dl.example/f"],
                            upload_urls=["https://up.example/u"]),
    )
    assert "extra.something_old" in caplog.text
    settings.save(data_dir, loaded)
    doc = json.loads((data_dir / "settings.json").read_text())
    assert "extra" not in doc and doc["schema_version"] == SCHEMA_VERSION
    assert doc["servers"]["insight"] == {"testnet": ["https://t.example/api"]}


@pytest.mark.parametrize("doc", [
    {"schema_version": 3, "ui": {"close_to_tray": "yes"}},
    {"schema_version": 3, "servers": {"insight": {"mainnet": "https://a.example/api"}}},
    {"schema_version": 3, "servers": {"insight": {"moon": ["https://a.example/api"]}}},
    {"schema_version": 3, "servers": {"insight": {"mainnet": ["ftp://a.example"]}}},
    {"schema_version": 3, "bench": []},
])
def test_wrongly_typed_values_are_refused(doc):
    with pytest.raises(SettingsError):
        settings.from_dict(doc)


def test_newer_schema_is_refused_with_a_clear_message():
    with pytest.raises(SettingsError, match="newer FluxDesk"):
        settings.from_dict({"schema_version": SCHEMA_VERSION + 1})


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"network": "moon"}', b"\xff\xfe"])
def test_damaged_file_is_set_aside_not_lost(data_dir, content):
    (data_dir / "settings.json").write_bytes(content)
    assert settings.load(data_dir) == Settings()
    assert (data_dir / "settings.json.damaged").read_bytes() == content


def test_invalid_values_are_refused_on_save(data_dir):
    with pytest.raises(SettingsError, match="Unknown theme"):
        settings.save(data_dir, Settings(ui=UiSettings(theme="neon")))
    assert not (data_dir / "settings.json").exists()

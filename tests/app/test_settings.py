import json

import pytest

from app import settings
from app.settings import SCHEMA_VERSION, Settings, SettingsError


def test_missing_file_gives_defaults(data_dir):
    loaded = settings.load(data_dir)
    assert loaded == Settings()


def test_round_trip(data_dir):
    original = Settings(network="testnet", theme="dark", close_to_tray=True, window_geometry="AAA=")
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
    assert loaded.theme == "dark"
    assert loaded.network == "regtest"


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
        settings.save(data_dir, Settings(theme="neon"))
    assert not (data_dir / "settings.json").exists()

"""Typed user settings, one dataclass per section, with a schema version and upgrade functions.

Settings live in ``settings.json`` in the data directory. Each schema change bumps
``SCHEMA_VERSION`` and adds an upgrade function from the previous version, so an old file is
carried forward instead of being reset. Every value has a declared type; there is no free-form bag.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from flux.fileio import atomic_write_text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
NETWORKS = ("mainnet", "testnet", "regtest")
THEMES = ("system", "light", "dark")
FILE_NAME = "settings.json"


class SettingsError(Exception):
    """A settings value that cannot be accepted."""


@dataclass
class UiSettings:
    theme: str = "system"
    start_minimised: bool = False
    close_to_tray: bool = False
    window_geometry: str = ""
    last_page: str = ""


@dataclass
class ServerSettings:
    """The servers the wallet talks to, shared by the CLI and the GUI."""

    # Insight API base URLs per network; a network without an entry uses the built-in list.
    insight: dict[str, list[str]] = field(default_factory=dict)
    # Prefer a local fluxd (synced, with the address index) over Insight when one is found.
    use_local_node: bool = True
    # flux.conf of that fluxd; empty means the platform's default place (~/.flux/flux.conf).
    flux_conf: str = ""

    def insight_for(self, network: str) -> list[str]:
        return list(self.insight.get(network, ()))


@dataclass
class BenchSettings:
    """Where the benchmark measures download and upload speed; empty lists use the defaults."""

    download_urls: list[str] = field(default_factory=list)
    upload_urls: list[str] = field(default_factory=list)


@dataclass
class Settings:
    network: str = "mainnet"
    ui: UiSettings = field(default_factory=UiSettings)
    servers: ServerSettings = field(default_factory=ServerSettings)
    bench: BenchSettings = field(default_factory=BenchSettings)
    # The node monitor's section; app/monitor_config.MonitorSettings checks each value.
    node_monitor: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.network not in NETWORKS:
            raise SettingsError(
                f"Unknown network {self.network!r}; choose one of {', '.join(NETWORKS)}."
            )
        if self.ui.theme not in THEMES:
            raise SettingsError(
                f"Unknown theme {self.ui.theme!r}; choose one of {', '.join(THEMES)}."
            )
        for network, urls in self.servers.insight.items():
            if network not in NETWORKS:
                raise SettingsError(f"Insight servers for unknown network {network!r}.")
            _check_urls(f"servers.insight.{network}", urls)
        _check_urls("bench.download_urls", self.bench.download_urls)
        _check_urls("bench.upload_urls", self.bench.upload_urls)


def _check_urls(name: str, urls: list[str]) -> None:
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SettingsError(f"Setting {name} must list http:// or https:// addresses only.")


# --- upgrades --------------------------------------------------------------------------------


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    # v1 had a single "dark_mode" flag; v2 has a three-way theme that can follow the system.
    dark = doc.pop("dark_mode", None)
    doc["theme"] = "dark" if dark else "system"
    return doc


_V2_UI = ("theme", "start_minimised", "close_to_tray", "window_geometry", "last_page")
_V2_EXTRA_MOVES = {
    "insight_servers": ("servers", "insight"),
    "bench_download_urls": ("bench", "download_urls"),
    "bench_upload_urls": ("bench", "upload_urls"),
}


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    # v2 was flat with a free-form "extra" dict; v3 has typed sections.
    ui = {key: doc.pop(key) for key in _V2_UI if key in doc}
    extra = doc.pop("extra", {})
    if not isinstance(extra, dict):
        raise SettingsError(f"settings.json: extra should be an object, not {type(extra).__name__}")
    sections: dict[str, dict[str, Any]] = {"ui": ui, "servers": {}, "bench": {}}
    for key, value in extra.items():
        if key == "node_monitor" and isinstance(value, dict):
            doc["node_monitor"] = value
        elif key in _V2_EXTRA_MOVES:
            section, name = _V2_EXTRA_MOVES[key]
            sections[section][name] = value
        else:
            log.warning("settings: dropped the unknown entry extra.%s", key)
    doc.update(sections)
    return doc


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(doc: dict[str, Any]) -> dict[str, Any]:
    version = doc.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SettingsError(f"settings.json has an impossible schema_version {version!r:.40}")
    if version > SCHEMA_VERSION:
        raise SettingsError(
            f"settings.json was written by a newer FluxDesk (schema {version}); "
            "update FluxDesk or start with a fresh --data-dir."
        )
    while version < SCHEMA_VERSION:
        doc = UPGRADES[version](doc)
        version += 1
    doc["schema_version"] = version
    return doc


# --- reading and writing ---------------------------------------------------------------------


def _object(doc: object, name: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise SettingsError(f"Section {name!r} of settings.json is not an object.")
    return doc


def _section(cls: type[Any], doc: object, name: str) -> Any:
    """Build one section dataclass, checking each value against its default's type."""
    if not isinstance(doc, dict):
        raise SettingsError(f"Section {name!r} of settings.json is not an object.")
    default = cls()
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in doc:
            continue
        value, expected = doc[f.name], type(getattr(default, f.name))
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise SettingsError(
                f"Setting {name}.{f.name} must be {expected.__name__}, not {value!r}."
            )
        values[f.name] = value
    unknown = set(doc) - {f.name for f in fields(cls)}
    if unknown:
        log.warning("settings: ignored unknown entries %s in %s", sorted(unknown), name)
    return cls(**values)


def from_dict(doc: dict[str, Any]) -> Settings:
    doc = upgrade(dict(doc))
    network = doc.get("network", "mainnet")
    if not isinstance(network, str):
        raise SettingsError(f"Setting network must be a name, not {network!r}.")
    insight = doc.get("servers", {}).get("insight", {}) if isinstance(
        doc.get("servers"), dict) else {}
    if not isinstance(insight, dict) or not all(isinstance(v, list) for v in insight.values()):
        raise SettingsError("Setting servers.insight must map each network to a list of URLs.")
    settings = Settings(
        network=network,
        ui=_section(UiSettings, doc.get("ui", {}), "ui"),
        servers=_section(ServerSettings, doc.get("servers", {}), "servers"),
        bench=_section(BenchSettings, doc.get("bench", {}), "bench"),
        node_monitor=_object(doc.get("node_monitor", {}), "node_monitor"),
    )
    settings.validate()
    return settings


def to_dict(settings: Settings) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, **asdict(settings)}


def load(data_dir: Path, notices: list[str] | None = None) -> Settings:
    """Read settings; a missing file gives defaults, a damaged one is set aside.

    What the person should be told (a file set aside) is appended to `notices`.
    """
    path = data_dir / FILE_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise SettingsError("settings.json does not hold an object")
        return from_dict(doc)
    # ValueError: bad JSON or UTF-8; RecursionError: absurdly deep nesting.
    except (ValueError, TypeError, RecursionError, SettingsError) as exc:
        backup = path.with_suffix(".json.damaged")
        path.replace(backup)
        backup.chmod(0o600)
        reason = str(exc) if isinstance(exc, SettingsError) else type(exc).__name__
        message = (
            f"settings.json could not be used ({reason:.200}); it was kept as {backup} and "
            "FluxDesk started with default settings."
        )
        log.warning("%s", message)
        if notices is not None:
            notices.append(message)
        return Settings()


def save(data_dir: Path, settings: Settings) -> None:
    settings.validate()
    text = json.dumps(to_dict(settings), indent=2, sort_keys=True) + "\n"
    atomic_write_text(data_dir / FILE_NAME, text)

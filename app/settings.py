"""Typed user settings with a schema version and upgrade functions.

Settings live in ``settings.json`` in the data directory. Each schema change bumps
``SCHEMA_VERSION`` and adds an upgrade function from the previous version, so an old file is
carried forward instead of being reset.
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

SCHEMA_VERSION = 2
NETWORKS = ("mainnet", "testnet", "regtest")
THEMES = ("system", "light", "dark")
FILE_NAME = "settings.json"


class SettingsError(Exception):
    """A settings value that cannot be accepted."""


@dataclass
class Settings:
    network: str = "mainnet"
    theme: str = "system"
    start_minimised: bool = False
    close_to_tray: bool = False
    window_geometry: str = ""
    last_page: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.network not in NETWORKS:
            raise SettingsError(
                f"Unknown network {self.network!r}; choose one of {', '.join(NETWORKS)}."
            )
        if self.theme not in THEMES:
            raise SettingsError(f"Unknown theme {self.theme!r}; choose one of {', '.join(THEMES)}.")


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    # v1 had a single "dark_mode" flag; v2 has a three-way theme that can follow the system.
    dark = doc.pop("dark_mode", None)
    doc["theme"] = "dark" if dark else "system"
    return doc


UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


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


def from_dict(doc: dict[str, Any]) -> Settings:
    doc = upgrade(dict(doc))
    defaults = Settings()
    values = {}
    for f in fields(Settings):
        if f.name not in doc:
            continue
        expected = type(getattr(defaults, f.name))
        value = doc[f.name]
        if type(value) is not expected:
            raise SettingsError(
                f"settings.json: {f.name} should be {expected.__name__}, "
                f"not {type(value).__name__}"
            )
        values[f.name] = value
    settings = Settings(**values)
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

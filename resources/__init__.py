"""Icons, stylesheets and the desktop file, loaded through one helper (works when frozen)."""

from __future__ import annotations

import sys
from pathlib import Path


def base_dir() -> Path:
    # PyInstaller unpacks data next to the executable under _MEIPASS; from source it is this folder.
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent


def path(name: str) -> Path:
    """Absolute path of a bundled resource; raises FileNotFoundError naming it when absent."""
    candidate = base_dir() / name
    if not candidate.is_file():
        raise FileNotFoundError(f"bundled resource missing: {name} (looked in {base_dir()})")
    return candidate


def read_text(name: str) -> str:
    return path(name).read_text(encoding="utf-8")

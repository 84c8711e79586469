"""What every command and the GUI receive from the composition root."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.settings import Settings


@dataclass
class AppContext:
    data_dir: Path
    network: str
    settings: Settings
    log_path: Path
    logger: logging.Logger

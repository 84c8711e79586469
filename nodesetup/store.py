"""The flow's state file: JSON in the data dir, written atomically with mode 0600.

It holds no secret (the identity key lives in the wallet), but it names the collateral, so it is
private to the user all the same. A damaged file is kept aside, never lost, and the flow starts
over: every step finds what an earlier run did (the coin, the node entry, the installed steps).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from pathlib import Path

from flux.fileio import atomic_write_bytes
from nodesetup.model import SetupState

log = logging.getLogger(__name__)
FILE_NAME = "node-setup.json"


class SetupStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SetupStore:
        return cls(data_dir / FILE_NAME)

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> SetupState:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            return SetupState.from_json(raw)
        except FileNotFoundError:
            return SetupState()
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
            aside = self.path.with_name(f"{self.path.name}.damaged-{time.time_ns()}")
            with contextlib.suppress(OSError):
                self.path.replace(aside)
            log.warning("The node setup state was unreadable (%s); kept as %s and started "
                        "over", type(exc).__name__, aside.name)
            return SetupState()

    def save(self, state: SetupState) -> None:
        state.updated_at = time.time()
        data = json.dumps(state.to_json(), indent=1, sort_keys=True).encode()
        atomic_write_bytes(self.path, data, mode=0o600)

    def mark_paused(self) -> None:
        """Remember that the person paused the run (no automatic resume at the next start)."""
        if self.exists():
            state = self.load()
            state.paused = True
            self.save(state)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

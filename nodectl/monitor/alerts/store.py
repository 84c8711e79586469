"""The alert history and the IP history, kept across restarts in one JSON file in the data dir.

Written atomically (temp file, fsync, rename) so a crash leaves the old file or the new one; a
damaged file is set aside and monitoring starts fresh rather than failing.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from flux.fileio import atomic_write_text
from nodectl.monitor.alerts.events import DEFAULT_DEBOUNCE_S, EventTracker
from nodectl.monitor.ipwatch import IpHistory

log = logging.getLogger(__name__)
FILE_NAME = "node-monitor.json"
VERSION = 1


class MonitorStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def load(self, debounce_s: float = DEFAULT_DEBOUNCE_S) -> tuple[EventTracker, IpHistory]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            doc = {}
        except (OSError, ValueError):
            aside = self.path.with_suffix(".damaged")
            log.warning("Monitor history %s is unreadable; kept as %s and started afresh.",
                        self.path, aside)
            os.replace(self.path, aside)
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        return (EventTracker.from_json(doc.get("alerts"), debounce_s),
                IpHistory.from_json(doc.get("ip")))

    def save(self, tracker: EventTracker, ips: IpHistory) -> None:
        doc = {"version": VERSION, "alerts": tracker.to_json(), "ip": ips.to_json()}
        atomic_write_text(self.path, json.dumps(doc, indent=1))

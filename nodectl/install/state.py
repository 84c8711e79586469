"""Install progress persisted in the data dir, so a rerun skips what already finished.

No secret is stored: a step is identified by a fingerprint (SHA-256) of what it would do,
so changing an input (say the collateral) makes the affected steps run again.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flux.fileio import atomic_write_bytes

STATE_VERSION = 1


@dataclass
class StepRecord:
    status: str  # "running" | "done" | "failed"
    fingerprint: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0
    message: str = ""
    fix: str = ""
    tail: list[str] = field(default_factory=list)


class InstallState:
    def __init__(self, path: Path, steps: dict[str, StepRecord] | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.path = path
        self.steps: dict[str, StepRecord] = steps or {}
        # Public inputs of the last run (never the identity key), to prefill a resume.
        self.meta: dict[str, Any] = meta or {}

    @classmethod
    def load(cls, path: Path) -> InstallState:
        """Read the state; an unreadable file is kept aside (never lost) and a fresh one used."""
        try:
            raw = json.loads(path.read_text("utf-8"))
            if raw.get("version") != STATE_VERSION:
                raise ValueError("unknown state version")
            steps = {k: StepRecord(**v) for k, v in raw.get("steps", {}).items()}
            meta = raw.get("meta", {})
            if not isinstance(meta, dict):
                raise ValueError("bad meta")
        except FileNotFoundError:
            return cls(path)
        except (ValueError, TypeError, AttributeError, OSError):
            with contextlib.suppress(OSError):
                path.replace(path.with_name(path.name + f".broken-{int(time.time())}"))
            return cls(path)
        return cls(path, steps, meta)

    def save(self) -> None:
        data = {"version": STATE_VERSION, "meta": self.meta,
                "steps": {k: asdict(v) for k, v in self.steps.items()}}
        atomic_write_bytes(self.path, json.dumps(data, indent=1, sort_keys=True).encode())

    def is_done(self, step_id: str, fingerprint: str) -> bool:
        record = self.steps.get(step_id)
        return record is not None and record.status == "done" and \
            record.fingerprint == fingerprint

    def mark_running(self, step_id: str, fingerprint: str) -> None:
        self.steps[step_id] = StepRecord("running", fingerprint, started_at=time.time())
        self.save()

    def mark_done(self, step_id: str, fingerprint: str) -> None:
        record = self.steps.get(step_id) or StepRecord("done", fingerprint)
        record.status, record.fingerprint = "done", fingerprint
        record.finished_at = time.time()
        record.message, record.fix, record.tail = "", "", []
        self.steps[step_id] = record
        self.save()

    def mark_failed(self, step_id: str, message: str, fix: str, tail: list[str]) -> None:
        record = self.steps.get(step_id) or StepRecord("failed")
        record.status, record.message, record.fix = "failed", message, fix
        record.tail = tail[-40:]
        record.finished_at = time.time()
        self.steps[step_id] = record
        self.save()

    def remember(self, meta: dict[str, Any]) -> None:
        if meta != self.meta:
            self.meta = dict(meta)
            self.save()

    def forget(self, step_id: str) -> None:
        if self.steps.pop(step_id, None) is not None:
            self.save()

    def summary(self) -> dict[str, Any]:
        return {k: asdict(v) for k, v in self.steps.items()}

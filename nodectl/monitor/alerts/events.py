"""State changes → events, debounced so a flapping state sends one alert per period.

The monitor observes a set of keys each poll (the node state, each doctor rule on/off). A key's
change becomes an event at once unless that key already produced one within ``debounce_s``;
then it waits, and when the period ends the key's state at that moment is compared with the last
one reported: one event (saying how often it flapped), or none if it came back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from nodectl.monitor.dashboard import Dashboard
from nodectl.monitor.doctor import Finding

OFF = "off"
DEFAULT_DEBOUNCE_S = 900.0
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Observation:
    value: str
    severity: str  # "bad", "warn" or "ok"
    text: str  # what the alert says, in words


@dataclass(frozen=True)
class Event:
    at: float
    key: str
    old: str | None
    new: str
    severity: str
    text: str
    flaps: int = 0  # changes swallowed by the debounce before this event


def observe(board: Dashboard, findings: Iterable[Finding]) -> dict[str, Observation]:
    """What the alerts watch: the node's state in words and every doctor finding."""
    seen = {"state": Observation(board.state.state.value, board.state.level.value,
                                 board.state.words)}
    for finding in findings:
        seen[f"doctor:{finding.rule}"] = Observation(
            "on", finding.severity, f"{finding.cause} Next: {finding.next_step}")
    return seen


class EventTracker:
    def __init__(self, debounce_s: float = DEFAULT_DEBOUNCE_S) -> None:
        self.debounce_s = debounce_s
        self.reported: dict[str, str] = {}  # key -> last value an event (or the baseline) said
        self.last_event_at: dict[str, float] = {}
        self.pending: dict[str, tuple[Observation, int]] = {}  # held back: latest, changes seen
        self.history: list[Event] = []

    def update(self, seen: Mapping[str, Observation], now: float) -> list[Event]:
        """Events to deliver now. Doctor keys missing from ``seen`` are observed as resolved."""
        current = dict(seen)
        for key, value in self.reported.items():
            if key.startswith("doctor:") and key not in current and value != OFF:
                current[key] = Observation(OFF, "ok", f"Resolved: {key.removeprefix('doctor:')}.")
        for key in self.pending:
            if key not in current:
                current[key] = Observation(OFF, "ok", f"Resolved: {key.removeprefix('doctor:')}.")
        fresh: list[Event] = []
        for key, obs in current.items():
            baseline = self.reported.get(key)
            if baseline is None and not key.startswith("doctor:"):
                self.reported[key] = obs.value  # the first look is the baseline, not a change
                continue
            held = self.pending.get(key)
            changed = obs.value != (baseline or OFF)
            if held is None and not changed:
                continue
            quiet = now - self.last_event_at.get(key, float("-inf")) >= self.debounce_s
            if held is None:
                if quiet:
                    fresh.append(self._emit(key, baseline, obs, now, 0))
                else:
                    self.pending[key] = (obs, 1)
                continue
            flips = held[1] + (obs.value != held[0].value)
            if not quiet:
                self.pending[key] = (obs, flips)
                continue
            del self.pending[key]
            if changed:
                fresh.append(self._emit(key, baseline, obs, now, flips - 1))
        return fresh

    def _emit(self, key: str, old: str | None, obs: Observation, now: float,
              flaps: int) -> Event:
        event = Event(now, key, old, obs.value, obs.severity, obs.text, flaps)
        self.reported[key] = obs.value
        self.last_event_at[key] = now
        self.history = [*self.history, event][-HISTORY_LIMIT:]
        return event

    def to_json(self) -> dict[str, Any]:
        return {"reported": dict(self.reported), "last_event_at": dict(self.last_event_at),
                "history": [asdict(e) for e in self.history]}

    @classmethod
    def from_json(cls, doc: Any, debounce_s: float = DEFAULT_DEBOUNCE_S) -> EventTracker:
        """A damaged file gives a fresh tracker (the history is a convenience, not money)."""
        tracker = cls(debounce_s)
        if not isinstance(doc, dict):
            return tracker
        reported, times = doc.get("reported"), doc.get("last_event_at")
        if isinstance(reported, dict):
            tracker.reported = {k: v for k, v in reported.items() if isinstance(v, str)}
        if isinstance(times, dict):
            tracker.last_event_at = {k: float(v) for k, v in times.items()
                                     if isinstance(v, int | float)}
        for item in doc.get("history") or []:
            try:
                tracker.history.append(Event(**item))
            except TypeError:
                continue
        return tracker

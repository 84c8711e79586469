"""Progress events the runner emits (the GUI and CLI only listen to these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    PLAN_START = "plan-start"
    STEP_START = "step-start"
    STEP_SKIP = "step-skip"
    STEP_DONE = "step-done"
    STEP_FAILED = "step-failed"
    COMMAND = "command"
    LOG = "log"
    PROGRESS = "progress"
    PLAN_DONE = "plan-done"


@dataclass(frozen=True)
class Event:
    kind: Kind
    step_id: str = ""
    message: str = ""
    done: float = 0.0  # step-local progress, units given by ``unit``
    total: float = 0.0
    unit: str = ""
    overall: float = 0.0  # 0..1 across the whole plan, weighted by expected durations
    eta_s: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


EventSink = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """Default sink."""

"""Runs a plan on a Host: skip finished steps, report progress and ETA, retry, repair,
uninstall. The runner is the only place that touches :class:`InstallState`."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nodectl.install.events import Event, EventSink, Kind, ignore
from nodectl.install.facts import HostFacts
from nodectl.install.host import Host
from nodectl.install.params import InstallParams, NodeSecrets
from nodectl.install.state import InstallState
from nodectl.install.steps.base import (
    InstallContext,
    KeySource,
    Step,
    StepFailed,
    StepRun,
    WriteFile,
    execute,
)


@dataclass
class RunResult:
    ok: bool
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed_step: str = ""
    message: str = ""
    fix: str = ""
    tail: list[str] = field(default_factory=list)


async def make_context(host: Host, params: InstallParams, facts: HostFacts, *,
                       key_source: KeySource | None = None,
                       options: dict[str, Any] | None = None) -> InstallContext:
    """Context for a real run: RPC credentials reused from an existing flux.conf."""
    existing = await host.read_text(f"{params.home}/.flux/flux.conf")
    secrets = (NodeSecrets.from_flux_conf(existing) if existing else None) or \
        NodeSecrets.generate()
    return InstallContext(host, params, facts, secrets, key_source, dict(options or {}))


def fingerprint(step: Step, ctx: InstallContext) -> str:
    """Digest of what the step would do, real file contents included (never stored raw)."""
    digest = hashlib.sha256(json.dumps(step.describe(ctx).as_dict(), sort_keys=True).encode())
    for action in step.actions(ctx):
        if isinstance(action, WriteFile):
            digest.update(hashlib.sha256(action.content.encode()).digest())
    return digest.hexdigest()


class Runner:
    def __init__(self, steps: list[Step], ctx: InstallContext, state: InstallState,
                 emit: EventSink = ignore, clock: Callable[[], float] = time.monotonic) -> None:
        self.steps = steps
        self.ctx = ctx
        self.state = state
        self._emit = emit
        self._clock = clock
        self._total_weight = sum(s.weight for s in steps) or 1.0
        self._weight_before = 0.0
        self._run_weight = 0.0  # weight actually worked on in this run (for the ETA)
        self._started = 0.0
        self._current: Step | None = None
        self._last_overall = 0.0

    def _overall(self, local: float = 0.0) -> float:
        current = self._current.weight if self._current else 0.0
        return min(1.0, (self._weight_before + current * local) / self._total_weight)

    def _eta(self, local: float) -> float | None:
        current = self._current.weight if self._current else 0.0
        worked = self._run_weight + current * local
        if worked <= 0:
            return None
        elapsed = self._clock() - self._started
        remaining = self._total_weight - self._weight_before - current * local
        return max(0.0, elapsed * remaining / worked)

    def emit(self, event: Event) -> None:
        local = 0.0
        current_id = self._current.step_id if self._current else ""
        # Progress from a worker thread may land after its step ended: it moves nothing.
        if event.kind is Kind.PROGRESS and event.step_id == current_id:
            # Multi-phase steps (bootstrap) say where they are within the step themselves.
            fraction = event.extra.get("fraction")
            local = float(fraction) if isinstance(fraction, int | float) else \
                (event.done / event.total if event.total else 0.0)
        local = max(0.0, min(1.0, local))
        # Never let the overall bar move backwards (a step may restart a wait or a phase).
        self._last_overall = max(self._last_overall, self._overall(local))
        self._emit(Event(event.kind, event.step_id, event.message, event.done, event.total,
                         event.unit, self._last_overall,
                         event.eta_s if event.eta_s is not None else self._eta(local),
                         event.extra))

    async def run(self) -> RunResult:
        """Run every step not finished yet; stop at the first failure (state keeps it)."""
        result = RunResult(ok=True)
        self.state.remember(self.ctx.params.public_dict())
        self._started = self._clock()
        self._weight_before = self._run_weight = self._last_overall = 0.0
        self.emit(Event(Kind.PLAN_START, message=f"{len(self.steps)} steps"))
        for step in self.steps:
            self._current = step
            key = fingerprint(step, self.ctx)
            if self.state.is_done(step.step_id, key):
                result.skipped.append(step.step_id)
                self.emit(Event(Kind.STEP_SKIP, step.step_id, "finished earlier"))
            elif await self._already_done(step):
                self.state.mark_done(step.step_id, key)
                result.skipped.append(step.step_id)
                self.emit(Event(Kind.STEP_SKIP, step.step_id, "already in place"))
            else:
                failure = await self._apply(step, key)
                if failure is not None:
                    result.ok = False
                    result.failed_step = step.step_id
                    result.message, result.fix, result.tail = (
                        failure.message, failure.fix, list(failure.tail))
                    return result
                result.done.append(step.step_id)
                self._run_weight += step.weight
            self._weight_before += step.weight
        self._current = None
        self.emit(Event(Kind.PLAN_DONE, message="install finished"))
        return result

    async def _already_done(self, step: Step) -> bool:
        try:
            return await step.check(self.ctx)
        except Exception:  # a check that cannot run proves nothing: do the step
            return False

    async def _apply(self, step: Step, key: str) -> StepFailed | None:
        self.state.mark_running(step.step_id, key)
        self.emit(Event(Kind.STEP_START, step.step_id, step.title))
        run = StepRun(self.ctx, step.step_id, self.emit)
        try:
            await step.apply(run)
        except StepFailed as exc:
            return self._failed(step, exc)
        except Exception as exc:  # a host/helper error must end as a readable failure
            return self._failed(step, StepFailed(f"{type(exc).__name__}: {exc}",
                                                 "read the log, fix the cause, then Retry"))
        self.state.mark_done(step.step_id, key)
        self.emit(Event(Kind.STEP_DONE, step.step_id, step.title))
        return None

    def _failed(self, step: Step, exc: StepFailed) -> StepFailed:
        self.state.mark_failed(step.step_id, exc.message, exc.fix, list(exc.tail))
        self.emit(Event(Kind.STEP_FAILED, step.step_id, exc.message,
                        extra={"fix": exc.fix, "tail": list(exc.tail)}))
        return exc

    async def repair(self) -> RunResult:
        """Ignore the saved progress: check every step on the host and redo what is missing."""
        for step in self.steps:
            self.state.forget(step.step_id)
        return await self.run()

    async def uninstall(self) -> RunResult:
        """Undo steps in reverse order; the chain, keys and node user are kept.

        Every undo action is attempted even if an earlier one fails, so a half-removed install
        never blocks the rest; failures are reported at the end.
        """
        result = RunResult(ok=True)
        for step in reversed(self.steps):
            actions = step.undo(self.ctx)
            if not actions:
                continue
            self.emit(Event(Kind.STEP_START, step.step_id, f"remove: {step.title}"))
            run = StepRun(self.ctx, step.step_id, self.emit)
            for action in actions:
                try:
                    await execute(run, action)
                except Exception as exc:  # keep removing the rest; report at the end
                    result.ok = False
                    result.failed_step = result.failed_step or step.step_id
                    result.tail.append(f"{step.step_id}: {exc}")
            self.state.forget(step.step_id)
            result.done.append(step.step_id)
        # What uninstall leaves in place (user, packages, chain) is no longer "installed".
        for step_id in list(self.state.steps):
            self.state.forget(step_id)
        self.emit(Event(Kind.PLAN_DONE, message="uninstall finished"))
        return result

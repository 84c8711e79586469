"""The Benchmark port over nodectl/bench: the full run and its strict verdict."""

from __future__ import annotations

from nodectl.bench.models import Outcome
from nodectl.bench.runner import STEP_LABELS, STEPS, BenchOptions, BenchRunner, ProgressEvent
from nodesetup.ports import BenchResult, ProgressSink


class BenchAdapter:
    def __init__(self, options: BenchOptions) -> None:
        self.options = options

    async def run(self, on_progress: ProgressSink) -> BenchResult:
        def progress(event: ProgressEvent) -> None:
            done = STEPS.index(event.step) if event.step in STEPS else 0
            overall = min(1.0, (done + event.fraction) / len(STEPS))
            on_progress(overall, STEP_LABELS.get(event.step, event.step), None)

        report = await BenchRunner(self.options, on_progress=progress).run()
        failed = {v.tier: [c.label for c in v.checks if c.outcome is not Outcome.PASS]
                  for v in report.verdict.tiers if v.outcome is not Outcome.PASS}
        return BenchResult(report.verdict.best_tier, failed)

"""The flow's persisted state and what each step shows a person (no secrets anywhere here).

The identity key lives in the wallet's node entry; this state only names the collateral
outpoint and the node's alias, so the file can be read by anyone who can read the data dir.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

STATE_VERSION = 1
TIERS = ("CUMULUS", "NIMBUS", "STRATUS")


class StepId(StrEnum):
    BENCHMARK = "benchmark"
    COLLATERAL = "collateral"
    IDENTITY = "identity"
    INSTALL = "install"
    SYNC = "sync"
    START = "start"
    CONFIRM = "confirm"
    DONE = "done"


ORDER: tuple[StepId, ...] = tuple(StepId)

TITLES = {
    StepId.BENCHMARK: "Benchmark this machine",
    StepId.COLLATERAL: "Collateral",
    StepId.IDENTITY: "Node identity",
    StepId.INSTALL: "Install the node software",
    StepId.SYNC: "Chain sync and fluxbench",
    StepId.START: "Health check and START",
    StepId.CONFIRM: "Wait for the network to confirm",
    StepId.DONE: "Done",
}


def tier_rank(tier: str | None) -> int:
    """0 for an unknown/failed result, then 1…3 from Cumulus to Stratus."""
    name = (tier or "").upper()
    return TIERS.index(name) + 1 if name in TIERS else 0


def next_step(step: StepId) -> StepId:
    return ORDER[min(ORDER.index(step) + 1, len(ORDER) - 1)]


@dataclass
class Failure:
    """A step that cannot go on by itself: the reason and what the person can do."""

    message: str
    advice: list[str] = field(default_factory=list)  # the doctor's findings, next steps
    retry_step: StepId | None = None  # where "Retry" resumes (None: the same step)


@dataclass
class SetupState:
    step: StepId = StepId.BENCHMARK
    tier: str | None = None  # CUMULUS / NIMBUS / STRATUS once chosen
    tier_by_user: bool = False
    bench_best: str | None = None  # the highest tier the benchmark passed (None: none)
    warnings: list[str] = field(default_factory=list)
    collateral_txid: str | None = None
    collateral_index: int | None = None
    collateral_prepared: bool = False  # sent to ourselves by this flow
    alias: str | None = None
    flux_id: str | None = None
    start_txid: str | None = None
    start_sig_time: int | None = None
    start_sent_at: int | None = None
    sync_mark: list[float] | None = None  # [height, unix time] of the first sync poll seen
    failure: Failure | None = None
    # The person paused the run: it stays paused across restarts until they continue it
    # (a run cleared by a lock or a quit goes on by itself).
    paused: bool = False
    updated_at: float = 0.0

    @property
    def outpoint(self) -> tuple[str, int] | None:
        if self.collateral_txid is None or self.collateral_index is None:
            return None
        return self.collateral_txid, self.collateral_index

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = STATE_VERSION
        data["step"] = str(self.step)
        if self.failure is not None and self.failure.retry_step is not None:
            data["failure"]["retry_step"] = str(self.failure.retry_step)
        return data

    @classmethod
    def from_json(cls, data: Any) -> SetupState:
        """Raises ValueError / TypeError / KeyError on a damaged or foreign document."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError("not a setup state of this version")
        values = {k: v for k, v in data.items() if k != "version"}
        values["step"] = StepId(values["step"])
        failure = values.get("failure")
        if failure is not None:
            retry = failure.get("retry_step")
            values["failure"] = Failure(str(failure["message"]), list(failure.get("advice", [])),
                                        StepId(retry) if retry else None)
        state = cls(**values)
        if state.tier is not None and state.tier not in TIERS:
            raise ValueError(f"unknown tier {state.tier!r}")
        return state


@dataclass(frozen=True)
class StepView:
    """What a step shows: what it waits for, an ETA, what the person can do meanwhile."""

    step: StepId
    title: str
    status: str  # "working", "waiting", "needs-you", "failed", "done"
    waiting_for: str
    eta_seconds: int | None = None
    user_can: str = ""
    progress: float | None = None  # 0…1 where it is known
    detail: list[str] = field(default_factory=list)
    failure: Failure | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["step"] = str(self.step)
        if self.failure is not None and self.failure.retry_step is not None:
            data["failure"]["retry_step"] = str(self.failure.retry_step)
        return data

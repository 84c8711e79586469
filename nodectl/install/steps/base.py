"""Step building blocks: declarative actions, the Step base class and the run context.

A step's ``actions()`` is the single source of truth: ``describe()`` prints it, ``apply()``
executes it and the default ``check()`` verifies it. So the dry-run shows exactly what a real
run does. Every action is idempotent (guards below), so an interrupted step can simply rerun.
"""

from __future__ import annotations

import dataclasses
import difflib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nodectl.install import operations
from nodectl.install.events import Event, EventSink, Kind
from nodectl.install.host import CommandResult, Host
from nodectl.install.operations import Inputs, Operation
from nodectl.install.params import SHOWN_SECRETS, SHOWN_WIF, InstallParams, NodeSecrets

if TYPE_CHECKING:
    from nodectl.install.facts import HostFacts
    from nodectl.install.keys import RepoKey

KeySource = Callable[["RepoKey"], Awaitable[bytes]]


class StepFailed(Exception):
    """A step could not finish; carries the output tail and a fix a person can act on."""

    def __init__(self, message: str, fix: str = "", tail: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.tail = tail


@dataclass(frozen=True)
class Probe:
    """A read-only operation; the guarded action is already done if it exits 0 (and prints
    ``contains`` when given)."""

    op: Operation
    contains: str = ""


@dataclass(frozen=True)
class Run:
    """One named operation (see :mod:`nodectl.install.operations`); never an argv."""

    op: Operation
    skip_if: Probe | None = None
    skip_if_exists: tuple[str, ...] = ()
    timeout: float = 3600.0
    fix: str = ""


@dataclass(frozen=True)
class WriteFile:
    """A config file the helper renders itself from ``op``'s validated parameters;
    ``content`` is the same rendering here, for checks and the plan."""

    path: str
    content: str
    shown: str  # what the user is shown: secrets replaced by placeholders
    mode: int
    owner: str | None  # None = root
    op: Operation


@dataclass(frozen=True)
class AppendLine:
    path: str
    line: str
    op: Operation


@dataclass(frozen=True)
class Remove:
    path: str
    op: Operation


@dataclass(frozen=True)
class Custom:
    """Work that is not a single command (downloads, waits); ``text`` says what it does."""

    text: str
    func: Callable[[StepRun], Awaitable[None]]
    done: Callable[[StepRun], Awaitable[bool]] | None = None


Action = Run | WriteFile | AppendLine | Remove | Custom


@dataclass
class InstallContext:
    host: Host
    params: InstallParams
    facts: HostFacts
    secrets: NodeSecrets | None = None  # None: a plan to show, with placeholders
    key_source: KeySource | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def shown_only(self) -> bool:
        return self.secrets is None

    def real_secrets(self) -> NodeSecrets:
        return self.secrets or SHOWN_SECRETS

    def wif(self) -> str:
        return SHOWN_WIF if self.secrets is None else self.params.identity_wif


@dataclass
class StepRun:
    """What an action sees while running: the context plus the event sink for this step."""

    ctx: InstallContext
    step_id: str
    emit: EventSink

    def log(self, message: str) -> None:
        self.emit(Event(Kind.LOG, self.step_id, message))

    def progress(self, done: float, total: float, unit: str, message: str = "",
                 eta_s: float | None = None, **extra: object) -> None:
        self.emit(Event(Kind.PROGRESS, self.step_id, message, done, total, unit,
                        eta_s=eta_s, extra=dict(extra)))


@dataclass(frozen=True)
class Description:
    step_id: str
    title: str
    why: str
    root: bool
    commands: list[dict[str, Any]]
    files: list[dict[str, Any]]
    other: list[str]
    sequence: list[dict[str, Any]]  # everything above, in the order it happens

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.step_id, "title": self.title, "why": self.why, "root": self.root,
                "commands": self.commands, "files": self.files, "other": self.other,
                "sequence": self.sequence}


def _cmd_dict(action: Run) -> dict[str, Any]:
    entry = operations.shown(action.op)
    entry.setdefault("as", "root")
    if action.skip_if is not None:
        entry["skip_if"] = operations.shown(action.skip_if.op).get("argv", [])
    if action.skip_if_exists:
        entry["skip_if_exists"] = list(action.skip_if_exists)
    return entry


class Step(ABC):
    step_id = ""
    title = ""
    why = ""
    weight = 1.0  # expected share of the total time, for the overall ETA

    @abstractmethod
    def actions(self, ctx: InstallContext) -> list[Action]:
        """What this step does, in order; check/apply/describe are derived from it."""

    def undo(self, ctx: InstallContext) -> list[Action]:
        """Actions for uninstall; steps whose result should survive return nothing."""
        return []

    def describe(self, ctx: InstallContext, current: dict[str, str | None] | None = None,
                 ) -> Description:
        commands: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        other: list[str] = []
        sequence: list[dict[str, Any]] = []
        root = False
        for action in self.actions(ctx):
            if isinstance(action, Run) and operations.command_of(action.op) is None:
                other.append(operations.text(action.op))  # a file operation, e.g. a folder
                sequence.append({"kind": "other", "text": other[-1]})
                root = True
            elif isinstance(action, Run):
                commands.append(_cmd_dict(action))
                sequence.append({"kind": "run", **commands[-1]})
                root = root or commands[-1]["as"] == "root"
            elif isinstance(action, WriteFile):
                entry: dict[str, Any] = {
                    "path": action.path, "mode": oct(action.mode),
                    "owner": action.owner or "root", "content": action.shown}
                old = (current or {}).get(action.path)
                if old is not None:
                    entry["diff"] = "".join(difflib.unified_diff(
                        old.splitlines(True), action.shown.splitlines(True),
                        action.path + " (now)", action.path + " (new)"))
                files.append(entry)
                sequence.append({"kind": "write", **entry})
                root = True
            elif isinstance(action, AppendLine):
                files.append({"path": action.path, "append": action.line,
                              "diff": f"+{action.line}\n"})
                sequence.append({"kind": "append", **files[-1]})
                root = True
            elif isinstance(action, Remove):
                other.append(f"remove {action.path}")
                sequence.append({"kind": "remove", "path": action.path})
                root = True
            else:
                other.append(action.text)
                sequence.append({"kind": "other", "text": action.text})
        return Description(self.step_id, self.title, self.why, root, commands, files, other,
                           sequence)

    async def check(self, ctx: InstallContext) -> bool:
        """Already done? True only if every action is verifiably in place."""
        run = StepRun(ctx, self.step_id, lambda _e: None)
        checked = 0
        for action in self.actions(ctx):
            if not checkable(action):
                continue  # helpers such as `apt-get update` leave nothing to verify
            if not await action_done(run, action):
                return False
            checked += 1
        return checked > 0

    async def apply(self, run: StepRun) -> None:
        for action in self.actions(run.ctx):
            if await action_done(run, action):
                continue
            await execute(run, action)


def checkable(action: Action) -> bool:
    if isinstance(action, Run):
        return bool(action.skip_if_exists) or action.skip_if is not None
    if isinstance(action, Custom):
        return action.done is not None
    return True


async def probe(host: Host, check: Probe) -> bool:
    """A probe that cannot even run (helper refused, tool missing) means "not done"."""
    try:
        result = await host.perform(check.op, timeout=120)
    except Exception:
        return False
    return result.ok and (not check.contains or check.contains in result.text)


async def action_done(run: StepRun, action: Action) -> bool:
    host = run.ctx.host
    if isinstance(action, Run):
        if action.skip_if_exists:
            return all([await host.exists(p) for p in action.skip_if_exists])
        if action.skip_if is not None:
            return await probe(host, action.skip_if)
        return False
    if isinstance(action, WriteFile):
        return await host.read_text(action.path) == action.content
    if isinstance(action, AppendLine):
        text = await host.read_text(action.path) or ""
        return action.line in text.splitlines()
    if isinstance(action, Remove):
        return not await host.exists(action.path)
    return action.done is not None and await action.done(run)


async def execute(run: StepRun, action: Action) -> None:
    host = run.ctx.host
    if isinstance(action, Run):
        shown = " ".join(operations.shown(action.op).get("argv", [action.op.name]))
        run.emit(Event(Kind.COMMAND, run.step_id, shown))
        result: CommandResult = await host.perform(action.op, timeout=action.timeout,
                                                   on_line=run.log)
        if not result.ok:
            raise StepFailed(f"`{shown}` exited with code {result.returncode}",
                             action.fix or "read the output above, fix the cause, then Retry",
                             result.tail)
    elif isinstance(action, WriteFile):
        run.log(f"write {action.path}")
        await host.perform(action.op)
    elif isinstance(action, AppendLine):
        run.log(f"append to {action.path}: {action.line}")
        await host.perform(action.op)
    elif isinstance(action, Remove):
        run.log(f"remove {action.path}")
        await host.perform(action.op)
    else:
        run.log(action.text)
        await action.func(run)


def inputs(ctx: InstallContext, *, shown: bool = False) -> Inputs:
    """What the helper renders config files from (placeholders for the plan shown)."""
    p, secrets = ctx.params, ctx.real_secrets()
    if shown or ctx.shown_only:
        p, secrets = dataclasses.replace(p, identity_wif=SHOWN_WIF), SHOWN_SECRETS
    f = ctx.facts
    return Inputs(p, secrets, f.arch, f.distro, f.codename)


def install_args(ctx: InstallContext) -> dict[str, Any]:
    i = inputs(ctx)
    return operations.install_wire(i.params, i.secrets, i.arch, i.distro, i.codename)


def config(ctx: InstallContext, kind: str) -> WriteFile:
    """Write one of our config files: rendered here to check and show it, and by the
    helper (from the same validated parameters) to write it."""
    real = operations.config_file(kind, inputs(ctx))
    shown = operations.config_file(kind, inputs(ctx, shown=True)).content
    return WriteFile(real.path, real.content, shown, real.mode,
                     ctx.params.user if real.node_owned else None,
                     Operation("write_config", {"kind": kind, "install": install_args(ctx)}))


def remove_config(ctx: InstallContext, kind: str) -> Remove:
    user = ctx.params.user
    return Remove(operations.config_path(kind, user),
                  Operation("remove_config", {"kind": kind, "user": user}))


def op(op_name: str, /, **args: Any) -> Operation:
    return Operation(op_name, args)

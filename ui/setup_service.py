"""View-model of the one-click node setup: runs `nodesetup.SetupFlow` on the app's engine loop
and hands the page immutable `SetupSnapshot`s by signal.

The flow, its ports and the wallet they use live on the engine (ui/concurrency.py); this object
keeps its own state on the GUI thread and only starts, pauses and relays. Every run builds the
flow again from its state file, so pausing, quitting or a crash resume at the step it was in.
The collateral's send-to-self is approved by the person: the engine asks the GUI loop
(`approval_requested`) and waits for `answer_approval`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from nodesetup.flow import DONE, FAILED, WAITING, SetupFlow
from nodesetup.model import ORDER, Failure, SetupState, StepId, StepView
from nodesetup.ports import CollateralOffer, Ports, SetupError
from nodesetup.store import SetupStore
from ui.concurrency import Engine, on_engine
from ui.single_task import SingleTask
from wallet.errors import WalletError, WalletLocked

log = logging.getLogger(__name__)

# The steps a person sees (DONE is the end, not a step).
STEPS: tuple[StepId, ...] = tuple(s for s in ORDER if s != StepId.DONE)
LOCKED_NOTE = "Paused: unlock the wallet to continue."


class SetupPorts(Protocol):
    """What one run of the flow opened (``app.setup_wiring.Setup`` is one)."""

    @property
    def ports(self) -> Ports: ...

    async def close_ports(self) -> None: ...


PortsFactory = Callable[[], Coroutine[Any, Any, SetupPorts]]  # awaited on the engine loop
Waiter = Callable[[StepView], Awaitable[None]]  # awaited on the GUI loop after a "waiting" view


@dataclass(frozen=True)
class SetupSnapshot:
    """Where the setup stands, read on the GUI thread (copied from the flow on the engine)."""

    step: StepId = StepId.BENCHMARK
    started: bool = False  # a state file exists
    tier: str | None = None
    tier_by_user: bool = False
    bench_best: str | None = None
    warnings: tuple[str, ...] = ()
    failure: Failure | None = None
    view: StepView | None = None  # the latest thing the flow said (None: not run yet)
    running: bool = False
    outpoint: tuple[str, int] | None = None
    note: str = ""  # the service's own words: paused, wallet locked, …
    waits_for_unlock: bool = False  # goes on by itself once the wallet is unlocked
    approval_pending: bool = False  # the collateral's send-to-self waits for the person
    paused: bool = False  # the person paused it (kept in the state file across restarts)

    @property
    def done(self) -> bool:
        return self.step == StepId.DONE

    @property
    def number(self) -> int:
        """1…7 for the step in progress (7 when done)."""
        return min(ORDER.index(self.step) + 1, len(STEPS))

    def status_of(self, step: StepId) -> str:
        """"done", "current", "failed" or "pending" for one row of the step list."""
        if self.done or ORDER.index(step) < ORDER.index(self.step):
            return "done"
        if step != self.step:
            return "pending"
        return "failed" if self.failure is not None else "current"


def snapshot_of(state: SetupState, *, started: bool, view: StepView | None = None,
                running: bool = False) -> SetupSnapshot:
    return SetupSnapshot(state.step, started, state.tier, state.tier_by_user, state.bench_best,
                         tuple(state.warnings), state.failure, view, running, state.outpoint,
                         paused=state.paused)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _load(store: SetupStore) -> SetupSnapshot:
    return snapshot_of(store.load(), started=store.exists())


async def _clear(store: SetupStore) -> None:
    store.clear()


async def _mark_paused(store: SetupStore) -> None:
    store.mark_paused()


class SetupService(QObject):
    snapshot_changed = Signal(object)  # SetupSnapshot
    approval_requested = Signal(object)  # CollateralOffer
    approval_withdrawn = Signal()
    running_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, store: SetupStore, make_ports: PortsFactory, engine: Engine | None = None,
                 *, wait: Waiter | None = None, poll_seconds: float = 30.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._make_ports = make_ports
        self._engine = engine
        self._wait = wait or (lambda _view: asyncio.sleep(poll_seconds))
        self._job = SingleTask()
        self._flow: SetupFlow | None = None  # owned by the engine loop while a run goes on
        self._answer: asyncio.Future[bool] | None = None
        self._tier_choice: str | None = None
        self._wallet_unlocked = False
        self._resume_on_unlock = False
        self._retry = False
        self._pending_note = ""
        self._note_text = ""
        self._choosing: asyncio.Future[None] | None = None
        self._reading: asyncio.Future[None] | None = None
        self._held = False  # paused by the person: no automatic resume in this session
        self._pausing: asyncio.Future[None] | None = None
        self.pending_offer: CollateralOffer | None = None
        self.snapshot = SetupSnapshot()
        # At app start an unfinished run shows its step at once, and goes on by itself once
        # the wallet is unlocked (read when the loop runs: the window is built first).
        QTimer.singleShot(0, self._read_at_start)

    # --- reading ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._job.active

    async def refresh(self) -> None:
        """Re-read the state file (on the engine) unless a run is going on."""
        if not self.running:
            await self._reload()

    async def _reload(self) -> None:
        loaded = await on_engine(self._engine, _load(self.store))
        last = self.snapshot.view
        if last is not None and loaded.step == self.snapshot.step:
            loaded = replace(loaded, view=last)  # what the flow last said still holds
        self._publish(loaded)

    def _read_at_start(self) -> None:
        if _loop_running():
            self._reading = asyncio.ensure_future(self._read_and_resume())

    async def _read_and_resume(self) -> None:
        await self.refresh()
        self._maybe_resume()

    def _maybe_resume(self) -> None:
        """Continue an unfinished run that needs no decision of the person: not one that
        failed (Retry is theirs) or that they paused. A step that spends money still asks."""
        snap = self.snapshot
        if (self.running or self._held or snap.paused or not snap.started or snap.done
                or snap.failure):
            return
        if self._wallet_unlocked:
            self.start()
        else:
            self._resume_on_unlock = True
            self._note(LOCKED_NOTE)

    # --- the person's actions --------------------------------------------------------------

    def start(self) -> None:
        """Run (or resume) the flow from its state file; views arrive by signal."""
        if self.running:
            return
        self._held = False
        if not self._wallet_unlocked:
            self._resume_on_unlock = True
            self._note(self.tr("Unlock the wallet to go on: the setup uses its coins and keys."))
            return
        self._resume_on_unlock = False
        self._job.start(self._drive())
        self.running_changed.emit(True)

    def pause(self, note: str = "") -> None:
        """Stop after (or inside) the current step; `start` resumes where it was."""
        self._resume_on_unlock = False
        self._held = True
        self._stop(note or self.tr("Paused. Continue whenever you like: the setup resumes "
                                   "at this step."))
        if _loop_running():
            self._pausing = asyncio.ensure_future(self._keep_paused())

    async def _keep_paused(self) -> None:
        """Once the run has stopped (its last save done), write the pause into the state file:
        the next start of FluxDesk shows the setup paused instead of going on by itself."""
        await self._job.wait()
        if self._held:
            await on_engine(self._engine, _mark_paused(self.store))
            await self._reload()

    def _stop(self, note: str) -> None:
        if self.running:
            self._pending_note = note
            self._job.cancel()

    def retry(self) -> None:
        """Clear the failure and run again from the step it names."""
        if self.running:
            return
        self._retry = True
        self.start()

    @property
    def tier_choice(self) -> str | None:
        """The person's tier, not yet given to a flow (None: the highest the benchmark passes)."""
        return self._tier_choice

    def choose_tier(self, tier: str | None) -> None:
        """A tier of the person's own: applied to the running flow, else at the next start.
        None goes back to the benchmark's choice, while no flow has recorded one."""
        self._tier_choice = tier
        flow = self._flow
        if tier is None or flow is None or not self.running:
            return

        async def choose() -> SetupSnapshot:
            flow.choose_tier(tier)
            return snapshot_of(flow.state, started=True, view=self.snapshot.view, running=True)

        async def apply() -> None:
            try:
                self._publish(await on_engine(self._engine, choose()))
            except SetupError as exc:
                self._fail(exc.message)

        self._choosing = asyncio.ensure_future(apply())

    def answer_approval(self, approved: bool) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(approved)

    def set_wallet_unlocked(self, unlocked: bool) -> None:
        """The wallet's lock follows the setup: locked pauses it, unlocked resumes it."""
        self._wallet_unlocked = unlocked
        if not unlocked and self.running:
            self._resume_on_unlock = True
            self._stop(LOCKED_NOTE)
        elif unlocked and self._resume_on_unlock:
            self.start()
        elif unlocked and _loop_running():
            # The wallet overview shows where the setup stands: read it once the wallet is open
            # (not while the window is built: the page reads it when shown).
            self._reading = asyncio.ensure_future(self._read_and_resume())

    async def start_over(self) -> None:
        """Forget this setup's progress (its state file) after the run, if any, has stopped.
        What it made stays: the wallet's node entry, the collateral coin, the installed node."""
        self._resume_on_unlock = self._held = False
        await self._job.stop()
        await on_engine(self._engine, _clear(self.store))
        self._tier_choice = None
        self._note_text = ""
        self._publish(SetupSnapshot())

    async def close(self) -> None:
        """At quit: stop the run (its state is saved step by step) and wait until it ended."""
        self._job.cancel()
        await self._job.wait()

    async def wait(self) -> None:
        await self._job.wait()

    # --- the run ---------------------------------------------------------------------------

    async def _drive(self) -> None:
        gui_loop = asyncio.get_running_loop()
        retry, self._retry, self._pending_note = self._retry, False, ""
        opened: SetupPorts | None = None
        try:
            opened = await on_engine(self._engine, self._make_ports())
            self._flow = flow = await on_engine(
                self._engine, self._open(opened.ports, gui_loop, retry))
            self._note("")
            while True:
                snap = await on_engine(self._engine, self._advance(flow))
                # The GUI loop runs callbacks in order: the step's own views came first.
                self._publish(snap)
                view = snap.view
                assert view is not None
                if view.status in (DONE, FAILED):
                    return
                if view.status == WAITING:
                    await self._wait(view)
        except asyncio.CancelledError:
            self.approval_withdrawn.emit()
            self._note(self._pending_note or self.tr("Stopped. Continue to resume at this "
                                                     "step."))
        except WalletLocked:
            # Locked on the engine before the GUI heard of it (the idle timeout): a pause.
            self._resume_on_unlock = True
            self._note(LOCKED_NOTE)
        except (SetupError, WalletError) as exc:
            self._fail(exc.message if isinstance(exc, SetupError) else str(exc))
        except Exception:  # a bug must not leave the page stuck on "running"
            log.exception("node setup run failed")
            self._fail(self.tr("The setup stopped unexpectedly; the log file (Settings page) "
                               "has the details. Continue to resume at this step."))
        finally:
            self._flow = None
            if opened is not None:
                await on_engine(self._engine, opened.close_ports())
            self.running_changed.emit(False)
            await self._reload()

    async def _open(self, ports: Ports, gui_loop: asyncio.AbstractEventLoop,
                    retry: bool) -> SetupFlow:
        """On the engine: the flow from its state file, its views relayed to the GUI."""

        async def approve(offer: CollateralOffer) -> bool:
            asked = asyncio.run_coroutine_threadsafe(self._ask(offer), gui_loop)
            return await asyncio.wrap_future(asked)

        flow = SetupFlow(self.store, ports, approve=approve, tier=self._tier_choice)
        if retry:
            flow.retry()

        def relay(view: StepView) -> None:
            # Made here (the state is the engine's), shown there, in the order made.
            snap = snapshot_of(flow.state, started=True, view=view, running=True)
            if not gui_loop.is_closed():
                gui_loop.call_soon_threadsafe(self._publish, snap)

        flow.on_view = relay
        return flow

    @staticmethod
    async def _advance(flow: SetupFlow) -> SetupSnapshot:
        view = await flow.advance()
        return snapshot_of(flow.state, started=True, view=view, running=True)

    async def _ask(self, offer: CollateralOffer) -> bool:
        """On the GUI loop: the page shows the offer; its answer comes to `answer_approval`."""
        self._answer = asyncio.get_running_loop().create_future()
        self.pending_offer = offer
        self._publish(self.snapshot)
        try:
            self.approval_requested.emit(offer)
            return await self._answer
        finally:
            self._answer = None
            self.pending_offer = None
            self._publish(self.snapshot)

    # --- relaying --------------------------------------------------------------------------

    def _publish(self, snapshot: SetupSnapshot) -> None:
        self.snapshot = replace(snapshot, running=self.running and snapshot.running,
                                note=self._note_text,
                                waits_for_unlock=self._resume_on_unlock,
                                approval_pending=self.pending_offer is not None)
        self.snapshot_changed.emit(self.snapshot)

    def _fail(self, message: str) -> None:
        """A problem outside the flow's steps (no server, a refused tier): said on the page
        until the next run starts."""
        self._note(message)
        self.error.emit(message)

    def _note(self, note: str) -> None:
        self._note_text = note
        self._publish(self.snapshot)

"""View-model for the FluxNode installer: preflight, plan and run as asyncio tasks, relayed
by signals. All the work is in ``nodectl.install``; this object starts, cancels and relays."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from nodectl.install.events import Event
from nodectl.install.facts import HostFacts, gather
from nodectl.install.host import LocalHost
from nodectl.install.params import InstallParams
from nodectl.install.preflight import PublicIp
from nodectl.install.runner import RunResult
from nodectl.install.session import InstallSession, display_params
from nodectl.install.state import InstallState
from ui.concurrency import Engine, on_engine
from ui.single_task import SingleTask

log = logging.getLogger(__name__)

# privileged=False: a session that only looks (never asks for a password).
SessionFactory = Callable[[bool], InstallSession]


def local_sessions(data_dir: Path) -> SessionFactory:
    scratch = data_dir / "node-install" / "downloads"

    def make(privileged: bool) -> InstallSession:
        return InstallSession(LocalHost(scratch, privileged_reads=privileged), data_dir)

    return make


async def _close_host(session: InstallSession) -> None:
    # LocalHost stops its privileged helper here; other Host implementations may have no close().
    close = getattr(session.host, "close", None)
    if close is not None:
        await close()


class InstallService(QObject):
    preflight_ready = Signal(object)  # nodectl.install.session.Preflight
    plan_ready = Signal(object)  # dict from InstallSession.describe
    progress = Signal(object)  # nodectl.install.events.Event
    finished = Signal(object)  # RunResult
    failed = Signal(str)  # unexpected error, plain text
    busy_changed = Signal(bool)

    def __init__(self, sessions: SessionFactory, data_dir: Path, network: str,
                 engine: Engine | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self.data_dir = data_dir
        self.network = network
        # The install sessions run on the app's engine loop (ui/concurrency.py).
        self._engine = engine
        self._job = SingleTask()
        self.facts: HostFacts | None = None

    @property
    def busy(self) -> bool:
        return self._job.active

    def saved_state(self) -> InstallState:
        return InstallState.load(self._sessions(False).state_path)

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        if self.busy:
            work.close()
            return
        self._job.start(self._guard(work))
        self.busy_changed.emit(True)

    async def _guard(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            self.failed.emit(self.tr("Stopped. Start again to continue where it stopped."))
        except Exception as exc:  # a bug must not leave the wizard stuck on "working"
            log.exception("installer task failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.busy_changed.emit(False)

    def preflight(self, user: str, tier: str, api_port: int, public_ip: str = "") -> None:
        async def work() -> None:
            given = PublicIp(public_ip) if public_ip else None
            result = await on_engine(self._engine, self._sessions(False).preflight(
                user=user, tier=tier, api_port=api_port, public_ip=given))
            self.facts = result.facts
            self.preflight_ready.emit(result)
        self._start(work())

    def describe(self, params: InstallParams) -> None:
        async def work() -> None:
            assert self.facts is not None
            facts = self.facts
            plan = await on_engine(self._engine, self._sessions(False).describe(params, facts))
            self.plan_ready.emit(plan)
        self._start(work())

    def run(self, params: InstallParams, mode: str = "install") -> None:
        async def work() -> None:
            assert self.facts is not None
            session = self._sessions(True)
            try:
                result: RunResult = await on_engine(
                    self._engine, session.execute(params, self.facts, self._relay, mode))
            finally:
                await on_engine(self._engine, _close_host(session))
            self.finished.emit(result)
        self._start(work())

    def uninstall(self, user: str) -> None:
        """Remove services and configs of the install made for ``user`` (chain kept)."""
        async def work() -> None:
            session = self._sessions(True)
            try:
                facts = await on_engine(self._engine, gather(session.host, user))
                # Undo needs only the user and host facts, never the identity key.
                params, _missing = display_params(user, "cumulus", self.network, {})
                result = await on_engine(
                    self._engine, session.execute(params, facts, self._relay, "uninstall"))
            finally:
                await on_engine(self._engine, _close_host(session))
            self.finished.emit(result)
        self._start(work())

    def _relay(self, event: Event) -> None:
        self.progress.emit(event)

    def cancel(self) -> None:
        self._job.cancel()

    async def close(self) -> None:
        """At quit: stop the current job (if any) and wait until it has stopped."""
        await self._job.stop()

    async def wait(self) -> None:
        await self._job.wait()

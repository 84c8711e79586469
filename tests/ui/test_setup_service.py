"""SetupService on its own, over the flow with fake ports (tests/nodesetup/fakes.py): the
wallet's lock pauses and resumes it, a start while locked waits for the unlock, a tier change
after the collateral is refused in words, and the overview's one line follows it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from nodesetup.model import SetupState, StepId
from nodesetup.ports import Candidate, Ports, SetupError
from nodesetup.store import SetupStore
from tests.nodesetup.fakes import TXID, FakeBenchmark, FakeInstaller, FakeProbe, FakeWallet
from ui.concurrency import Engine
from ui.setup_service import SetupService, SetupSnapshot
from ui.setup_widgets import summary_line
from wallet.nodes.state import NodeState

pytestmark = pytest.mark.gui


async def until(done: Callable[[], bool], what: str, timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not done():
        QApplication.processEvents()
        assert loop.time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


class FakeSetup:
    def __init__(self) -> None:
        self.wallet = FakeWallet(coins=[Candidate(TXID, 0, 1_000 * 10**8, 150)])
        self.probe = FakeProbe()
        self.ports = Ports(FakeBenchmark("NIMBUS"), self.wallet, FakeInstaller(), self.probe)
        self.opened = self.closed = 0
        self.threads: set[threading.Thread] = set()

    async def make(self) -> FakeSetup:
        self.opened += 1
        self.threads.add(threading.current_thread())
        return self

    async def close_ports(self) -> None:
        self.closed += 1


@pytest.mark.asyncio
async def test_the_wallet_lock_pauses_the_setup_and_the_unlock_resumes_it(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    seen: list[SetupSnapshot] = []
    service = SetupService(SetupStore(tmp_path / "node-setup.json"), fake.make, engine,
                           wait=lambda _view: asyncio.sleep(0.01))
    service.snapshot_changed.connect(seen.append)

    service.start()  # locked: nothing runs, the person is told why
    assert not service.running and "Unlock the wallet" in service.snapshot.note
    service.set_wallet_unlocked(True)  # the unlock resumes what was asked for
    assert service.running
    await until(lambda: service.snapshot.step == StepId.SYNC and service.snapshot.view
                is not None and service.snapshot.view.status == "waiting", "the sync wait")
    assert summary_line(service.snapshot).startswith(
        "Node setup: step 5 of 7, Chain sync and fluxbench: waiting for the chain to sync")

    service.set_wallet_unlocked(False)
    await until(lambda: not service.running
                and service.snapshot.note == "Paused: unlock the wallet to continue.", "the pause")
    assert summary_line(service.snapshot).endswith("paused, unlock the wallet to continue")
    assert fake.closed == fake.opened == 1  # the run's ports were closed on the way out

    fake.probe.ready("NIMBUS")
    service.set_wallet_unlocked(True)
    await until(lambda: service.snapshot.step == StepId.CONFIRM, "the START")
    fake.wallet.state = NodeState.CONFIRMED  # the network confirms it
    await until(lambda: service.snapshot.done and not service.running, "CONFIRMED")
    assert fake.opened == 2 and fake.wallet.starts  # resumed from the file, then started
    assert summary_line(service.snapshot) == "Node setup: done, the node is CONFIRMED."
    assert fake.threads == {engine.thread}
    assert all(s.step != StepId.BENCHMARK or s.view is None or s.view.step == StepId.BENCHMARK
               for s in seen)
    await service.close()


@pytest.mark.asyncio
async def test_a_tier_change_after_the_collateral_is_refused_in_words(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    service = SetupService(SetupStore(tmp_path / "node-setup.json"), fake.make, engine,
                           wait=lambda _view: asyncio.sleep(0.01))
    errors: list[str] = []
    service.error.connect(errors.append)
    service.set_wallet_unlocked(True)
    service.start()
    await until(lambda: service.snapshot.outpoint is not None, "the collateral chosen")
    service.choose_tier("STRATUS")
    await until(lambda: bool(errors), "the refusal")
    assert "cannot switch tiers" in errors[0]
    assert "cannot switch tiers" in service.snapshot.note  # and it stays on the page
    assert service.snapshot.tier == "NIMBUS"
    await service.close()
    assert not service.running and fake.closed == 1


@pytest.mark.asyncio
async def test_the_unlock_reads_where_a_setup_stands_for_the_overview(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    store = SetupStore(tmp_path / "node-setup.json")
    store.save(SetupState(step=StepId.INSTALL, tier="NIMBUS"))
    fake = FakeSetup()
    service = SetupService(store, fake.make, engine)
    assert summary_line(service.snapshot) == ""  # nothing read yet: no line
    service.set_wallet_unlocked(True)
    await until(lambda: service.snapshot.started, "the state file read")
    assert summary_line(service.snapshot).startswith(
        "Node setup: step 4 of 7, Install the node software: ")
    # An unfinished run goes on by itself (tests/ui/test_setup_resume.py follows it to the end).
    await until(lambda: fake.opened == 1 and not service.running, "the resumed run")
    await service.close()


@pytest.mark.asyncio
async def test_ports_that_cannot_be_built_leave_the_reason_on_the_page(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    async def no_server() -> FakeSetup:
        raise SetupError("No Insight server is known for regtest.", ("Add one.",))

    service = SetupService(SetupStore(tmp_path / "node-setup.json"), no_server, engine)
    service.set_wallet_unlocked(True)
    service.start()
    await service.wait()
    await until(lambda: not service.running, "the end of the run")
    assert service.snapshot.note == "No Insight server is known for regtest."
    assert not service.snapshot.started  # nothing was written

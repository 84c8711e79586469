"""At app start an unfinished setup shows its step at once (wallet still locked) and, once the
wallet is unlocked, goes on by itself from that step: a new SetupService over a state file left
at each waiting step (tests/nodesetup/fakes.py for the ports). A wallet that locks itself on the
engine mid-run pauses the setup instead of failing it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from nodesetup.model import TITLES, Failure, SetupState, StepId, StepView
from nodesetup.ports import Candidate
from nodesetup.store import SetupStore
from tests.nodesetup.fakes import TXID, WIF, immature
from tests.ui.test_setup_service import FakeSetup, until
from ui.concurrency import Engine
from ui.setup_service import LOCKED_NOTE, SetupService, SetupSnapshot
from ui.setup_widgets import summary_line
from wallet.errors import WalletLocked
from wallet.nodes.state import NodeState

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Left:
    """A state file left by a run killed in ``step``, waiting for ``waiting``."""

    name: str
    step: StepId
    waiting: str
    confirmations: int = 150
    started: bool = False


LEFT = [
    Left("installing", StepId.INSTALL, "Installing fluxd", confirmations=40),
    Left("syncing", StepId.SYNC, "the chain to sync"),
    Left("collateral maturing", StepId.START, "the collateral to mature", confirmations=40),
    Left("started, waiting for CONFIRMED", StepId.CONFIRM, "the network to confirm",
         started=True),
]


def left_at(store: SetupStore, fake: FakeSetup, left: Left) -> None:
    """The files a run killed at ``left`` leaves: the state, the coin, the node entry."""
    fake.wallet.coins = [Candidate(TXID, 0, 1_000 * 10**8, left.confirmations)]
    fake.wallet.nodes[(TXID, 0)] = ("fluxnode", WIF)
    state = SetupState(step=left.step, tier="NIMBUS", bench_best="NIMBUS",
                       collateral_txid=TXID, collateral_index=0, alias="fluxnode",
                       flux_id="1FluxIdOfTheWallet")
    if installed_before(left.step):
        fake.ports.installer.conf = {"zelnodeprivkey": WIF, "zelnodeoutpoint": TXID,
                                     "zelnodeindex": "0"}
    if left.step == StepId.START:
        fake.probe.ready("NIMBUS")
        fake.wallet.start_error = immature(left.confirmations)
    if left.started:
        state.start_txid, state.start_sig_time, state.start_sent_at = ("ef" * 32,
                                                                       1_700_000_000,
                                                                       1_700_000_000)
        fake.wallet.state = NodeState.STARTED
    store.save(state)


def installed_before(step: StepId) -> bool:
    return step in (StepId.SYNC, StepId.START, StepId.CONFIRM)


def time_passes(fake: FakeSetup, waited: list[StepView]
                ) -> Callable[[StepView], Awaitable[None]]:
    """Each wait: the node syncs and benchmarks, the coin matures, the network confirms."""

    async def wait(view: StepView) -> None:
        waited.append(view)
        fake.probe.ready("NIMBUS")
        fake.wallet.coins = [Candidate(TXID, 0, 1_000 * 10**8, 150)]
        fake.wallet.start_error = None
        if fake.wallet.starts or fake.wallet.state == NodeState.STARTED:
            fake.wallet.state = NodeState.CONFIRMED
        await asyncio.sleep(0.01)

    return wait


@pytest.mark.parametrize("left", LEFT, ids=[left.name for left in LEFT])
@pytest.mark.asyncio
async def test_a_setup_killed_at_a_step_shows_it_at_start_and_goes_on_after_unlock(
        left: Left, tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    store = SetupStore(tmp_path / "node-setup.json")
    left_at(store, fake, left)
    waited: list[StepView] = []
    seen: list[SetupSnapshot] = []
    service = SetupService(store, fake.make, engine, wait=time_passes(fake, waited))
    service.snapshot_changed.connect(seen.append)

    # Nothing pressed, the wallet still locked: the step and why it waits are shown.
    await until(lambda: service.snapshot.started, "the state file read at start")
    snap = service.snapshot
    assert snap.step == left.step and not service.running
    assert snap.waits_for_unlock and snap.note == LOCKED_NOTE
    number = list(StepId).index(left.step) + 1
    assert summary_line(snap) == (f"Node setup: step {number} of 7, "
                                  f"{TITLES[left.step]}: paused, unlock the "
                                  "wallet to continue")
    assert fake.opened == 0  # no port was opened while locked

    service.set_wallet_unlocked(True)  # the unlock alone resumes it
    assert service.running
    await until(lambda: service.snapshot.done and not service.running, "CONFIRMED")
    views = [s.view for s in seen if s.view is not None and s.running]
    assert views and views[0].step == left.step, views[:1]  # resumed at that step
    assert any(left.waiting in v.waiting_for for v in views if v.step == left.step)
    assert not fake.wallet.sent  # no second collateral
    assert fake.ports.benchmark.runs == 0  # nothing before the step was redone
    assert len(fake.wallet.starts) == (0 if left.started else 1)
    assert store.load().step == StepId.DONE
    await service.close()


@pytest.mark.asyncio
async def test_a_failed_or_finished_run_is_not_resumed_by_itself(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    store = SetupStore(tmp_path / "node-setup.json")
    store.save(SetupState(step=StepId.INSTALL, tier="NIMBUS",
                          failure=Failure("apt failed", ["check the network"])))
    service = SetupService(store, fake.make, engine)
    service.set_wallet_unlocked(True)
    await until(lambda: service.snapshot.started, "the state file read")
    for _ in range(20):
        QApplication.processEvents()
        await asyncio.sleep(0.005)
    assert not service.running and fake.opened == 0  # Retry is the person's
    assert summary_line(service.snapshot).endswith("needs you (apt failed)")
    await service.close()


@dataclass
class LockingWallet:
    """The wallet's idle timeout, hit on the engine inside a step before the GUI knew."""

    fake: FakeSetup
    locked: bool = True

    def identity_wif(self, outpoint: tuple[str, int]) -> str:
        if self.locked:
            raise WalletLocked("The wallet is locked; unlock it to continue.")
        return self.fake.wallet.nodes[outpoint][1]


@pytest.mark.asyncio
async def test_a_lock_inside_a_step_pauses_the_setup_and_keeps_it(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    store = SetupStore(tmp_path / "node-setup.json")
    left_at(store, fake, LEFT[0])  # installing
    lock = LockingWallet(fake)
    fake.wallet.identity_wif = lock.identity_wif  # type: ignore[method-assign]
    waited: list[StepView] = []
    service = SetupService(store, fake.make, engine, wait=time_passes(fake, waited))
    service.set_wallet_unlocked(True)
    await until(lambda: service.snapshot.started and not service.running
                and service.snapshot.waits_for_unlock, "the pause")
    snap = service.snapshot
    assert snap.failure is None and snap.note == LOCKED_NOTE  # paused, not failed
    assert store.load().failure is None and store.load().step == StepId.INSTALL
    assert not fake.ports.installer.runs

    service.set_wallet_unlocked(False)  # the GUI hears of the lock
    lock.locked = False
    service.set_wallet_unlocked(True)  # and of the unlock: the setup goes on
    await until(lambda: service.snapshot.done and not service.running, "CONFIRMED")
    assert len(fake.ports.installer.runs) == 1
    await service.close()


@pytest.mark.asyncio
async def test_a_resumed_run_that_must_spend_still_asks_and_says_so(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    fake.wallet.coins = []  # no matured coin: the collateral is a send-to-self
    store = SetupStore(tmp_path / "node-setup.json")
    store.save(SetupState(step=StepId.COLLATERAL, tier="NIMBUS", bench_best="NIMBUS"))
    service = SetupService(store, fake.make, engine, wait=time_passes(fake, []))
    asked: list[object] = []
    service.approval_requested.connect(asked.append)
    service.set_wallet_unlocked(True)
    await until(lambda: service.snapshot.approval_pending, "the approval asked")
    assert service.pending_offer is not None and asked == [service.pending_offer]
    assert not fake.wallet.sent  # nothing moves before the person says yes
    assert summary_line(service.snapshot) == (
        "Node setup: step 2 of 7, Collateral: waiting for you to approve the collateral")
    service.answer_approval(True)
    await until(lambda: service.snapshot.done and not service.running, "CONFIRMED")
    assert len(fake.wallet.sent) == 1 and service.pending_offer is None
    await service.close()


@pytest.mark.asyncio
async def test_a_pause_by_the_person_holds_across_a_restart_until_they_continue(
        tmp_path: Path, engine: Engine, qapp: QApplication) -> None:
    fake = FakeSetup()
    store = SetupStore(tmp_path / "node-setup.json")
    left_at(store, fake, LEFT[1])  # syncing: a step that waits

    async def never_done(_view: StepView) -> None:
        await asyncio.sleep(3600)  # the chain never syncs while this session runs

    service = SetupService(store, fake.make, engine, wait=never_done)
    service.set_wallet_unlocked(True)
    await until(lambda: service.running and service.snapshot.view is not None, "the run")
    service.pause()
    await until(lambda: store.load().paused and service.snapshot.paused, "the pause saved")
    assert not service.running and store.load().step == StepId.SYNC
    await service.close()

    # FluxDesk starts again with the wallet unlocked at once: the run stays paused.
    opened = fake.opened
    again = SetupService(store, fake.make, engine, wait=time_passes(fake, []))
    again.set_wallet_unlocked(True)
    await until(lambda: again.snapshot.started, "the state file read at start")
    for _ in range(20):
        QApplication.processEvents()
        await asyncio.sleep(0.005)
    assert not again.running and fake.opened == opened
    assert again.snapshot.paused and not again.snapshot.waits_for_unlock
    assert summary_line(again.snapshot).endswith(
        "paused by you, continue it on the Set up a FluxNode page")

    again.start()  # the person continues: the pause is over, in the file too
    await until(lambda: again.snapshot.done and not again.running, "CONFIRMED")
    assert not store.load().paused
    await again.close()

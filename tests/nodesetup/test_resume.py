"""Killed inside a step: mid-install (the sandbox interrupts an operation) and right after the
collateral was broadcast but before the state was saved. A new flow from the files resumes at
that step, the installer skips what it finished, and no second collateral is ever sent."""

from __future__ import annotations

import pytest

from flux.money import COIN
from nodectl.install.sandbox import SandboxInterrupted
from nodectl.install.state import InstallState
from nodesetup.adapters.wallet import WalletAdapter
from nodesetup.flow import SetupFlow
from nodesetup.model import StepId
from nodesetup.ports import CollateralOffer, Outpoint
from tests.nodesetup.harness import World


async def drive(world: World, flow: SetupFlow, until: StepId) -> None:
    for _ in range(400):
        if flow.state.step == until:
            return
        view = await flow.advance()
        world.views.append(view)
        assert view.status != "failed", view
        if view.status == "waiting":
            await world.wait(view)
    raise AssertionError(f"never reached {until}")


@pytest.mark.asyncio
async def test_one_click_killed_mid_install_resumes_the_install(world: World) -> None:
    service = await world.new_wallet()
    flow = world.flow(service)
    await drive(world, flow, StepId.INSTALL)
    world.host.interrupt_at = world.host.operations + 40
    with pytest.raises(SandboxInterrupted):
        await flow.advance()
    install_state = InstallState.load(world.tmp / "data" / "node-install" / "state.json")
    finished = [k for k, r in install_state.steps.items() if r.status == "done"]
    assert finished and any(r.status == "running" for r in install_state.steps.values())

    again = world.flow(await world.open_wallet(), tier=None)
    assert again.state.step == StepId.INSTALL
    words: list[str] = []
    again.on_view = lambda v: words.append(v.waiting_for)
    view = await again.advance()
    assert view.status == "advanced", view
    skipped = [w for w in words if "finished earlier" in w]
    assert {w.split(":")[0] for w in skipped} == set(finished)  # done steps are not redone
    await drive(world, again, StepId.DONE)
    assert len(world.offers) == 1


class KilledAfterSend(WalletAdapter):
    async def send_collateral(self, offer: CollateralOffer) -> Outpoint:
        await super().send_collateral(offer)
        raise SandboxInterrupted("the app was killed right after the broadcast")


@pytest.mark.asyncio
async def test_one_click_killed_after_the_collateral_send_never_sends_twice(
        world: World) -> None:
    service = await world.new_wallet()
    flow = world.flow(service)
    await drive(world, flow, StepId.COLLATERAL)
    adapter = flow.ports.wallet
    assert isinstance(adapter, WalletAdapter)
    adapter.__class__ = KilledAfterSend
    with pytest.raises(SandboxInterrupted):
        await flow.advance()
    assert world.store.load().outpoint is None  # the kill came before the state was saved

    again = world.flow(await world.open_wallet(), tier=None)
    assert again.state.step == StepId.COLLATERAL
    view = await again.advance()
    assert view.status == "advanced" and len(world.offers) == 1
    outpoint = again.state.outpoint
    assert outpoint is not None
    coins = {c.outpoint: c for c in await again.ports.wallet.candidates("CUMULUS")}
    assert coins[outpoint].satoshis == 1_000 * COIN
    await drive(world, again, StepId.DONE)

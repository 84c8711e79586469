"""Acceptance: the whole one-click flow against tests/sim, the simulated node and the sandbox
host — benchmark, collateral prepared and matured, installed, synced, benchmark passed, started,
CONFIRMED, first reward seen; and resuming from the state file at every step."""

from __future__ import annotations

import json
import stat

import pytest

from flux.money import COIN
from nodesetup.model import ORDER, StepId
from tests.nodesetup.harness import CONF, World
from wallet.keys import PrivateKey
from wallet.nodes.state import NodeState


@pytest.mark.asyncio
async def test_one_click_from_flux_to_confirmed_and_paid(world: World) -> None:
    service = await world.new_wallet()
    flow = world.flow(service)
    final = await flow.run(world.views.append, world.wait)
    assert final.status == "done", final
    seen = [v.step for v in world.views]
    assert [s for s in ORDER if s in seen] == list(ORDER)

    # 1: the user's tier was kept; this machine passes none, so the flow said so.
    state = flow.state
    assert state.tier == "CUMULUS" and state.tier_by_user
    assert any("did not pass Cumulus" in w for w in state.warnings)
    # 2: one reviewed send-to-self of exactly 1 000 FLUX, in one output, to our own address.
    assert len(world.offers) == 1 and world.offers[0].amount == 1_000 * COIN
    assert state.collateral_prepared and state.outpoint is not None
    txid, index = state.outpoint
    coin = next(c for c in service.state.coins if (c.txid, c.vout) == (txid, index))  # type: ignore[union-attr]
    assert coin.satoshis == 1_000 * COIN and coin.address == world.offers[0].address
    # 2b: the install ran while the collateral matured (live ETA shown).
    assert any("matures in" in d for v in world.views if v.step == StepId.INSTALL
               for d in v.detail)
    # 3: the identity key lives in the wallet's node entry, and flux.conf carries it.
    entry = next(n for n in service.document.nodes if n.collateral_txid == txid)
    conf = await world.host.read_text(CONF) or ""
    assert f"zelnodeprivkey={entry.identity_wif}" in conf
    assert f"zelnodeoutpoint={txid}" in conf and f"zelnodeindex={index}" in conf
    # The installer's Flux ID is the wallet's.
    assert state.flux_id is not None and state.flux_id.startswith("1")
    user_config = world.host.snapshot()
    assert any(state.flux_id in text for path, text in user_config.items() if "zelflux" in path)
    # 5: sync progress and the benchmark wait were shown.
    assert any(v.step == StepId.SYNC and v.progress is not None and v.progress < 1
               for v in world.views)
    assert any("fluxbench to pass Cumulus" in v.waiting_for for v in world.views)
    # 6-7: the START went out once the collateral matured; STARTED -> CONFIRMED.
    assert any(v.step == StepId.START and v.waiting_for == "the collateral to mature"
               and v.eta_seconds for v in world.views)
    assert any(v.step == StepId.CONFIRM and v.status == "waiting" for v in world.views)
    assert state.start_txid is not None
    assert world.model.confirmed  # the simulated network lists the node as confirmed

    # The first reward reaches the collateral address.
    world.sim.mine()
    status = await flow.ports.wallet.status((txid, index), None)
    assert status.state == NodeState.CONFIRMED and status.last_paid_height == world.sim.height
    await service.sync()
    rewards = [c for c in service.state.coins  # type: ignore[union-attr]
               if c.address == coin.address and c.satoshis == COIN]
    assert len(rewards) == 1

    # No secret in the state file; it is private to the user.
    raw = world.store.path.read_text()
    assert entry.identity_wif not in raw and PrivateKey.from_wif(entry.identity_wif)
    assert stat.S_IMODE(world.store.path.stat().st_mode) == 0o600
    assert json.loads(raw)["step"] == "done"


@pytest.mark.asyncio
async def test_one_click_resumes_at_every_step_from_the_files_alone(world: World) -> None:
    """After every advance the app is "killed": a new wallet service opened from its file, new
    adapters and a new flow from the state file go on exactly where the old one stopped."""
    await world.new_wallet()
    resumed_at: list[StepId] = []
    for _ in range(400):
        service = await world.open_wallet() if resumed_at else world.services[0]
        flow = world.flow(service, tier="cumulus" if not resumed_at else None)
        before = world.store.load().step
        assert flow.state.step == before
        resumed_at.append(before)
        view = await flow.advance()
        world.views.append(view)
        assert view.status != "failed", view
        if view.status == "done":
            break
        if view.status == "waiting":
            await world.wait(view)
    assert set(resumed_at) == set(ORDER)
    assert len(world.offers) == 1  # a resumed flow never prepares a second collateral
    assert world.store.load().step == StepId.DONE

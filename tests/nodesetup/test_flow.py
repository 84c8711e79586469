"""The flow's own decisions with in-memory ports: tier choice, collateral, gate, START, DOS,
retry, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodesetup.flow import SetupFlow
from nodesetup.model import StepId, StepView
from nodesetup.ports import Candidate, CollateralOffer, Ports, SetupError
from nodesetup.store import SetupStore
from tests.nodesetup.fakes import (
    TXID,
    FakeBenchmark,
    FakeInstaller,
    FakeProbe,
    FakeWallet,
    immature,
)
from wallet.errors import BroadcastRejected
from wallet.nodes.errors import StartMaybeSent
from wallet.nodes.state import NodeState


class Rig:
    def __init__(self, tmp: Path, *, best: str | None = "NIMBUS", approve: bool = True) -> None:
        self.store = SetupStore(tmp / "node-setup.json")
        self.bench = FakeBenchmark(best)
        self.wallet = FakeWallet()
        self.installer = FakeInstaller()
        self.probe = FakeProbe()
        self.approved = approve
        self.views: list[StepView] = []

    async def approve(self, offer: CollateralOffer) -> bool:
        return self.approved

    def flow(self, tier: str | None = None) -> SetupFlow:
        ports = Ports(self.bench, self.wallet, self.installer, self.probe)
        flow = SetupFlow(self.store, ports, approve=self.approve, tier=tier)
        flow.on_view = self.views.append
        return flow

    async def until(self, flow: SetupFlow, step: StepId, limit: int = 50) -> StepView:
        view = await flow.advance()
        for _ in range(limit):
            if flow.state.step == step or view.status in ("failed", "done"):
                return view
            view = await flow.advance()
        raise AssertionError(f"never reached {step}: {view}")


@pytest.mark.asyncio
async def test_picks_the_highest_passing_tier(tmp_path: Path) -> None:
    rig = Rig(tmp_path, best="NIMBUS")
    flow = rig.flow()
    view = await flow.advance()
    assert view.status == "advanced" and flow.state.tier == "NIMBUS"
    assert not flow.state.warnings and flow.state.step == StepId.COLLATERAL
    assert any(v.status == "working" and v.progress == 0.5 for v in rig.views)


@pytest.mark.asyncio
async def test_the_users_tier_above_the_benchmark_is_kept_with_a_warning(tmp_path: Path) -> None:
    rig = Rig(tmp_path, best="CUMULUS")
    flow = rig.flow(tier="stratus")
    view = await flow.advance()
    assert flow.state.tier == "STRATUS" and flow.state.tier_by_user
    assert any("did not pass Stratus (best: Cumulus)" in d for d in view.detail)


@pytest.mark.asyncio
async def test_no_passing_tier_fails_with_the_shortfalls_then_a_choice_goes_on(
        tmp_path: Path) -> None:
    rig = Rig(tmp_path, best=None)
    flow = rig.flow()
    view = await flow.advance()
    assert view.status == "failed" and view.failure is not None
    assert "passes no FluxNode tier" in view.failure.message
    assert any("Stratus: CPU, all threads" in a for a in view.failure.advice)
    assert (await flow.advance()).status == "failed"  # stays failed until retried
    flow.choose_tier("cumulus")
    flow.retry()
    view = await flow.advance()
    assert view.status == "advanced" and flow.state.tier == "CUMULUS"
    assert any("did not pass Cumulus" in w for w in flow.state.warnings)


@pytest.mark.asyncio
async def test_a_matured_coin_in_the_wallet_is_used_without_a_send(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.wallet.coins = [Candidate("aa" * 32, 0, 12_500 * 10**8, 5),
                        Candidate("bb" * 32, 2, 12_500 * 10**8, 150)]
    flow = rig.flow()
    await rig.until(flow, StepId.IDENTITY)
    assert flow.state.outpoint == ("bb" * 32, 2) and not rig.wallet.sent
    assert not flow.state.collateral_prepared


@pytest.mark.asyncio
async def test_a_coin_that_already_backs_a_node_is_not_taken(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.wallet.coins = [Candidate("bb" * 32, 2, 12_500 * 10**8, 150)]
    rig.wallet.nodes[("bb" * 32, 2)] = ("other", "x")
    flow = rig.flow()
    await rig.until(flow, StepId.IDENTITY)
    assert flow.state.outpoint == (TXID, 1) and len(rig.wallet.sent) == 1


@pytest.mark.asyncio
async def test_a_declined_send_moves_nothing_and_retry_asks_again(tmp_path: Path) -> None:
    rig = Rig(tmp_path, approve=False)
    flow = rig.flow()
    view = await rig.until(flow, StepId.IDENTITY)
    assert view.status == "failed" and "not approved; no coins moved" in view.detail[0]
    assert not rig.wallet.sent and flow.state.outpoint is None
    rig.approved = True
    flow.retry()
    await rig.until(flow, StepId.IDENTITY)
    assert len(rig.wallet.sent) == 1 and flow.state.outpoint == (TXID, 1)


@pytest.mark.asyncio
async def test_identity_and_install_use_the_wallets_entry_and_flux_id(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = rig.flow()
    await rig.until(flow, StepId.SYNC)
    assert rig.wallet.nodes[(TXID, 1)][0] == "fluxnode"
    inputs = rig.installer.runs[0]
    assert inputs.flux_id == "1FluxIdOfTheWallet" and inputs.collateral == (TXID, 1)
    assert inputs.identity_wif == rig.wallet.identity_wif((TXID, 1))
    assert "identity_wif" not in repr(inputs) and inputs.identity_wif not in repr(inputs)
    working = [v for v in rig.views if v.step == StepId.INSTALL and v.status == "working"]
    assert working and working[0].eta_seconds == 600
    assert any("0/100 confirmations — matures in 100 blocks" in d for d in working[0].detail)


@pytest.mark.asyncio
async def test_an_install_failure_offers_the_fix_and_retry_resumes(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.installer.fail_once = True
    flow = rig.flow()
    view = await rig.until(flow, StepId.SYNC)
    assert view.status == "failed" and view.failure is not None
    assert "flux_packages" in view.failure.message and view.failure.advice == ["check the network"]
    flow.retry()
    await rig.until(flow, StepId.SYNC)
    assert len(rig.installer.runs) == 2


@pytest.mark.asyncio
async def test_sync_waits_with_progress_and_an_eta_from_the_observed_rate(
        tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    now = [1000.0]
    flow = rig.flow()
    flow.clock = lambda: now[0]
    await rig.until(flow, StepId.SYNC)
    first = await flow.advance()
    assert first.status == "waiting" and first.progress == pytest.approx(0.1)
    assert first.eta_seconds is None and "block 100 of 1000" in first.waiting_for
    rig.probe.height, now[0] = 400, 1060.0  # 300 blocks a minute
    second = await flow.advance()
    assert second.eta_seconds == 120
    rig.probe.height = 1000
    third = await flow.advance()
    assert "fluxbench to pass Nimbus (now: running)" in third.waiting_for
    rig.probe.bench = "CUMULUS"  # below the collateral's tier: still waiting
    assert (await flow.advance()).status == "waiting"
    rig.probe.bench = "NIMBUS"
    assert (await flow.advance()).status == "advanced" and flow.state.step == StepId.START


async def at_start(rig: Rig) -> SetupFlow:
    flow = rig.flow()
    await rig.until(flow, StepId.SYNC)
    rig.probe.ready()
    await rig.until(flow, StepId.START)
    return flow


@pytest.mark.asyncio
async def test_the_gate_refuses_a_start_when_flux_conf_differs(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    assert rig.installer.conf is not None
    rig.installer.conf["zelnodeindex"] = "0"
    rig.probe.advice = ("fluxd restarted — nothing to do",)
    view = await flow.advance()
    assert view.status == "failed" and view.failure is not None
    assert "zelnodeindex is not the wallet's collateral index" in view.failure.message
    assert "fluxd restarted — nothing to do" in view.failure.advice
    assert not rig.wallet.starts


@pytest.mark.asyncio
async def test_the_gate_refuses_when_fluxos_is_down(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    rig.probe.fluxos_up = False
    view = await flow.advance()
    assert view.status == "failed" and "FluxOS does not answer" in view.detail[0]
    assert not rig.wallet.starts


@pytest.mark.asyncio
async def test_a_node_that_fell_behind_goes_back_to_waiting_for_sync(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    rig.probe.height = 900
    view = await flow.advance()
    assert view.status == "waiting" and flow.state.step == StepId.SYNC
    assert not rig.wallet.starts


@pytest.mark.asyncio
async def test_start_waits_for_maturity_with_an_eta_then_starts(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    rig.wallet.start_error = immature(40)
    view = await flow.advance()
    assert view.status == "waiting" and view.waiting_for == "the collateral to mature"
    assert view.eta_seconds == 60 * 30
    rig.wallet.start_error = None
    view = await flow.advance()
    assert view.status == "advanced" and flow.state.step == StepId.CONFIRM
    assert rig.wallet.starts == [(TXID, 1)]
    view = await flow.advance()
    assert view.status == "waiting" and view.eta_seconds == 240 * 30
    rig.wallet.state = NodeState.CONFIRMED
    await flow.advance()
    assert (await flow.advance()).status == "done"


@pytest.mark.asyncio
async def test_a_start_that_may_have_been_sent_is_followed_not_resent(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    rig.wallet.start_error = StartMaybeSent("may have been sent", txid="12" * 32, sig_time=5)
    view = await flow.advance()
    assert flow.state.step == StepId.CONFIRM and flow.state.start_txid == "12" * 32
    assert any("may have been sent" in d for d in view.detail)
    rebuilt = rig.flow()  # the app restarts: it follows the recorded START
    assert rebuilt.state.start_txid == "12" * 32


@pytest.mark.asyncio
async def test_a_rejected_start_is_a_failure_never_a_success(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    rig.wallet.start_error = BroadcastRejected("refused: invalid signature", kind="x", code=-26,
                                               detail="")
    view = await flow.advance()
    assert view.status == "failed" and flow.state.step == StepId.START
    assert flow.state.start_txid is None


@pytest.mark.asyncio
async def test_dos_fails_with_the_doctors_advice_and_a_lapsed_start_retries(
        tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = await at_start(rig)
    await flow.advance()
    rig.wallet.state = NodeState.DOS
    rig.probe.advice = ("The benchmark failed — restart it",)
    view = await flow.advance()
    assert view.status == "failed" and view.failure is not None
    assert "The benchmark failed — restart it" in view.failure.advice
    rig.wallet.state = NodeState.NOT_STARTED
    flow.retry()
    view = await flow.advance()
    assert view.failure is not None and view.failure.retry_step == StepId.START
    flow.retry()
    assert flow.state.step == StepId.START and flow.state.start_txid is None
    await flow.advance()
    assert rig.wallet.starts == [(TXID, 1), (TXID, 1)]


@pytest.mark.asyncio
async def test_the_tier_cannot_change_once_a_collateral_is_chosen(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    flow = rig.flow()
    await rig.until(flow, StepId.IDENTITY)
    with pytest.raises(SetupError, match="already uses a Nimbus collateral"):
        rig.flow(tier="stratus")
    with pytest.raises(SetupError, match="Unknown tier"):
        flow.choose_tier("cirrus")

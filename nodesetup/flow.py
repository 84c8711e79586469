"""The one-click setup as a resumable state machine.

Each call of ``advance`` does one step's work or one poll of what it waits for, saves the state
and returns a ``StepView``. Killing the process at any point and building a new flow from the
same file resumes at the step it was in: every step first looks for what an earlier run did
(the collateral coin, the wallet's node entry, the installer's finished steps, our START).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from nodesetup.gate import health_gate
from nodesetup.model import TIERS, TITLES, Failure, StepId, StepView, next_step
from nodesetup.model import tier_rank as rank
from nodesetup.ports import (
    CollateralOffer,
    InstallInputs,
    NodeHealth,
    Outpoint,
    Ports,
    SetupError,
)
from nodesetup.store import SetupStore
from wallet.errors import BackendError, BroadcastRejected, WalletError, WalletLocked
from wallet.nodes.errors import StartMaybeSent, StartRefused
from wallet.nodes.state import NodeState, StartRecord
from wallet.nodes.timing import PON_TIMING, NodeTiming, describe_duration

log = logging.getLogger(__name__)

Approver = Callable[[CollateralOffer], Awaitable[bool]]
ViewSink = Callable[[StepView], None]
Waiter = Callable[[StepView], Awaitable[None]]

# Statuses of a StepView.
ADVANCED, WAITING, FAILED, DONE = "advanced", "waiting", "failed", "done"


class SetupFlow:
    def __init__(self, store: SetupStore, ports: Ports, *, approve: Approver,
                 tier: str | None = None, alias: str = "fluxnode",
                 clock: Callable[[], float] = time.time,
                 timing: NodeTiming = PON_TIMING) -> None:
        self.store = store
        self.ports = ports
        self.approve = approve
        self.alias = alias
        self.clock = clock
        self.timing = timing
        self.on_view: ViewSink = lambda _view: None
        self.state = store.load()
        # Running the flow is continuing it: a pause the person saved ends here.
        self.state.paused = False
        if tier is not None:
            self.choose_tier(tier)

    # --- the person's choices --------------------------------------------------------------

    def choose_tier(self, tier: str) -> None:
        name = tier.upper()
        if name not in TIERS:
            raise SetupError(f"Unknown tier {tier!r}; choose cumulus, nimbus or stratus.")
        state = self.state
        if state.outpoint is not None and state.tier not in (None, name):
            raise SetupError(
                f"This setup already uses a {str(state.tier).title()} collateral; it cannot "
                "switch tiers now. Finish it, or reset the setup to start over.")
        state.tier, state.tier_by_user = name, True
        if state.step != StepId.BENCHMARK and state.bench_best is not None:
            self._warn_if_below(name)
        self._save()

    def retry(self) -> None:
        """Clear a failure; the flow resumes at the failed step (or where the failure says)."""
        failure = self.state.failure
        if failure is None:
            return
        self.state.failure = None
        if failure.retry_step is not None:
            self.state.step = failure.retry_step
            if failure.retry_step == StepId.START:
                self._forget_start()
        self._save()

    # --- running ---------------------------------------------------------------------------

    async def advance(self) -> StepView:
        state = self.state
        if state.failure is not None:
            return self._failed_view()
        handler = {
            StepId.BENCHMARK: self._benchmark, StepId.COLLATERAL: self._collateral,
            StepId.IDENTITY: self._identity, StepId.INSTALL: self._install,
            StepId.SYNC: self._sync, StepId.START: self._start,
            StepId.CONFIRM: self._confirm, StepId.DONE: self._done,
        }[state.step]
        try:
            view = await handler()
        except SetupError as exc:
            view = self._fail(exc.message, list(exc.advice))
        except BroadcastRejected as exc:
            view = self._fail(str(exc), ["Read the reason, fix it, then retry."])
        except WalletLocked:
            # Not a failure of the step: the run stops as if the app had quit here (nothing
            # saved) and resumes at this step once the wallet is unlocked again.
            raise
        except (WalletError, BackendError) as exc:
            view = self._fail(str(exc), ["Check the wallet and its server, then retry."])
        self._save()
        return view

    async def run(self, on_view: ViewSink, wait: Waiter) -> StepView:
        """Advance until done or failed; ``wait`` is awaited after every "waiting" view."""
        self.on_view = on_view
        while True:
            view = await self.advance()
            on_view(view)
            if view.status in (DONE, FAILED):
                return view
            if view.status == WAITING:
                await wait(view)

    # --- steps -----------------------------------------------------------------------------

    async def _benchmark(self) -> StepView:
        state = self.state
        result = await self.ports.benchmark.run(self._progress(StepId.BENCHMARK))
        state.bench_best = result.best_tier
        if state.tier_by_user and state.tier is not None:
            self._warn_if_below(state.tier)
        elif result.best_tier is not None:
            state.tier = result.best_tier.upper()
        else:
            shortfalls = [f"{tier.title()}: {', '.join(items)}"
                          for tier, items in result.failed.items() if items]
            raise SetupError(
                "This machine passes no FluxNode tier, so a node here would fail fluxbench "
                "and never confirm.",
                (*shortfalls, "Upgrade the machine and retry, or choose a tier yourself "
                 "(--tier) if you will upgrade before the node starts."))
        best = result.best_tier.title() if result.best_tier else "no tier"
        return self._advanced(f"The benchmark passed {best}; setting up a "
                              f"{str(state.tier).title()} node.")

    async def _collateral(self) -> StepView:
        state, wallet = self.state, self.ports.wallet
        tier = self._tier()
        if state.outpoint is None:
            free = [c for c in await wallet.candidates(tier) if wallet.has_node(c.outpoint) is None]
            if free:
                coin = free[0]
                state.collateral_txid, state.collateral_index = coin.txid, coin.index
            else:
                offer = await wallet.offer_collateral(tier)
                if not await self.approve(offer):
                    raise SetupError(
                        "The send-to-self was not approved; no coins moved.",
                        (f"Approve the send of exactly {offer.amount // 10**8:,} FLUX to your own "
                         "address, or receive that amount in one payment, then retry.",))
                txid, index = await wallet.send_collateral(offer)
                state.collateral_txid, state.collateral_index = txid, index
                state.collateral_prepared = True
        return self._advanced(await self._maturity_line())

    async def _identity(self) -> StepView:
        state, wallet = self.state, self.ports.wallet
        outpoint = self._outpoint()
        alias = wallet.has_node(outpoint)
        if alias is None:
            alias = state.alias or self.alias
            await wallet.add_node(alias, outpoint)
        state.alias = alias
        state.flux_id = wallet.flux_id()
        return self._advanced(f"Node '{alias}' has its own identity key in the wallet; "
                              f"the node's owner is your Flux ID {state.flux_id}.")

    async def _install(self) -> StepView:
        state, wallet = self.state, self.ports.wallet
        outpoint = self._outpoint()
        maturity = await self._maturity_line()
        inputs = InstallInputs(self._tier(), wallet.identity_wif(outpoint), outpoint,
                               state.flux_id or wallet.flux_id())
        outcome = await self.ports.installer.install(
            inputs, self._progress(StepId.INSTALL, [maturity]))
        if not outcome.ok:
            raise SetupError(f"Install step '{outcome.failed_step}' failed: {outcome.message}",
                             tuple(a for a in (outcome.fix,) if a))
        return self._advanced("The node software is installed.", [maturity])

    async def _sync(self) -> StepView:
        tier = self._tier()
        health = await self.ports.probe.health(tier)
        if health.synced and rank(health.bench) >= rank(tier):
            return self._advanced(f"Synced at block {health.height}; fluxbench passed "
                                  f"{str(health.bench).title()}.")
        return self._sync_wait(health, tier, await self._maturity_line())

    async def _start(self) -> StepView:
        state, wallet = self.state, self.ports.wallet
        tier, outpoint = self._tier(), self._outpoint()
        if state.start_txid is not None:  # broadcast by an earlier run: follow it
            return self._move(StepId.CONFIRM, "A START was already broadcast; following it.")
        health = await self.ports.probe.health(tier)
        conf = await self.ports.installer.flux_conf()
        problems = health_gate(health, conf, tier=tier, identity_wif=wallet.identity_wif(outpoint),
                               outpoint=outpoint)
        if problems and all(p.transient for p in problems):
            state.step = StepId.SYNC
            return self._sync_wait(health, tier, await self._maturity_line())
        if problems:
            raise SetupError("The node is not ready to start: "
                             + " ".join(p.text for p in problems),
                             (*health.advice, "Fix it (or run the installer's repair), then "
                              "retry. A START for a node that cannot confirm costs ~6 h of DOS."))
        try:
            record = await wallet.start(outpoint, replace_pending=False)
        except StartRefused as refused:
            if refused.reason == "maturity":
                return self._view(StepId.START, WAITING, "the collateral to mature",
                                  eta=refused.eta_seconds, detail=[str(refused)],
                                  user_can="Nothing: the START is sent by itself once the "
                                  "collateral has 100 confirmations.")
            if refused.reason in (NodeState.STARTED, NodeState.CONFIRMED, NodeState.STARTING):
                return self._move(StepId.CONFIRM, str(refused))
            raise SetupError(str(refused)) from None
        except StartMaybeSent as unsure:
            record = StartRecord(unsure.txid, unsure.sig_time, int(self.clock()))
            state.warnings.append(str(unsure))
        state.start_txid, state.start_sig_time = record.txid, record.sig_time
        state.start_sent_at = record.sent_at
        return self._move(StepId.CONFIRM, f"START {record.txid} broadcast.")

    async def _confirm(self) -> StepView:
        state = self.state
        status = await self.ports.wallet.status(self._outpoint(), self._record())
        if status.state == NodeState.CONFIRMED:
            return self._move(StepId.DONE, status.summary)
        if status.state in (NodeState.STARTED, NodeState.STARTING):
            return self._view(StepId.CONFIRM, WAITING, "the network to confirm the node",
                              eta=status.eta_seconds, detail=[status.summary, status.next_step],
                              user_can="Keep this machine on and online; nothing else to do.")
        health = await self.ports.probe.health(self._tier())
        if status.state == NodeState.DOS:
            raise SetupError(f"{status.summary} {status.next_step}",
                             (*health.advice, "Fix what the doctor found; the setup starts the "
                              "node again when the DOS period is over."))
        state.failure = Failure(
            "The START did not reach the network (the node is in no list and our START has "
            "lapsed).", [*health.advice, "Retry to sign and send a new START."], StepId.START)
        return self._failed_view()

    async def _done(self) -> StepView:
        status = await self.ports.wallet.status(self._outpoint(), None)
        return self._view(StepId.DONE, DONE, "nothing", detail=[status.summary,
                                                               status.next_step],
                          user_can="The dashboard and alerts now watch the node.")

    # --- helpers ---------------------------------------------------------------------------

    def _tier(self) -> str:
        if self.state.tier is None:
            raise SetupError("No tier is chosen yet; run the benchmark step first.")
        return self.state.tier

    def _outpoint(self) -> Outpoint:
        outpoint = self.state.outpoint
        if outpoint is None:
            raise SetupError("No collateral is chosen yet; go back to the collateral step.")
        return outpoint

    def _record(self) -> StartRecord | None:
        s = self.state
        if s.start_txid is None or s.start_sig_time is None or s.start_sent_at is None:
            return None
        return StartRecord(s.start_txid, s.start_sig_time, s.start_sent_at)

    def _forget_start(self) -> None:
        self.state.start_txid = self.state.start_sig_time = self.state.start_sent_at = None

    def _warn_if_below(self, tier: str) -> None:
        best = self.state.bench_best
        if rank(best) < rank(tier):
            text = (f"The benchmark did not pass {tier.title()} (best: "
                    f"{best.title() if best else 'none'}); fluxbench on the node will fail at "
                    "this tier and the node will not confirm unless the machine is upgraded.")
            if text not in self.state.warnings:
                self.state.warnings.append(text)

    async def _maturity_line(self) -> str:
        outpoint = self.state.outpoint
        if outpoint is None:
            return ""
        coins = {c.outpoint: c for c in await self.ports.wallet.candidates(self._tier())}
        coin = coins.get(outpoint)
        if coin is None:
            return "Collateral: not seen by the wallet's server yet."
        need = self.timing.collateral_confirmations
        if coin.confirmations >= need:
            return f"Collateral: matured ({coin.confirmations} confirmations)."
        left = need - coin.confirmations
        eta = describe_duration(left * self.timing.block_spacing)
        return (f"Collateral: {coin.confirmations}/{need} confirmations — matures in {left} "
                f"blocks ({eta}), while the install goes on.")

    def _sync_wait(self, health: NodeHealth, tier: str, maturity: str) -> StepView:
        now = self.clock()
        eta, progress = None, None
        if health.height is not None and health.tip:
            progress = min(1.0, health.height / health.tip)
            mark = self.state.sync_mark
            if mark is None or health.height < mark[0]:
                self.state.sync_mark = [float(health.height), now]
            elif health.height > mark[0] and now > mark[1]:
                rate = (health.height - mark[0]) / (now - mark[1])
                eta = int(max(0, health.tip - health.height) / rate)
        if not health.synced:
            waiting = f"the chain to sync (block {health.height} of {health.tip})" \
                if health.height is not None and health.tip is not None else \
                "fluxd to answer and sync the chain"
        else:
            waiting = (f"fluxbench to pass {tier.title()} (now: {health.bench or 'no answer'})")
        return self._view(StepId.SYNC, WAITING, waiting, eta=eta, progress=progress,
                          detail=[d for d in (maturity, *health.advice) if d],
                          user_can="Leave FluxDesk and come back: the setup resumes here.")

    def _progress(self, step: StepId, extra: list[str] | None = None,
                  ) -> Callable[[float, str, float | None], None]:
        def report(fraction: float, words: str, eta: float | None) -> None:
            self.on_view(self._view(step, "working", words, progress=fraction,
                                    eta=None if eta is None else int(eta),
                                    detail=list(extra or [])))
        return report

    def _advanced(self, summary: str, detail: list[str] | None = None) -> StepView:
        step = self.state.step
        self.state.step = next_step(step)
        return self._view(step, ADVANCED, "nothing", detail=[summary, *(detail or [])])

    def _move(self, to: StepId, summary: str) -> StepView:
        step = self.state.step
        self.state.step = to
        return self._view(step, ADVANCED, "nothing", detail=[summary])

    def _fail(self, message: str, advice: list[str]) -> StepView:
        self.state.failure = Failure(message, advice)
        log.info("setup step %s failed", self.state.step)
        return self._failed_view()

    def _failed_view(self) -> StepView:
        failure = self.state.failure
        assert failure is not None
        return self._view(self.state.step, FAILED, "you", detail=[failure.message],
                          user_can="Retry, or follow the advice.", failure=failure)

    def _view(self, step: StepId, status: str, waiting_for: str, *, eta: int | None = None,
              progress: float | None = None, detail: list[str] | None = None,
              user_can: str = "", failure: Failure | None = None) -> StepView:
        return StepView(step, TITLES[step], status, waiting_for, eta, user_can, progress,
                        [d for d in (detail or []) if d] + list(self.state.warnings), failure)

    def _save(self) -> None:
        self.store.save(self.state)

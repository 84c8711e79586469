"""NodesModel: the Qt side of `wallet.nodes.manager.NodeManager`.

The manager reads and edits the wallet through the WalletService, so it lives on the engine loop
like the service (ui/concurrency.py): every call goes there inside a coroutine that runs on the
engine, and what comes back (node views, collateral coins, a START review) is immutable. After a
change the WalletModel re-reads its snapshot, so the Coins and Overview pages follow at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from ui.concurrency import Engine
from ui.wallet.wallet_model import WalletModel
from wallet.errors import WalletError
from wallet.state import WalletStatus

if TYPE_CHECKING:
    # Types only: the manager (keys, START transactions) is imported when first made, on the
    # engine, so a start with a locked wallet does not load it.
    from wallet.nodes.batch import BatchItem
    from wallet.nodes.collateral import CollateralCoin
    from wallet.nodes.conf import ImportResult
    from wallet.nodes.manager import NodeManager
    from wallet.nodes.prepare import PreparedCollateral
    from wallet.nodes.rewards import RewardEstimate
    from wallet.nodes.state import StartRecord
    from wallet.nodes.views import NodeView, StartReview
    from wallet.send import Review
    from wallet.storage.model import NodeEntry

log = logging.getLogger(__name__)
T = TypeVar("T")
Outpoint = tuple[str, int]
# The node lists change once a block (30 s); a visible Nodes page re-reads them this often.
REFRESH_SECONDS = 60.0
# The one-click setup page (ui/pages/setup.py) the Nodes page offers for a node on this machine.
SETUP_PAGE = "setup"


@dataclass(frozen=True)
class NodesSnapshot:
    """What the Nodes page shows, read on the engine in one go."""

    nodes: tuple[NodeView, ...]
    candidates: tuple[CollateralCoin, ...]
    flux_id: str  # "" when the wallet has none (no seed)
    flux_id_problem: str  # why there is none, in words
    estimates: tuple[RewardEstimate, ...] = ()  # per tier, when the node count is known
    estimate_problem: str = ""  # why there is no estimate, in words

    def estimate(self, tier: str) -> RewardEstimate | None:
        return next((e for e in self.estimates if e.tier.name.lower() == tier), None)

    def node(self, name: str) -> NodeView | None:
        return next((n for n in self.nodes if n.name == name), None)

    def coin(self, outpoint: Outpoint) -> CollateralCoin | None:
        return next((c for c in self.candidates if c.outpoint == outpoint), None)


class NodesModel(QObject):
    """Signals out, coroutines in; the GUI thread never touches the manager or the service."""

    changed = Signal()  # a new snapshot (or None after a lock)
    failed = Signal(str)  # a refresh did not work: the words say why and what to do
    page_requested = Signal(str)  # switch the window to this page id
    add_requested = Signal(object)  # "Use as node…" on a coin: open Add node for its outpoint

    def __init__(
        self, wallet: WalletModel, make_manager: Callable[[], NodeManager], engine: Engine, *,
        refresh_seconds: float = REFRESH_SECONDS, parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.wallet = wallet
        self.network = wallet.network
        # Built on the engine at first use, so it sees the servers the settings hold by then.
        self._make_manager = make_manager
        self._manager: NodeManager | None = None
        self._engine = engine
        self.snapshot: NodesSnapshot | None = None
        self.problem = ""
        self._refresh_task: asyncio.Future[None] | None = None
        self._epoch = 0
        self._watching = False
        self.timer = QTimer(self)
        self.timer.setInterval(int(refresh_seconds * 1000))
        self.timer.timeout.connect(self._tick)
        wallet.state_changed.connect(self._wallet_state)

    # --- the engine side -------------------------------------------------------------------

    async def _call(self, work: Callable[[NodeManager], Awaitable[T]]) -> T:
        """Run ``work(manager)`` on the engine loop (the manager is only touched there)."""

        async def on_engine() -> T:
            if self._manager is None:
                self._manager = self._make_manager()
            return await work(self._manager)

        self.wallet.touch()
        return await self._engine.call(on_engine())

    async def _change(self, work: Callable[[NodeManager], T]) -> T:
        """A plain edit of the wallet document, then fresh snapshots for every page."""

        async def run(manager: NodeManager) -> T:
            return work(manager)

        result = await self._call(run)
        await self.wallet.refresh_state()
        await self.refresh()
        return result

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[None]:
        """Read nodes, candidates and the Flux ID; one run at a time. Failures become
        ``problem`` and the ``failed`` signal, never an exception in a slot."""
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = asyncio.ensure_future(self._run_refresh())
        return self._refresh_task

    async def _run_refresh(self) -> None:
        if self.wallet.state != WalletStatus.UNLOCKED:
            return
        epoch = self._epoch
        try:
            snapshot = await self._call(_read)
        except WalletError as exc:
            log.warning("node refresh failed: %s", exc)
            if epoch == self._epoch:
                self.problem = str(exc)
                self.failed.emit(self.problem)
            return
        if epoch != self._epoch:  # locked meanwhile: this snapshot must not come back
            return
        self.problem = ""
        self.snapshot = snapshot
        self.changed.emit()
        await self.wallet.refresh_state()

    def _tick(self) -> None:
        self.refresh()

    def _wallet_state(self, state: str) -> None:
        if state == WalletStatus.UNLOCKED:
            # Once per unlock in any case: the Coins page labels collaterals from it too.
            if self._watching:
                self.timer.start()
            self.refresh()
            return
        self._epoch += 1
        self.timer.stop()
        if self.snapshot is not None:
            self.snapshot = None
            self.changed.emit()

    def watch(self, visible: bool) -> None:
        """Re-read now and every minute while a page that shows nodes is visible."""
        self._watching = visible
        if visible and self.wallet.state == WalletStatus.UNLOCKED:
            self.timer.start()
            self.refresh()
        else:
            self.timer.stop()

    # --- changes ---------------------------------------------------------------------------

    async def add_node(self, name: str, outpoint: Outpoint, identity_wif: str | None) -> NodeEntry:
        async def add(manager: NodeManager) -> NodeEntry:
            return await manager.add_node(name, outpoint, identity_wif)

        entry = await self._call(add)
        await self.wallet.refresh_state()
        await self.refresh()
        return entry

    async def node_entry(self, name: str) -> NodeEntry:
        """The stored entry (with its identity key), for the configuration dialog."""

        async def entry(manager: NodeManager) -> NodeEntry:
            return manager.entry(name)

        return await self._call(entry)

    async def remove_node(self, name: str, *, not_collateral: bool) -> None:
        await self._change(lambda m: m.remove_node(name, not_collateral=not_collateral))

    async def new_identity(self, name: str) -> str:
        return await self._change(lambda m: m.new_identity(name))

    async def set_collateral_decision(self, outpoint: Outpoint, decision: bool | None) -> None:
        await self._change(lambda m: m.set_collateral_decision(outpoint, decision))

    async def import_conf(self, path: Path) -> ImportResult:
        return await self._change(lambda m: m.import_conf(path))

    async def export_conf(self, path: Path) -> int:
        async def export(manager: NodeManager) -> int:
            return manager.export_conf(path)

        return await self._call(export)

    # --- starting --------------------------------------------------------------------------

    async def review_start(self, name: str, *, replace_pending: bool = False) -> StartReview:
        """Pre-checks, then a signed and verified START that is not sent (StartRefused says
        why not, with an ETA)."""

        async def review(manager: NodeManager) -> StartReview:
            return await manager.review_start(name, replace_pending)

        return await self._call(review)

    async def send_start(self, review: StartReview) -> StartRecord:
        """Broadcast a reviewed START. The record ("starting") is saved with the node even when
        the outcome is unknown; a refusal raises and is never a success."""

        async def send(manager: NodeManager) -> StartRecord:
            return await manager.send_start(review)

        try:
            return await self._call(send)
        finally:
            await self.wallet.refresh_state()
            await self.refresh()

    async def plan_start_all(self) -> list[BatchItem]:
        """"Start all" planned on the engine: each node skipped, refused or ready (signed)."""

        async def plan(manager: NodeManager) -> list[BatchItem]:
            return await manager.plan_start_all()

        return await self._call(plan)

    async def start_all(self, plan: list[BatchItem]) -> list[BatchItem]:
        """Broadcast the ready STARTs of ``plan``; every node comes back with its outcome."""

        async def send(manager: NodeManager) -> list[BatchItem]:
            return await manager.start_all(plan)

        try:
            return await self._call(send)
        finally:
            await self.wallet.refresh_state()
            await self.refresh()

    # --- preparing a collateral ------------------------------------------------------------

    async def prepare_collateral(self, tier: str) -> Review:
        """The checked send-to-self review of exactly the tier amount (nothing signed)."""

        async def prepare(manager: NodeManager) -> Review:
            return await manager.prepare_collateral(tier)

        return await self._call(prepare)

    async def send_collateral(self, review: Review) -> PreparedCollateral:
        """Broadcast it; the new coin then shows as a candidate with its maturity ETA."""

        async def send(manager: NodeManager) -> PreparedCollateral:
            return await manager.send_collateral(review)

        try:
            return await self._call(send)
        finally:
            await self.wallet.refresh_state()
            await self.refresh()

    async def close(self) -> None:
        """Close the node lists' HTTP session on the engine loop."""
        self.timer.stop()

        async def closing() -> None:
            if self._manager is not None:
                await self._manager.lists.close()

        await self._engine.call(closing())


async def _read(manager: NodeManager) -> NodesSnapshot:
    nodes = await manager.nodes()
    candidates = await manager.candidates()
    try:
        flux_id, problem = manager.flux_id(), ""
    except WalletError as exc:
        flux_id, problem = "", str(exc)
    estimates: tuple[RewardEstimate, ...] = ()
    if manager.lists.fluxos_url is None:
        why_not = "it needs the number of nodes per tier, from a FluxOS API, and none is set."
    else:
        try:
            estimates, why_not = tuple(await manager.reward_estimates()), ""
        except WalletError as exc:  # the node count or the schedule is not known
            why_not = str(exc)
    return NodesSnapshot(tuple(nodes), tuple(candidates), flux_id, problem, estimates, why_not)

"""The wallet's Flux ID for the node monitor: the doctor compares it with the node's owner
(FluxOS ``/flux/id``, userconfig ``zelid``).

The GUI follows the wallet: while it is unlocked every watched node's ``NodeContext`` carries
the wallet's Flux ID, and once it locks the context says why it is unknown (so the doctor says
"not checked" instead of passing). The CLI opens the wallet only when the person gave
``--password-file``; it never asks for a password in a command that did not ask for the wallet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.target import WatchedNode
from wallet.errors import WalletError
from wallet.nodes.errors import NodeInputError
from wallet.nodes.views import wallet_flux_id
from wallet.state import WalletStatus

if TYPE_CHECKING:
    from app.services import Services
    from ui.monitor_service import MonitorService
    from wallet.fluxid import FluxId
    from wallet.service import WalletService

NOT_COMPARED = "Not compared with this wallet's Flux ID:"
LOCKED = (f"{NOT_COMPARED} the wallet is locked.",
          "Unlock the wallet to compare the node's owner Flux ID with yours.")
NO_WALLET = (f"{NOT_COMPARED} there is no wallet yet.",
             "Create or restore a wallet to have a Flux ID.")
CLI_NOT_OPENED = (f"{NOT_COMPARED} the wallet was not opened.",
                  "Add --password-file FILE (and --wallet NAME) to compare it.")


@dataclass(frozen=True)
class WalletFluxId:
    """The wallet's Flux ID, or why it is unknown (words, next step)."""

    flux_id: str | None
    unknown: tuple[str, str] | None = None

    @classmethod
    def missing(cls, why: tuple[str, str]) -> WalletFluxId:
        return cls(None, why)

    def apply(self, context: NodeContext) -> NodeContext:
        return replace(context, wallet_flux_id=self.flux_id,
                       wallet_flux_id_unknown=None if self.flux_id else self.unknown)

    def apply_to(self, nodes: Iterable[WatchedNode]) -> None:
        for node in nodes:
            node.watch.probe.context = self.apply(node.context)


async def derive(service: WalletService) -> WalletFluxId:
    """The open wallet's Flux ID, on the loop that owns ``service``; the seed's key stretching
    runs in a worker thread. A wallet without a seed, or locked meanwhile, gives the reason."""
    try:
        document = service.document
        return WalletFluxId(await asyncio.to_thread(wallet_flux_id, document))
    except WalletError as exc:
        return WalletFluxId.missing((f"{NOT_COMPARED} {exc}", ""))


async def flux_id_key(service: WalletService) -> FluxId:
    """The open wallet's Flux ID with its key, for one FluxOS login (not kept); on the loop that
    owns ``service``. WalletLocked when locked, NodeInputError for a wallet without a seed."""
    from wallet.fluxid import flux_id_from_mnemonic
    from wallet.storage.model import HdSeed

    kind = service.document.kind
    if not isinstance(kind, HdSeed):
        raise NodeInputError("This wallet has no seed phrase, so it has no Flux ID of its own.")
    return await asyncio.to_thread(flux_id_from_mnemonic, kind.mnemonic, kind.passphrase)


async def cli_wallet_flux_id(services: Services, wallet: str,
                             password: str | None) -> WalletFluxId:
    """For `fluxdesk node status|doctor`: the wallet's Flux ID when a password was given (from
    --password-file; these commands never prompt). Raises ``WalletError`` (wrong password,
    damaged file): the person asked for the wallet, so that is theirs to see, not a skip."""
    if password is None:
        return WalletFluxId.missing(CLI_NOT_OPENED)
    service = services.wallet_service(wallet)
    if not service.store.exists():
        return WalletFluxId.missing((f"{NOT_COMPARED} there is no wallet at "
                                     f"{service.store.path}.",
                                     "Create or restore one, or name yours with --wallet."))
    try:
        await service.open(password)
        return await derive(service)
    finally:
        await service.close()


class WalletFluxIdFeed:
    """Keeps the GUI monitor's nodes in step with the wallet's lock state (on the Qt loop).

    ``status`` is the wallet model's current state and ``changed`` its ``state_changed``
    signal; ``flux_id`` derives the Flux ID where the wallet service lives (the engine).
    New nodes (after an install, a remote added) get the value through ``current``.
    """

    def __init__(self, monitor: MonitorService, status: Callable[[], str],
                 flux_id: Callable[[], Awaitable[WalletFluxId]]) -> None:
        self._monitor = monitor
        self._status = status
        self._flux_id = flux_id
        self._epoch = 0
        self._task: asyncio.Task[None] | None = None
        self.current = WalletFluxId.missing(LOCKED if status() != WalletStatus.NONE
                                            else NO_WALLET)

    def on_status(self, status: str) -> None:
        """Slot for the wallet model's ``state_changed``."""
        self._epoch += 1
        self._task = asyncio.ensure_future(self._update(self._epoch, status))

    def check_now(self) -> None:
        self.on_status(self._status())

    async def _update(self, epoch: int, status: str) -> None:
        if status == WalletStatus.UNLOCKED:
            known = await self._flux_id()
        else:
            known = WalletFluxId.missing(NO_WALLET if status == WalletStatus.NONE else LOCKED)
        if epoch != self._epoch or known == self.current:
            return  # the wallet changed again meanwhile, or nothing to tell
        self.current = known
        known.apply_to(self._monitor.nodes)
        if self._monitor.results:  # already polled: judge again with the new Flux ID now
            await self._monitor.poll_all()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

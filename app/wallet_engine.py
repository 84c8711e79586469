"""The wallet engine the GUI talks to: WalletService (wallet/) adapted to ui.wallet's protocol.

Lives in app/ because it spans both sides: it turns wallet snapshots into the plain rows the pages
show, and adds the few operations the service does not offer yet (coin-controlled sends, contacts,
password change, consolidation) through `GuiWalletService` (app/gui_wallet_service.py).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from app.engine_thread import EngineThread
from app.gui_wallet_service import GuiWalletService
from flux.tiers import tier_for_amount
from ui.wallet.history_model import HistoryRow
from ui.wallet.models import (
    AddressRow,
    Balances,
    CoinRow,
    ConnectionInfo,
    ConsolidationPlan,
    ContactRow,
    Review,
    SendRequest,
    WalletState,
)
from ui.wallet.service import Progress
from wallet import send as wsend
from wallet.address import decode_address_for
from wallet.backends.base import ChainBackend
from wallet.errors import StorageError, WalletError
from wallet.keychain import CHANGE, RECEIVE
from wallet.storage import fileio
from wallet.storage.model import Contact, HdSeed, WalletSettings

Outpoint = tuple[str, int]
# Where a person can look a transaction up; networks without a public explorer have none.
EXPLORER_TX_URLS = {"mainnet": "https://explorer.runonflux.io/tx/{txid}"}
# Builds the chain backend from the wallet's own settings (known only once it is unlocked);
# returns the backend and a sentence for the status bar.
BackendFactory = Callable[[WalletSettings], Awaitable[tuple[ChainBackend, str]]]


class WalletEngine:
    """Implements ui.wallet.service.WalletEngine on top of GuiWalletService."""

    def __init__(
        self, service: GuiWalletService, backend_for: BackendFactory,
        worker: EngineThread | None = None,
    ) -> None:
        self.service = service
        self._backend_for = backend_for
        # Everything that touches the service or its backend runs on this loop (see
        # app/engine_thread.py); reads of the immutable state snapshot happen on the GUI thread.
        self.worker = worker or EngineThread()
        self._rows: list[HistoryRow] = []
        self._fresh = ""
        self.network_name = service.network.name
        self.currency = service.network.currency_unit
        self._connection = ConnectionInfo("Not connected", None)

    # --- lifecycle -------------------------------------------------------------------------

    def state(self) -> WalletState:
        if self.service.is_open:
            return WalletState.UNLOCKED
        return WalletState.LOCKED if self.service.store.exists() else WalletState.NONE

    def can_spend(self) -> bool:
        return self.service.is_open and self.service.keychain.can_sign

    def is_remembered(self) -> bool:
        try:
            return self.service.store.is_remembered()
        except WalletError:
            return False

    async def unlock(self, password: str) -> None:
        await self.worker.call(self._open(password))

    async def unlock_remembered(self) -> None:
        await self.worker.call(self._open(None))

    async def _open(self, password: str | None) -> None:
        if password is None:
            await self.service.open_remembered()
        else:
            await self.service.open(password)
        await self._use_configured_backend()

    async def _use_configured_backend(self) -> None:
        backend, reason = await self._backend_for(self.service.document.settings)
        old = self.service.backend
        self.service.set_backend(backend)
        if old is not backend:
            await old.close()
        self._connection = ConnectionInfo(reason, None)

    def lock(self) -> None:
        # Forget the keys now (from this thread), then let the engine drop its state between
        # two of its steps.
        wallet = self.service._wallet
        if wallet is not None:
            wallet.lock()
        self._rows = []
        self._fresh = ""
        self.worker.submit(self.service.lock)

    def touch(self) -> None:
        self.service.touch()

    def check_idle(self) -> bool:
        return not self.service.is_open

    async def sync(self, progress: Progress) -> None:
        progress(f"Synchronising with {self.service.backend.name}…")
        await self.worker.call(self._sync())

    async def _sync(self) -> None:
        # A full sync allocates hundreds of thousands of objects; a cyclic-GC pass over them
        # holds the GIL long enough to freeze the window, so collect only after it, once.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            state = await self.service.sync()
            rows = self._history_rows()
            for row in rows:
                row.prepare()
            self._rows = rows
        finally:
            gc.freeze()
            if was_enabled:
                gc.enable()
        self._connection = ConnectionInfo(
            f"Connected to {state.backend}", True, tip_height=state.tip
        )

    def connection(self) -> ConnectionInfo:
        return self._connection

    # --- reading ---------------------------------------------------------------------------

    def balances(self) -> Balances:
        state = self.service.state
        if state is None:
            return Balances()
        b = state.balances
        return Balances(b.total, b.spendable, b.pending, b.locked, b.immature, b.frozen)

    def history(self) -> list[HistoryRow]:
        return self._rows

    def _history_rows(self) -> list[HistoryRow]:
        state = self.service.state
        if state is None:
            return []
        labels = self.service.document.labels
        return [
            HistoryRow(
                txid=e.txid, kind=str(e.type), amount=e.amount, confirmations=e.confirmations,
                height=e.height, fee=e.fee, label=labels.get(e.txid, e.message or ""),
                expiry_height=e.expiry_height or None, addresses=e.addresses,
            )
            for e in state.history
        ]

    def coins(self) -> list[CoinRow]:
        state = self.service.state
        if state is None:
            return []
        labels = self.service.document.labels
        rows = []
        for c in state.coins:
            tier = tier_for_amount(c.satoshis, self.service.network) if c.locked else None
            rows.append(CoinRow(
                c.txid, c.vout, c.address, c.satoshis, c.confirmations, c.coinbase, c.frozen,
                (tier.name.capitalize() if tier is not None else "Node") if c.locked else "",
                labels.get(c.address, ""),
            ))
        return rows

    def addresses(self) -> list[AddressRow]:
        keychain = self.service.keychain
        document = self.service.document
        state = self.service.state
        balance: dict[str, int] = {}
        for coin in state.coins if state else ():
            balance[coin.address] = balance.get(coin.address, 0) + coin.satoshis
        used = {a for e in (state.history if state else ()) for a in e.addresses}
        rows = []
        if keychain.is_hd:
            account = document.accounts[0] if document.accounts else None
            for chain, name in ((RECEIVE, "receive"), (CHANGE, "change")):
                handed = (account.receive_count if chain == RECEIVE else account.change_count) \
                    if account else 0
                for entry in keychain.derive_range(chain, 0, max(handed, 1)):
                    rows.append(AddressRow(
                        entry.address, name, entry.index or 0, balance.get(entry.address, 0),
                        entry.address in used or entry.address in balance,
                        document.labels.get(entry.address, "")))
        for number, entry in enumerate(keychain.fixed_addresses):
            rows.append(AddressRow(
                entry.address, "imported", number, balance.get(entry.address, 0),
                entry.address in used or entry.address in balance,
                document.labels.get(entry.address, "")))
        return rows

    def contacts(self) -> list[ContactRow]:
        return [ContactRow(c.name, c.address, c.note)
                for c in self.service.document.address_book]

    async def set_contacts(self, contacts: Sequence[ContactRow]) -> None:
        await self.worker.run(self._set_contacts, list(contacts))

    def _set_contacts(self, contacts: list[ContactRow]) -> None:
        self.service.document.address_book = [Contact(c.name, c.address, c.note)
                                              for c in contacts]
        self.service.save_document()

    def receive_address(self) -> str:
        # After "New address" that one stays current until coins arrive on it.
        state = self.service.state
        if self._fresh and not (state and any(c.address == self._fresh for c in state.coins)):
            return self._fresh
        return self.service.receive_address()

    async def new_receive_address(self) -> str:
        def hand_out() -> str:
            current = self.receive_address()
            if not self.service.keychain.is_hd:
                return current  # imported keys and address lists have no fresh addresses
            address = self.service.receive_address(new=True)
            while address == current:
                address = self.service.receive_address(new=True)
            return address

        self._fresh = await self.worker.run(hand_out)
        return self._fresh

    async def set_label(self, key: str, label: str) -> None:
        await self.worker.run(self.service.set_label, key, label)

    async def set_frozen(self, outpoints: Sequence[Outpoint], frozen: bool) -> None:
        def freeze_all() -> None:
            for outpoint in outpoints:
                self.service.freeze(outpoint, frozen)

        await self.worker.run(freeze_all)

    # --- sending ---------------------------------------------------------------------------

    async def prepare_send(self, request: SendRequest) -> Review:
        wanted = wsend.SendRequest(
            to=request.address, amount=request.amount_text or "",
            fee_preset=request.fee_preset, message=request.message or None,
            expiry_delta=self.service.document.settings.expiry_delta,
        )
        review = await self.worker.call(self.service.prepare_send_from(wanted, request.coins))
        return _review_view(review)

    async def broadcast(self, review: Review) -> str:
        assert isinstance(review.token, wsend.Review)
        return await self.worker.call(self.service.send(review.token))

    async def plan_consolidation(self) -> ConsolidationPlan:
        reviews = await self.worker.call(self.service.consolidation_reviews())
        return ConsolidationPlan(
            batches=len(reviews),
            inputs=sum(len(r.inputs) for r in reviews),
            amount=sum(i.satoshis for r in reviews for i in r.inputs),
            fee=sum(r.fee for r in reviews),
            token=reviews,
        )

    async def consolidate(self, plan: ConsolidationPlan) -> list[str]:
        assert isinstance(plan.token, list)
        return [await self.worker.call(self.service.send(review)) for review in plan.token]

    # --- security --------------------------------------------------------------------------

    async def change_password(self, old: str, new: str) -> None:
        await self.worker.call(self.service.change_password(old, new))

    async def _check_password(self, password: str) -> None:
        # A second, throw-away unlock proves the password without touching the open wallet.
        other = await self.service.store.open_async(password)
        other.lock()

    async def reveal_seed(self, password: str) -> str:
        await self._check_password(password)
        kind = self.service.document.kind
        if not isinstance(kind, HdSeed):
            raise StorageError("This wallet has no seed words (imported keys or watch-only).")
        note = "\n(plus your passphrase)" if kind.has_passphrase else ""
        return kind.mnemonic + note

    async def export_backup(self, target: Path, password: str) -> None:
        await self._check_password(password)
        source = self.service.store.path
        if target.resolve() == source.resolve():
            raise StorageError("Choose another place than the wallet file itself.")
        await asyncio.to_thread(_copy_private, source, target)

    def auto_lock_minutes(self) -> int:
        return self.service.document.settings.auto_lock_minutes

    async def set_auto_lock_minutes(self, minutes: int) -> None:
        def apply() -> None:
            self.service.document.settings.auto_lock_minutes = max(0, minutes)
            self.service.save_document()

        await self.worker.run(apply)

    async def close(self) -> None:
        """Close the backend's connections on the engine loop, then stop the engine thread."""
        await self.worker.call(self.service.close())
        self.worker.stop()

    def explorer_url(self, txid: str) -> str:
        template = EXPLORER_TX_URLS.get(self.network_name, "")
        return template.format(txid=txid) if template else ""

    def check_address(self, address: str) -> tuple[bool, str]:
        try:
            decode_address_for(address, self.service.network)
        except WalletError as exc:
            return False, str(exc)
        known = {c.address: c.name for c in self.service.document.address_book}
        name = known.get(address)
        return True, f"✓ {name}" if name else "✓ valid address"


def _copy_private(source: Path, target: Path) -> None:
    """Copy the wallet file owner-only (0600) and atomically: a crash never leaves half a backup,
    and other users on the machine cannot read it."""
    data = fileio.read_bytes(source)
    if data is None:
        raise StorageError(f"The wallet file {source} is gone; nothing was exported.")
    fileio.atomic_write(target, data, keep_backup=False)


def _review_view(review: wsend.Review) -> Review:
    recipients = tuple((o.address or "", o.satoshis) for o in review.outputs
                       if o.role == "recipient")
    return Review(
        recipients=recipients, amount=review.amount, fee=review.fee, change=review.change,
        inputs=len(review.inputs), size=review.size, expiry_height=review.expiry_height,
        tip_height=review.tip_height, message=review.message or "",
        change_address=review.change_address if review.change else None, token=review,
    )


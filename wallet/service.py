"""WalletService: one wallet file + one chain backend + sync + send, for the GUI and the CLI.

Async and Qt-free. Views call its coroutines and read `state` (an immutable WalletState
snapshot, published after opening and after every change); listeners registered with `subscribe`
get every new snapshot. Slow work (key derivation for the wallet file, seed stretching) runs in a
worker thread so an event loop never stalls. The service is not thread-safe: one event loop owns
it (the GUI's rule is in ui/concurrency.py); other threads only read `state`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from flux.networks import network_by_name
from wallet.errors import (
    AddressNotWatched,
    BroadcastUncertain,
    InvalidKey,
    StorageError,
    WalletLocked,
)
from wallet.state import ContactInfo, WalletState, WalletStatus
from wallet.storage.model import (
    Contact,
    HdSeed,
    ImportedKeys,
    WalletDocument,
    WalletKind,
    WatchOnly,
)
from wallet.storage.store import UnlockedWallet, WalletStore

# What only an open wallet uses (keys and secp256k1, sync, the backends' proofs, building and
# signing transactions, backups) is imported by the methods that use it: a start with a locked
# wallet, the usual start, shows its window without loading any of it.
if TYPE_CHECKING:
    from wallet.backends.base import ChainBackend
    from wallet.keychain import Keychain
    from wallet.send import Review, SendRequest, SignedTransaction
    from wallet.sync import SyncState, WalletSync
    from wallet.sync_store import SyncStore

log = logging.getLogger(__name__)

Listener = Callable[[WalletState], None]
Outpoint = tuple[str, int]


class WalletService:
    """The wallet as the rest of the app sees it. One instance per open wallet file."""

    def __init__(self, store: WalletStore, backend: ChainBackend, *, network: str) -> None:
        self.store = store
        self.backend = backend
        self.network = network_by_name(network)
        self._wallet: UnlockedWallet | None = None
        self._keychain: Keychain | None = None
        self._sync: WalletSync | None = None
        self._sync_state: SyncState | None = None
        # The sync cache file and the state read from it, until the first sync refreshes it.
        self._cache: SyncStore | None = None
        self._cached: SyncState | None = None
        self._state: WalletState | None = None
        self._listeners: list[Listener] = []
        self._lock = asyncio.Lock()
        # Collateral coins the user chose to spend in this session (never saved).
        self._unlocked: set[Outpoint] = set()

    # --- opening ---------------------------------------------------------------------------

    async def create(self, password: str, *, words: int = 24, passphrase: str = "") -> str:
        """A new HD wallet; returns the seed phrase for the person to write down."""
        from wallet.bip39 import generate_mnemonic

        mnemonic = generate_mnemonic(words)
        await self._create(HdSeed(mnemonic, passphrase), password)
        return mnemonic

    async def restore(self, mnemonic: str, password: str, *, passphrase: str = "") -> None:
        from wallet.bip39 import validate_mnemonic

        await self._create(HdSeed(validate_mnemonic(mnemonic), passphrase), password)

    async def import_keys(self, wifs: Sequence[str], password: str) -> None:
        if not wifs:
            raise InvalidKey("Give at least one private key (WIF) to import.")
        await self._create(ImportedKeys([w.strip() for w in wifs]), password)

    async def watch(
        self, password: str, *, xpub: str | None = None, addresses: Sequence[str] = ()
    ) -> None:
        from wallet.keychain import watch_only_xpub

        if not xpub and not addresses:
            raise InvalidKey("A watch-only wallet needs an account xpub or some addresses.")
        public = watch_only_xpub(xpub, self.network) if xpub else None
        await self._create(WatchOnly(public, [a.strip() for a in addresses]), password)

    async def open(self, password: str) -> None:
        wallet = await self.store.open_async(password)
        await self._attach(wallet)

    async def open_remembered(self) -> None:
        wallet = await asyncio.to_thread(self.store.open_remembered)
        await self._attach(wallet)

    async def _create(self, kind: WalletKind, password: str) -> None:
        await self.create_from(WalletDocument(kind=kind, network=self.network.name), password)

    async def create_from(self, document: WalletDocument, password: str) -> None:
        """Write a new wallet file for `document` (one key derivation) and open it."""
        from wallet.keychain import Keychain

        if document.network != self.network.name:
            raise StorageError(
                f"This service is on {self.network.name}; a {document.network} wallet needs "
                f"FluxDesk on {document.network}."
            )
        # Built first so a bad key or xpub is refused before any file is written.
        keychain = await asyncio.to_thread(Keychain.from_document, document)
        wallet = await self.store.create_async(document, password)
        self._install(wallet, keychain)

    async def _attach(self, wallet: UnlockedWallet) -> None:
        from wallet.keychain import Keychain

        document = wallet.document
        if document.network != self.network.name:
            wallet.lock()
            raise StorageError(
                f"This wallet is for {document.network}, but FluxDesk is on {self.network.name}."
                f" Switch the network to {document.network} to open it."
            )
        keychain = await asyncio.to_thread(Keychain.from_document, document)
        self._install(wallet, keychain)
        assert self._cache is not None
        self._cached = await self._cache.load()
        kind = document.kind
        if isinstance(kind, WatchOnly) and kind.xpub and kind.xpub != keychain.account_xpub:
            # An older file kept a pasted xprv: store only the public key from now on.
            kind.xpub = keychain.account_xpub
            self._save()

    def _install(self, wallet: UnlockedWallet, keychain: Keychain) -> None:
        from wallet.backends.witness import witness_for
        from wallet.pending import stored_pending
        from wallet.sync import WalletSync
        from wallet.sync_store import PURPOSE, SyncStore

        self._wallet, self._keychain = wallet, keychain
        document = wallet.document
        witness, trusted = witness_for(self.backend)
        self._sync = WalletSync(
            keychain, self.backend, gap_limit=document.settings.gap_limit,
            handed_out=self._handed_out(document), pending=stored_pending(document),
            witness=witness, trusted=trusted,
        )
        self._sync_state = self._cached = None
        self._cache = SyncStore(wallet, self.store.sidecar_path(PURPOSE), self.backend.name)
        self._publish()

    @property
    def is_open(self) -> bool:
        return self._wallet is not None and not self._wallet.check_idle()

    @property
    def status(self) -> WalletStatus:
        """No wallet file, locked, or open (reading it never locks or touches the wallet)."""
        if self._wallet is not None and not self._wallet.is_locked:
            return WalletStatus.UNLOCKED
        return WalletStatus.LOCKED if self.store.exists() else WalletStatus.NONE

    @property
    def document(self) -> WalletDocument:
        """The decrypted document; WalletLocked once locked or idle too long. Reading it never
        changes the service: locking is `lock()` or `lock_if_idle()`."""
        if self._wallet is None:
            raise WalletLocked("No wallet is open. Open or create one first.")
        return self._wallet.document

    @property
    def keychain(self) -> Keychain:
        self.document  # noqa: B018 - raises WalletLocked after the idle timeout
        assert self._keychain is not None
        return self._keychain

    def lock(self) -> None:
        """Forget every key and the decrypted document."""
        if self._wallet is not None:
            self._wallet.lock()
        self._wallet = self._keychain = self._sync = None
        self._sync_state = self._state = self._cached = None
        self._cache = None

    def lock_if_idle(self) -> bool:
        """Lock once the auto-lock time has passed without activity; True when now locked."""
        if self._wallet is None:
            return True
        if self._wallet.check_idle():
            self.lock()
            return True
        return False

    def touch(self) -> None:
        """Activity: restart the auto-lock clock."""
        if self._wallet is not None and not self._wallet.is_locked:
            self._wallet.touch()

    async def close(self) -> None:
        if self._cache is not None:
            await self._cache.save(self._sync_state)
        self.lock()
        await self.backend.close()

    def set_backend(self, backend: ChainBackend) -> None:
        """Use another server from the next sync on (the state is rebuilt from it)."""
        self.backend = backend
        if self._keychain is not None and self._wallet is not None:
            self._install(self._wallet, self._keychain)

    # --- state -----------------------------------------------------------------------------

    @property
    def state(self) -> WalletState | None:
        return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every new state; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def sync(self, *, full: bool = False) -> WalletState:
        """Bring the wallet up to date: a full sync the first time (or with full=True), else an
        incremental refresh. Pending transactions of this wallet survive a full sync."""
        from wallet.pending import settle_pending
        from wallet.snapshot import remember_last_known

        async with self._lock:
            sync = self._require_sync()
            state = await sync.sync(self._sync_state or self._cached, full=full)
            self._sync_state, self._cached = state, None
            assert self._cache is not None
            self._cache.schedule_save(state)
            self._remember_usage(state)
            settled = settle_pending(self.document, state.local_pending)
            published = self._publish()
            if remember_last_known(self.document, published) or settled:
                self._save()
            return published

    async def refresh_if_new_tip(self) -> WalletState | None:
        """Sync only when the chain moved (for a timer); returns the new state or None."""
        if self._sync_state is None:
            return await self.sync()
        tip = await self.backend.tip_height()
        if tip == self._sync_state.tip and not self._sync_state.local_pending:
            return None
        return await self.sync()

    # --- receive ---------------------------------------------------------------------------

    def receive_address(self, *, new: bool = False) -> str:
        """The address to show: the first unused one, or the one last handed out until coins
        arrive on it; `new` hands out a fresh one and remembers it in the wallet file."""
        from wallet.keychain import RECEIVE
        from wallet.receiving import current_receive_index, hand_out_receive

        keychain = self.keychain
        document = self.document
        if not keychain.is_hd:
            return keychain.fixed_addresses[0].address
        account = document.accounts[0] if document.accounts else None
        if new and account is not None:
            index = hand_out_receive(account, self._sync_state)
            self._save()
            if self._sync is not None:
                self._sync.handed_out = self._handed_out(document)
        else:
            index = current_receive_index(account, self._sync_state)
        return keychain.derive(RECEIVE, index).address

    def new_receive_address(self) -> str:
        """A fresh address (never the one shown now); it stays current until coins arrive."""
        current = self.receive_address()
        if not self.keychain.is_hd:
            return current  # imported keys and address lists have no fresh addresses
        address = self.receive_address(new=True)
        while address == current:
            address = self.receive_address(new=True)
        self._republish()
        return address

    # --- send ------------------------------------------------------------------------------

    async def prepare_send(
        self, request: SendRequest, coins: Collection[Outpoint] | None = None
    ) -> Review:
        """Review of a send against a fresh tip; nothing is signed. With `coins` (coin control)
        only those outpoints are spent."""
        from wallet.fees import DEFAULT_FEE_RATE
        from wallet.send import build_review

        if self._sync_state is None:
            await self.sync()
        assert self._sync_state is not None
        tip = await self.backend.tip_height()
        document = self.document
        utxos = self._sync_state.utxos
        if coins is not None:
            utxos = [u for u in utxos if u.outpoint in coins]
        return build_review(
            request,
            keychain=self.keychain,
            coins=utxos,
            tip=tip,
            change_address=self._change_address(),
            locked=self._locked(),
            frozen=document.frozen,
            base_rate=DEFAULT_FEE_RATE,
        )

    async def sign(self, review: Review) -> SignedTransaction:
        from wallet.send import sign_review

        return await sign_review(review, keychain=self.keychain, backend=self.backend)

    async def send(self, review: Review) -> str:
        """Sign (after verifying every input) and broadcast; the tx shows as pending at once."""
        from wallet.send import broadcast
        from wallet.spending import check_inputs_still_free

        check_inputs_still_free(review, frozen=self.document.frozen, locked=self._locked())
        signed = await self.sign(review)
        try:
            txid = await broadcast(signed, self.backend)
        except BroadcastUncertain:
            # It may be on the network: hold its coins as pending (it drops out on its own once
            # expired) so that a second review cannot pay the same person again.
            await self._record_pending(signed)
            raise
        await self._record_pending(signed)
        return txid

    async def consolidation_reviews(self) -> list[Review]:
        """Send-to-self reviews merging small coins (frozen and collateral coins excluded)."""
        from wallet.consolidate import consolidation_reviews

        if self._sync_state is None:
            await self.sync()
        assert self._sync_state is not None
        tip = await self.backend.tip_height()
        document = self.document
        return consolidation_reviews(
            self._sync_state.utxos, keychain=self.keychain, target=self.receive_address(),
            network=self.network, tip=tip, expiry_delta=document.settings.expiry_delta,
            locked=self._locked(), frozen=document.frozen,
        )

    async def _record_pending(self, signed: SignedTransaction) -> None:
        from wallet.pending import remember_pending

        async with self._lock:
            # Saved first: a crash or exit now must not free its coins for the next run.
            self._save_quietly(remember_pending(self.document, signed.tx), signed.txid)
            if self._sync is not None and self._sync_state is not None:
                self._sync.add_local_pending(self._sync_state, signed.tx)
                self._save_quietly(self._usage_changed(self._sync_state), signed.txid)
                self._publish()

    def _save_quietly(self, changed: bool, txid: str) -> None:
        """Save after a send; a failure is logged, never raised: it must not hide that the
        transaction was (maybe) sent, and the session still holds it as pending."""
        if not changed:
            return
        try:
            self._save()
        except (OSError, StorageError) as exc:
            log.error("could not save the wallet file after sending %s: %s", txid, exc)

    # --- coin control and labels -----------------------------------------------------------

    def freeze(self, outpoint: Outpoint, frozen: bool = True) -> None:
        self.edit(lambda d: (d.frozen.add if frozen else d.frozen.discard)(outpoint))

    def unlock_collateral(self, outpoint: Outpoint, unlocked: bool = True) -> None:
        """Allow (or forbid again) spending one collateral coin in this session."""
        (self._unlocked.add if unlocked else self._unlocked.discard)(outpoint)
        self._republish()

    def set_label(self, key: str, label: str) -> None:
        """Label an address or txid (an empty label removes it)."""

        def change(document: WalletDocument) -> None:
            if label:
                document.labels[key] = label
            else:
                document.labels.pop(key, None)

        self.edit(change)

    def set_contacts(self, contacts: Sequence[ContactInfo]) -> None:
        def change(document: WalletDocument) -> None:
            document.address_book = [Contact(c.name, c.address, c.note) for c in contacts]

        self.edit(change)

    def set_auto_lock_minutes(self, minutes: int) -> None:
        def change(document: WalletDocument) -> None:
            document.settings.auto_lock_minutes = max(0, minutes)

        self.edit(change)

    def edit(self, change: Callable[[WalletDocument], object]) -> None:
        """Change the document, save it once, tell the listeners (the one way to edit it)."""
        change(self.document)
        self._save()
        self._republish()

    # --- security --------------------------------------------------------------------------

    async def change_password(self, old: str, new: str) -> None:
        if self._wallet is None:
            raise WalletLocked("No wallet is open.")
        await self._wallet.change_password_async(old, new)
        if self._cache is not None:
            # Sealed with the old data key, the file would no longer open: seal it anew.
            await self._cache.save(self._sync_state or self._cached, force=True)

    def remember_on_device(self) -> None:
        """Keep the unlock key in the OS keyring so this device opens the wallet unasked."""
        if self._wallet is None:
            raise WalletLocked("No wallet is open.")
        self._wallet.remember_on_device()

    async def reveal_seed(self, password: str) -> str:
        from wallet import backup

        return await backup.reveal_seed(self.store, password)

    async def export_backup(self, target: Path, password: str) -> None:
        from wallet import backup

        await backup.export_backup(self.store, target, password)

    # --- internals -------------------------------------------------------------------------

    def _require_sync(self) -> WalletSync:
        self.document  # noqa: B018 - raises WalletLocked after the idle timeout
        assert self._sync is not None
        return self._sync

    def _change_address(self) -> str | None:
        from wallet.keychain import CHANGE

        keychain = self.keychain
        if keychain.is_hd:
            index = self._sync_state.handout_index(CHANGE) if self._sync_state else 0
            return keychain.derive(CHANGE, index).address
        fixed = keychain.fixed_addresses
        return fixed[0].address if fixed else None

    def _locked(self) -> set[Outpoint]:
        from wallet.nodes.collateral import locked_outpoints

        state = self._sync_state
        return locked_outpoints(
            state.utxos if state else (), self.network, self.document, unlocked=self._unlocked
        )

    @staticmethod
    def _handed_out(document: WalletDocument) -> dict[int, int]:
        from wallet.keychain import CHANGE, RECEIVE

        if not document.accounts:
            return {}
        account = document.accounts[0]
        return {RECEIVE: account.receive_count, CHANGE: account.change_count}

    def _remember_usage(self, state: SyncState) -> None:
        """Keep the used-address counts in the file so the next scan starts from them."""
        if self._usage_changed(state):
            self._save()

    def _usage_changed(self, state: SyncState) -> bool:
        """Raise the document's address counts to what sync saw used; True when they moved."""
        from wallet.keychain import CHANGE, RECEIVE
        from wallet.receiving import forget_used_fresh

        document = self.document
        if not document.accounts or not self.keychain.is_hd:
            return False
        account = document.accounts[0]
        receive = max(account.receive_count, state.next_unused(RECEIVE))
        change = max(account.change_count, state.next_unused(CHANGE))
        fresh_used = forget_used_fresh(account, state.next_unused(RECEIVE))
        if (receive, change) == (account.receive_count, account.change_count):
            return fresh_used
        account.receive_count, account.change_count = receive, change
        return True

    def _save(self) -> None:
        if self._wallet is None:
            raise WalletLocked("No wallet is open.")
        self._wallet.save()

    def _republish(self) -> None:
        if self._wallet is not None:
            self._publish()

    def _publish(self) -> WalletState:
        from wallet.snapshot import build_state

        keychain = self.keychain
        receive = None
        if keychain.is_hd or keychain.fixed_addresses:
            try:
                receive = self.receive_address()
            except AddressNotWatched:
                receive = None  # past the scanned window: nothing to hand out until a sync
        self._state = build_state(
            network=self.network.name, document=self.document, keychain=keychain,
            sync=self._sync_state, locked=self._locked(), receive=receive,
            backend=self.backend.name,
        )
        for listener in list(self._listeners):
            try:
                listener(self._state)
            except Exception:
                log.exception("a wallet state listener failed")
        return self._state

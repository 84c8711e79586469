"""WalletStore: create, unlock, save, re-key and lock the encrypted wallet file.

Key derivation is deliberately slow: the methods that derive a key (create, open, change_password)
have `*_async` twins that run them in a worker thread so an event loop never stalls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from wallet.errors import (
    CorruptWalletFile,
    RememberUnavailable,
    StorageError,
    UnsupportedWalletFile,
    WalletLocked,
    WrongPassword,
)
from wallet.storage import crypto, fileio, remember, sidecar
from wallet.storage.model import WalletDocument

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class WalletStore:
    """One wallet file on disk. Holds no secret itself; `open*` hands back an UnlockedWallet."""

    def __init__(
        self,
        path: Path,
        *,
        kdf: crypto.KdfParams | None = None,
        clock: Clock = time.monotonic,
        auto_lock_seconds: float | None = None,
    ) -> None:
        self.path = Path(path)
        self._kdf = kdf
        self._clock = clock
        # None = take the wallet's own setting; 0 = never lock on idle.
        self._auto_lock_seconds = auto_lock_seconds
        # What the last open had to do that the person should hear about (e.g. the previous copy
        # was opened because the main file was damaged); None when nothing happened.
        self.notice: str | None = None

    def exists(self) -> bool:
        return self.path.exists() or fileio.backup_path(self.path).exists()

    def sidecar_path(self, purpose: str) -> Path:
        return sidecar.sidecar_path(self.path, purpose)

    # --- create / open ---------------------------------------------------------------------

    def create(
        self, document: WalletDocument, password: str, *, overwrite: bool = False
    ) -> UnlockedWallet:
        _check_new_password(password)
        if self.exists() and not overwrite:
            raise StorageError(
                f"A wallet file already exists at {self.path}. Open it, or choose another name."
            )
        kdf = (self._kdf or crypto.KdfParams.default()).fresh_salt()
        data_key = crypto.new_data_key()
        wrap = crypto.wrap_key(
            data_key, crypto.derive_key(password, kdf), document.wallet_id, "password"
        )
        header = crypto.Header(document.wallet_id, kdf, wrap, None, crypto.new_nonce())
        wallet = UnlockedWallet(self, header, data_key, document)
        # A replaced wallet must not linger as this one's ".bak" (it is a different wallet).
        wallet._backup_is_stale = True
        fileio.backup_path(self.path).unlink(missing_ok=True)
        # Nor its sidecars (they would not open with the new key anyway).
        for purpose in sidecar.PURPOSES:
            self.sidecar_path(purpose).unlink(missing_ok=True)
        wallet.save()
        log.info("created wallet %s (%s)", _short(document.wallet_id), document.network)
        return wallet

    def open(self, password: str) -> UnlockedWallet:
        self.notice = None
        sealed, from_backup = self._read()
        try:
            data_key = _unwrap_with_password(sealed, password)
        except WrongPassword:
            if from_backup:
                raise
            # A header changed outside FluxDesk (its checksum is easy to recompute) refuses the
            # right password too: a previous copy the password does open is the wallet.
            backup = self._read_backup()
            if backup is None:
                raise
            try:
                data_key = _unwrap_with_password(backup, password)
            except WrongPassword:
                raise WrongPassword(
                    "Wrong password for this wallet. Check it and try again."
                ) from None
            sealed, from_backup = backup, True
            self.notice = (
                f"The wallet file {self.path.name} did not accept the password, but its previous "
                f"copy {fileio.backup_path(self.path).name} did: the file was changed outside "
                "FluxDesk or damaged. FluxDesk opened the previous copy (changes made since "
                "its last save are not in it) and will replace the changed file on the next save."
            )
            log.warning(
                "wallet file %s refused the password but its backup accepted it; "
                "opened the backup", self.path.name,
            )
        return self._finish_open(sealed, data_key, from_backup)

    def open_remembered(self) -> UnlockedWallet:
        """Unlock with the key remembered in the OS keyring (no password)."""
        self.notice = None
        sealed, from_backup = self._read()
        wrap = sealed.header.device_wrap
        if wrap is None:
            raise RememberUnavailable(
                "This wallet is not remembered on this device. Unlock it with your password."
            )
        device_key = remember.load_device_key(sealed.header.wallet_id)
        data_key = crypto.unwrap_key(wrap, device_key, sealed.header.wallet_id, "device")
        return self._finish_open(sealed, data_key, from_backup)

    def is_remembered(self) -> bool:
        """Whether the file carries a device wrap (the keyring may still have lost its key)."""
        sealed, _ = self._read()
        return sealed.header.device_wrap is not None

    async def create_async(
        self, document: WalletDocument, password: str, *, overwrite: bool = False
    ) -> UnlockedWallet:
        return await asyncio.to_thread(self.create, document, password, overwrite=overwrite)

    async def open_async(self, password: str) -> UnlockedWallet:
        return await asyncio.to_thread(self.open, password)

    def _finish_open(
        self, sealed: crypto.SealedFile, data_key: bytes, from_backup: bool
    ) -> UnlockedWallet:
        payload = sealed.open(data_key)
        try:
            data = json.loads(payload.decode("utf-8"))
        except (ValueError, RecursionError):
            # ValueError covers bad UTF-8, bad JSON and integers longer than 4300 digits.
            raise CorruptWalletFile("The wallet data inside the file is damaged.") from None
        document = WalletDocument.from_json(data)
        if document.wallet_id != sealed.header.wallet_id:
            raise CorruptWalletFile("The wallet data does not belong to this file's header.")
        wallet = UnlockedWallet(self, sealed.header, data_key, document, from_backup)
        log.info(
            "opened wallet %s%s", _short(document.wallet_id), " from backup" if from_backup else ""
        )
        return wallet

    def _read(self) -> tuple[crypto.SealedFile, bool]:
        """Parse the main file, or the .bak copy when the main one is missing or damaged."""
        main = fileio.read_bytes(self.path)
        main_error: CorruptWalletFile | None = None
        if main is not None:
            try:
                return crypto.parse_file(main), False
            except CorruptWalletFile as exc:
                main_error = exc
        backup = fileio.read_bytes(fileio.backup_path(self.path))
        if backup is None:
            if main_error is not None:
                raise main_error
            raise StorageError(f"There is no wallet file at {self.path}.")
        try:
            sealed = crypto.parse_file(backup)
        except CorruptWalletFile:
            if main_error is not None:
                raise main_error from None
            raise
        log.warning(
            "wallet file %s is %s; using the previous copy %s",
            self.path.name,
            "damaged" if main_error else "missing",
            fileio.backup_path(self.path).name,
        )
        self.notice = (
            f"The wallet file {self.path.name} is {'damaged' if main_error else 'missing'}; "
            f"FluxDesk opened its previous copy {fileio.backup_path(self.path).name}."
        )
        return sealed, True

    def _read_backup(self) -> crypto.SealedFile | None:
        data = fileio.read_bytes(fileio.backup_path(self.path))
        if data is None:
            return None
        try:
            return crypto.parse_file(data)
        except (CorruptWalletFile, UnsupportedWalletFile):
            return None

    # --- used by UnlockedWallet ------------------------------------------------------------

    def _write(self, data: bytes, *, keep_backup: bool) -> None:
        fileio.atomic_write(self.path, data, keep_backup=keep_backup)

    def _auto_lock_for(self, document: WalletDocument) -> float:
        if self._auto_lock_seconds is not None:
            return self._auto_lock_seconds
        return max(0, document.settings.auto_lock_minutes) * 60.0


class UnlockedWallet:
    """A decrypted wallet held in memory until `lock()` or the idle timeout."""

    def __init__(
        self,
        store: WalletStore,
        header: crypto.Header,
        data_key: bytes,
        document: WalletDocument,
        restored_from_backup: bool = False,
    ) -> None:
        self._store = store
        self._header = header
        self._data_key: bytearray | None = bytearray(data_key)
        self._document: WalletDocument | None = document
        self._last_activity = store._clock()
        # True when the main file was damaged and the .bak copy was opened; the next save must
        # not turn the damaged file into the new backup.
        self.restored_from_backup = restored_from_backup
        self._backup_is_stale = restored_from_backup
        # change_password runs in a worker thread while the event loop may save: both replace
        # the header and write the file, so they take turns (else the file can end up sealed
        # with a key its header does not wrap, or lose the edits of the save).
        self._write_lock = threading.Lock()

    @property
    def wallet_id(self) -> str:
        return self._header.wallet_id

    @property
    def is_locked(self) -> bool:
        return self._document is None

    @property
    def is_remembered(self) -> bool:
        return self._header.device_wrap is not None

    @property
    def document(self) -> WalletDocument:
        """The decrypted document; raises WalletLocked once locked or idle too long."""
        document, _ = self._unlocked()
        return document

    def sidecar_key(self, purpose: str) -> sidecar.SidecarKey:
        """The current data key for one sidecar file (see sidecar.py); WalletLocked if locked.

        A password change makes a new data key: sidecars sealed before it no longer open.
        """
        if self._document is None or self._data_key is None:
            raise WalletLocked("The wallet is locked. Unlock it with your password to continue.")
        return sidecar.SidecarKey(self.wallet_id, purpose, bytes(self._data_key))

    def touch(self) -> None:
        """Record user activity (the UI calls this on input) so the idle timer restarts."""
        self._unlocked()

    def check_idle(self) -> bool:
        """Lock if idle longer than the timeout; returns True when the wallet is (now) locked."""
        if self._document is None:
            return True
        timeout = self._store._auto_lock_for(self._document)
        if timeout > 0 and self._store._clock() - self._last_activity >= timeout:
            log.info("wallet %s locked after %.0f s idle", _short(self.wallet_id), timeout)
            self.lock()
            return True
        return False

    def lock(self) -> None:
        if self._data_key is not None:
            for i in range(len(self._data_key)):
                self._data_key[i] = 0
        self._data_key = None
        self._document = None

    def save(self) -> None:
        with self._write_lock:
            document, data_key = self._unlocked()
            self._header = replace(self._header, payload_nonce=crypto.new_nonce())
            sealed = self._seal(document, data_key)
            self._store._write(sealed, keep_backup=not self._backup_is_stale)
            self._backup_is_stale = False
        log.info("saved wallet %s", _short(self.wallet_id))

    def change_password(self, old_password: str, new_password: str) -> None:
        """Re-key: a new data key, wrapped by the new password (and the device key if remembered).

        The old .bak copy is overwritten too, so no file opened by the old password remains.
        """
        document, data_key = self._unlocked()
        _check_new_password(new_password)
        old_kek = crypto.derive_key(old_password, self._header.kdf)
        try:
            current = crypto.unwrap_key(
                self._header.password_wrap, old_kek, self.wallet_id, "password"
            )
        except WrongPassword:
            current = b""
        if current != bytes(data_key):
            raise WrongPassword("The current password is wrong; the password was not changed.")
        kdf = (self._store._kdf or self._header.kdf).fresh_salt()
        new_key = crypto.new_data_key()
        device_wrap = None
        if self._header.device_wrap is not None:
            try:
                device_key = remember.load_device_key(self.wallet_id)
                device_wrap = crypto.wrap_key(new_key, device_key, self.wallet_id, "device")
            except RememberUnavailable:
                log.warning("keyring unavailable; 'remember on this device' was turned off")
        # The slow key stretching stays outside the lock so a save never waits for it.
        password_wrap = crypto.wrap_key(
            new_key, crypto.derive_key(new_password, kdf), self.wallet_id, "password"
        )
        with self._write_lock:
            document, _ = self._unlocked()
            header = crypto.Header(
                self.wallet_id, kdf, password_wrap, device_wrap, crypto.new_nonce()
            )
            sealed = crypto.seal(header, new_key, _payload(document))
            self._store._write(sealed, keep_backup=False)
            fileio.write_backup(self._store.path, sealed)
            self._header, self._data_key = header, bytearray(new_key)
            self._backup_is_stale = False
        log.info("changed password of wallet %s", _short(self.wallet_id))

    async def change_password_async(self, old_password: str, new_password: str) -> None:
        await asyncio.to_thread(self.change_password, old_password, new_password)

    def remember_on_device(self) -> None:
        """Keep a random unlock key in the OS keyring so the wallet opens without the password."""
        _, data_key = self._unlocked()
        device_key = remember.new_device_key()
        remember.store_device_key(self.wallet_id, device_key)
        previous = self._header
        self._header = replace(
            previous,
            device_wrap=crypto.wrap_key(bytes(data_key), device_key, self.wallet_id, "device"),
        )
        try:
            self.save()
        except BaseException:
            self._header = previous
            remember.delete_device_key(self.wallet_id)
            raise

    def forget_device(self) -> None:
        """Remove the device wrap from the file and the key from the keyring."""
        self._unlocked()
        self._header = replace(self._header, device_wrap=None)
        self.save()
        remember.delete_device_key(self.wallet_id)

    def _unlocked(self) -> tuple[WalletDocument, bytearray]:
        if not self.check_idle() and self._document is not None and self._data_key is not None:
            self._last_activity = self._store._clock()
            return self._document, self._data_key
        raise WalletLocked("The wallet is locked. Unlock it with your password to continue.")

    def _seal(self, document: WalletDocument, data_key: bytearray) -> bytes:
        return crypto.seal(self._header, bytes(data_key), _payload(document))

    def __repr__(self) -> str:
        state = "locked" if self.is_locked else "unlocked"
        return f"<UnlockedWallet {_short(self.wallet_id)} {state}>"


def _unwrap_with_password(sealed: crypto.SealedFile, password: str) -> bytes:
    kek = crypto.derive_key(password, sealed.header.kdf)
    return crypto.unwrap_key(sealed.header.password_wrap, kek, sealed.header.wallet_id, "password")


def _payload(document: WalletDocument) -> bytes:
    return json.dumps(document.to_json(), sort_keys=True, separators=(",", ":")).encode()


def _check_new_password(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise StorageError("Choose a password; an empty password cannot protect the wallet.")


def _short(wallet_id: str) -> str:
    return wallet_id[:8]

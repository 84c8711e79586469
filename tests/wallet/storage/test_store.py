import asyncio
import base64
import logging
import threading
from pathlib import Path

import keyring
import pytest

from wallet.errors import (
    CorruptWalletFile,
    RememberUnavailable,
    StorageError,
    UnsupportedWalletFile,
    WalletLocked,
    WrongPassword,
)
from wallet.storage import fileio
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed
from wallet.storage.remember import SERVICE
from wallet.storage.store import WalletStore

from .conftest import (
    MNEMONIC,
    NODE_WIF,
    PASSPHRASE,
    PASSWORD,
    LockedKeyring,
    MemoryKeyring,
    hd_document,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_create_open_roundtrip(store: WalletStore, wallet_path: Path) -> None:
    doc = hd_document()
    created = store.create(doc, PASSWORD)
    assert wallet_path.exists() and not fileio.backup_path(wallet_path).exists()
    opened = store.open(PASSWORD)
    assert opened.document == doc
    assert opened.wallet_id == doc.wallet_id == created.wallet_id
    assert not opened.restored_from_backup
    raw = wallet_path.read_bytes()
    for secret in (MNEMONIC.encode(), NODE_WIF.encode(), b"Savings", PASSPHRASE.encode()):
        assert secret not in raw


def test_create_refuses_to_overwrite_and_empty_password(store: WalletStore) -> None:
    store.create(hd_document(), PASSWORD)
    with pytest.raises(StorageError, match="already exists"):
        store.create(hd_document(), PASSWORD)
    with pytest.raises(StorageError, match="empty password"):
        store.create(hd_document(), "", overwrite=True)


def test_overwrite_leaves_no_backup_of_the_other_wallet(
    store: WalletStore, wallet_path: Path
) -> None:
    first = store.create(hd_document(), PASSWORD)
    first.save()
    assert fileio.backup_path(wallet_path).exists()
    second = store.create(hd_document(), "other", overwrite=True)
    assert not fileio.backup_path(wallet_path).exists()
    second.save()
    assert WalletStore(fileio.backup_path(wallet_path)).open("other").wallet_id == second.wallet_id


def test_missing_file(store: WalletStore) -> None:
    assert not store.exists()
    with pytest.raises(StorageError, match="no wallet file"):
        store.open(PASSWORD)


def test_wrong_password(store: WalletStore) -> None:
    store.create(hd_document(), PASSWORD)
    with pytest.raises(WrongPassword, match="Wrong password"):
        store.open("guess")


def test_save_persists_changes_and_keeps_previous(store: WalletStore, wallet_path: Path) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.document.labels["t1new"] = "new label"
    wallet.save()
    assert store.open(PASSWORD).document.labels["t1new"] == "new label"
    previous = WalletStore(fileio.backup_path(wallet_path)).open(PASSWORD)
    assert "t1new" not in previous.document.labels


def test_truncated_file_without_backup_is_corrupt(store: WalletStore, wallet_path: Path) -> None:
    store.create(hd_document(), PASSWORD)
    data = wallet_path.read_bytes()
    for keep in (0, 10, len(data) // 2, len(data) - 1):
        wallet_path.write_bytes(data[:keep])
        with pytest.raises(CorruptWalletFile):
            store.open(PASSWORD)


def test_damaged_main_file_falls_back_to_backup(store: WalletStore, wallet_path: Path) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.document.name = "second"
    wallet.save()
    wallet_path.write_bytes(wallet_path.read_bytes()[:-7])
    restored = store.open(PASSWORD)
    assert restored.restored_from_backup
    assert restored.document.name == "Savings"
    # Saving again must not turn the damaged file into the new backup.
    restored.document.name = "third"
    restored.save()
    assert store.open(PASSWORD).document.name == "third"
    assert WalletStore(fileio.backup_path(wallet_path)).open(PASSWORD).document.name == "Savings"


def test_main_missing_uses_backup(store: WalletStore, wallet_path: Path) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.save()
    wallet_path.unlink()
    assert store.exists()
    assert store.open(PASSWORD).restored_from_backup


def test_tampered_file_is_corrupt_and_not_loaded(store: WalletStore, wallet_path: Path) -> None:
    store.create(hd_document(), PASSWORD)
    data = bytearray(wallet_path.read_bytes())
    data[-40] ^= 0xFF
    wallet_path.write_bytes(bytes(data))
    with pytest.raises(CorruptWalletFile, match="damaged or truncated"):
        store.open(PASSWORD)


def test_foreign_file_is_unsupported(store: WalletStore, wallet_path: Path) -> None:
    wallet_path.parent.mkdir(parents=True)
    wallet_path.write_text('{"wallet_type": "standard"}')
    with pytest.raises(UnsupportedWalletFile):
        store.open(PASSWORD)


def test_change_password(store: WalletStore, wallet_path: Path) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.save()
    with pytest.raises(WrongPassword, match="current password"):
        wallet.change_password("not it", "new-pass")
    with pytest.raises(StorageError):
        wallet.change_password(PASSWORD, "")
    wallet.change_password(PASSWORD, "new-pass")
    with pytest.raises(WrongPassword):
        store.open(PASSWORD)
    assert store.open("new-pass").document == wallet.document
    # No copy that the old password opens is left behind.
    with pytest.raises(WrongPassword):
        WalletStore(fileio.backup_path(wallet_path)).open(PASSWORD)
    assert WalletStore(fileio.backup_path(wallet_path)).open("new-pass")
    wallet.document.name = "after change"
    wallet.save()
    assert store.open("new-pass").document.name == "after change"


def test_auto_lock_after_idle(wallet_path: Path, fast_kdf: KdfParams) -> None:
    clock = FakeClock()
    store = WalletStore(wallet_path, kdf=fast_kdf, clock=clock, auto_lock_seconds=60)
    wallet = store.create(hd_document(), PASSWORD)
    clock.now += 59
    assert wallet.document.name == "Savings"  # access counts as activity
    clock.now += 59
    assert not wallet.check_idle()
    wallet.touch()
    clock.now += 60
    assert wallet.check_idle()
    assert wallet.is_locked
    with pytest.raises(WalletLocked, match="locked"):
        _ = wallet.document
    with pytest.raises(WalletLocked):
        wallet.save()
    assert store.open(PASSWORD).document.name == "Savings"


def test_auto_lock_uses_wallet_setting_and_zero_disables(
    wallet_path: Path, fast_kdf: KdfParams
) -> None:
    clock = FakeClock()
    store = WalletStore(wallet_path, kdf=fast_kdf, clock=clock)
    doc = hd_document()
    doc.settings.auto_lock_minutes = 2
    wallet = store.create(doc, PASSWORD)
    clock.now += 119
    assert not wallet.check_idle()
    clock.now += 120
    with pytest.raises(WalletLocked):
        wallet.touch()
    never = WalletStore(wallet_path, kdf=fast_kdf, clock=clock, auto_lock_seconds=0).open(PASSWORD)
    clock.now += 10**9
    assert not never.check_idle()


def test_manual_lock(store: WalletStore) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.lock()
    assert wallet.is_locked and "locked" in repr(wallet)
    with pytest.raises(WalletLocked):
        wallet.remember_on_device()


def test_remember_on_device(store: WalletStore, memory_keyring: MemoryKeyring) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    with pytest.raises(RememberUnavailable, match="not remembered"):
        store.open_remembered()
    wallet.remember_on_device()
    assert wallet.is_remembered and store.is_remembered()
    stored = memory_keyring.entries[(SERVICE, wallet.wallet_id)]
    assert PASSWORD not in stored and len(stored) == 44  # base64 of a random 32-byte key
    assert store.open_remembered().document == wallet.document
    # Password still works, and a password change keeps the device remembered.
    wallet.change_password(PASSWORD, "other")
    assert store.open_remembered().document.name == "Savings"
    wallet.forget_device()
    assert (SERVICE, wallet.wallet_id) not in memory_keyring.entries
    assert not store.is_remembered()
    with pytest.raises(RememberUnavailable):
        store.open_remembered()


def test_remembered_key_removed_or_replaced(
    store: WalletStore, memory_keyring: MemoryKeyring
) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.remember_on_device()
    key = (SERVICE, wallet.wallet_id)
    memory_keyring.entries[key] = base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WrongPassword, match="remembered on this device"):
        store.open_remembered()
    memory_keyring.entries[key] = "not base64!"
    with pytest.raises(RememberUnavailable, match="damaged"):
        store.open_remembered()
    del memory_keyring.entries[key]
    with pytest.raises(RememberUnavailable, match="keyring entry was removed"):
        store.open_remembered()
    assert store.open(PASSWORD).document.name == "Savings"


def test_locked_keyring_is_a_clear_error(store: WalletStore) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        wallet = store.create(hd_document(), PASSWORD)
        with pytest.raises(RememberUnavailable, match="could not store"):
            wallet.remember_on_device()
        assert not wallet.is_remembered and not store.is_remembered()
    finally:
        keyring.set_keyring(previous)


def test_async_variants(store: WalletStore) -> None:
    async def flow() -> str:
        wallet = await store.create_async(hd_document(), PASSWORD)
        await wallet.change_password_async(PASSWORD, "async-pw")
        return (await store.open_async("async-pw")).document.name

    assert asyncio.run(flow()) == "Savings"


def test_secrets_never_logged(
    store: WalletStore,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    wallet_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    wallet = store.create(hd_document(), PASSWORD)
    wallet.document.labels["x"] = "y"
    wallet.save()
    wallet.remember_on_device()
    store.open_remembered()
    wallet.change_password(PASSWORD, "pw2")
    for attempt in (PASSWORD, MNEMONIC):
        try:
            store.open(attempt)
        except WrongPassword as exc:
            messages.append(str(exc))
    wallet_path.write_bytes(wallet_path.read_bytes()[:-3])
    restored = store.open("pw2")
    messages.append(repr(restored))
    messages.append(repr(restored.document))
    wallet.forget_device()
    wallet.lock()
    assert caplog.records, "storage operations should log what they do"
    text = caplog.text + "\n".join(messages)
    assert "saved wallet" in text and "opened wallet" in text
    assert isinstance(restored.document.kind, HdSeed)
    for secret in (MNEMONIC, PASSPHRASE, NODE_WIF, PASSWORD, "pw2", "legal winner"):
        assert secret not in text


class _DBusFailure(Exception):
    """Stands in for a backend-specific error type (e.g. from jeepney/secretstorage)."""


class _FailingKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise _DBusFailure("org.freedesktop.DBus.Error.ServiceUnknown")


def test_keyring_failing_on_read_is_a_clear_error(store: WalletStore) -> None:
    previous = keyring.get_keyring()
    backend = _FailingKeyring()
    keyring.set_keyring(backend)
    try:
        wallet = store.create(hd_document(), PASSWORD)
        wallet.remember_on_device()  # storing works, reading back fails
        with pytest.raises(RememberUnavailable, match="could not be read"):
            store.open_remembered()
        # Changing the password then drops the device wrap instead of failing.
        wallet.change_password(PASSWORD, "new")
        assert not store.is_remembered()
        assert store.open("new").document.name == "Savings"
    finally:
        keyring.set_keyring(previous)


def test_save_during_a_password_change_in_a_thread_is_not_lost(
    store: WalletStore, wallet_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    writing = threading.Event()
    saved = threading.Event()
    real_write = store._write

    def slow_write(data: bytes, *, keep_backup: bool) -> None:
        if threading.current_thread() is not threading.main_thread() and not writing.is_set():
            # The password change is writing its file; a save arriving now must wait its turn.
            writing.set()
            saved.wait(0.5)
        real_write(data, keep_backup=keep_backup)

    monkeypatch.setattr(store, "_write", slow_write)
    changer = threading.Thread(target=wallet.change_password, args=(PASSWORD, "new pässword"))
    changer.start()
    assert writing.wait(10)
    wallet.document.labels["t1addr"] = "rent"
    wallet.save()
    saved.set()
    changer.join(10)
    reopened = WalletStore(wallet_path, kdf=store._kdf).open("new pässword")
    assert reopened.document.labels["t1addr"] == "rent"

"""'Remember on this device' against a real Secret Service (gnome-keyring under dbus-run-session).

Run: dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets;
.venv/bin/pytest -m keyring'. Without an unlocked Secret Service the test is skipped (conftest).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService

from wallet.errors import RememberUnavailable
from wallet.storage.crypto import KdfParams
from wallet.storage.remember import SERVICE
from wallet.storage.store import WalletStore

from .conftest import PASSWORD, hd_document


@pytest.fixture
def secret_service() -> Iterator[SecretService.Keyring]:
    backend = SecretService.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.mark.keyring
def test_remember_with_real_secret_service(
    tmp_path: Path, secret_service: SecretService.Keyring
) -> None:
    store = WalletStore(tmp_path / "w.fluxwallet", kdf=KdfParams.argon2id(1, 1, 8))
    wallet = store.create(hd_document(), PASSWORD)
    wallet.remember_on_device()
    try:
        stored = secret_service.get_password(SERVICE, wallet.wallet_id)
        assert stored is not None and PASSWORD not in stored
        # A fresh store object (as after an app restart) opens without the password.
        assert WalletStore(store.path).open_remembered().document.name == "Savings"
    finally:
        wallet.forget_device()
    assert secret_service.get_password(SERVICE, wallet.wallet_id) is None
    with pytest.raises(RememberUnavailable):
        store.open_remembered()

"""A wallet file whose header was changed but still parses (its checksum recomputed) must not
pass for a wrong password while a good previous copy sits next to it."""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from wallet.errors import WrongPassword
from wallet.storage import crypto, fileio
from wallet.storage.store import WalletStore

from .conftest import PASSWORD, hd_document


def tamper_header(path: Path) -> None:
    """Give the header a new KDF salt and recompute the checksum, as anyone can."""
    sealed = crypto.parse_file(path.read_bytes())
    header = replace(sealed.header, kdf=replace(sealed.header.kdf, salt=os.urandom(16)))
    header_bytes = header.to_bytes()
    prefix = crypto.MAGIC + struct.pack(">BI", crypto.FORMAT_VERSION, len(header_bytes))
    body = prefix + header_bytes + sealed.ciphertext
    path.write_bytes(body + hashlib.sha256(body).digest())


def test_tampered_header_opens_the_good_backup_and_says_so(
    store: WalletStore, wallet_path: Path
) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.document.name = "second"
    wallet.save()  # the first version is now the .bak
    tamper_header(wallet_path)
    crypto.parse_file(wallet_path.read_bytes())  # still parses
    opened = store.open(PASSWORD)
    assert opened.restored_from_backup
    assert opened.document.name == "Savings"
    assert store.notice is not None
    assert "previous copy" in store.notice and wallet_path.name in store.notice
    # The next save replaces the tampered file and keeps the good copy as the backup.
    opened.save()
    assert WalletStore(wallet_path).open(PASSWORD).document.name == "Savings"
    backup = WalletStore(fileio.backup_path(wallet_path))
    assert backup.open(PASSWORD).document.name == "Savings"


def test_tampered_header_without_a_good_backup_is_still_a_wrong_password(
    store: WalletStore, wallet_path: Path
) -> None:
    store.create(hd_document(), PASSWORD)
    tamper_header(wallet_path)
    with pytest.raises(WrongPassword):
        store.open(PASSWORD)
    assert store.notice is None


def test_a_really_wrong_password_does_not_open_the_backup(
    store: WalletStore, wallet_path: Path
) -> None:
    wallet = store.create(hd_document(), PASSWORD)
    wallet.save()
    with pytest.raises(WrongPassword):
        store.open("not the password")
    assert store.notice is None

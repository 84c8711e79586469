"""Fixtures for wallet storage tests: a cheap KDF and keyring backends that really store entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, NodeEntry, WalletDocument
from wallet.storage.store import WalletStore

# A valid BIP39 phrase (BIP39 test vector) and a WIF key used to check that secrets never leak.
MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSPHRASE = "correct horse battery staple 25th word"
NODE_WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
PASSWORD = "s3cret pässword"


class MemoryKeyring(KeyringBackend):
    """An in-process keyring with the real backend API (entries live in a dict)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such entry") from None


class LockedKeyring(KeyringBackend):
    """A keyring whose collection stays locked (the user dismissed the unlock prompt)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("collection is locked")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)


@pytest.fixture
def wallet_path(tmp_path: Path) -> Path:
    return tmp_path / "wallets" / "main.fluxwallet"


@pytest.fixture
def store(wallet_path: Path, fast_kdf: KdfParams) -> WalletStore:
    return WalletStore(wallet_path, kdf=fast_kdf)


def hd_document() -> WalletDocument:
    doc = WalletDocument(kind=HdSeed(MNEMONIC, PASSPHRASE), name="Savings")
    doc.labels["t1Ze8HTo8fU4qsVuNJ3wLMsbT4aP3MK7gbm"] = "exchange"
    doc.nodes.append(NodeEntry("node-1", "ab" * 32, 0, NODE_WIF, "203.0.113.7"))
    doc.frozen.add(("cd" * 32, 1))
    return doc

"""The first-run wizard state machine (wallet/wizard.py), without Qt."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.services import NoBackend
from flux.networks import MAINNET, REGTEST
from wallet.hd import HDKey
from wallet.keys import PrivateKey
from wallet.password import password_feedback
from wallet.service import WalletService
from wallet.storage import store as store_module
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, ImportedKeys, WalletDocument, WatchOnly
from wallet.storage.store import WalletStore
from wallet.wizard import (
    CONFIRM_WORDS,
    PASSWORD,
    RESTORE,
    SHOW_WORDS,
    START,
    NewWallet,
    WalletWizard,
    WizardError,
)

# BIP39 test vector phrase (public, holds nothing).
MNEMONIC_12 = "legal winner thank year wave sausage worth useful legal winner thank yellow"
GOOD_PASSWORD = "Correct-Horse-42"


class Created:
    """Writes what the wizard collected through a WalletService, as the app does."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.services: list[WalletService] = []

    async def __call__(self, new: NewWallet) -> str:
        kdf = KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)
        service = WalletService(WalletStore(self.path, kdf=kdf), NoBackend(),
                                network=new.document.network)
        await service.create_from(new.document, new.password)
        self.services.append(service)
        return "Wallet created."

    @property
    def document(self) -> WalletDocument:
        return self.services[-1].document


@pytest.fixture
def created(tmp_path: Path) -> Created:
    return Created(tmp_path / "wallets" / "regtest" / "default.fluxwallet")


@pytest.fixture
def wizard(created: Created) -> WalletWizard:
    wizard = WalletWizard(created, network="regtest")
    # Regtest has no public explorer; the wizard asks for the user's own server.
    wizard.set_server("http://127.0.0.1:9/api")
    return wizard


def test_create_requires_confirming_random_words(
    wizard: WalletWizard, created: Created, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard.choose_kind("create")
    assert wizard.next() == SHOW_WORDS
    assert len(wizard.words) == 24 and len(set(wizard.confirm_positions)) == 4
    assert wizard.next() == CONFIRM_WORDS
    assert not wizard.can_next()
    with pytest.raises(WizardError, match="Type the requested words"):
        wizard.next()
    first, *rest = wizard.confirm_positions
    wizard.set_confirm_word(first, "zzz")
    for position in rest:
        wizard.set_confirm_word(position, wizard.words[position])
    assert f"Word {first + 1} does not match" in wizard.confirm_feedback().message
    wizard.set_confirm_word(first, " " + wizard.words[first].upper())
    assert wizard.next() == PASSWORD
    assert not wizard.set_password(GOOD_PASSWORD, "other").ok
    assert wizard.set_password(GOOD_PASSWORD, GOOD_PASSWORD).ok
    words = " ".join(wizard.words)
    derivations: list[object] = []
    real_derive = store_module.crypto.derive_key
    monkeypatch.setattr(store_module.crypto, "derive_key",
                        lambda *a, **k: derivations.append(a) or real_derive(*a, **k))
    assert asyncio.run(wizard.finish()) == "Wallet created."
    # The password is stretched once: the new wallet is open without a second unlock.
    assert len(derivations) == 1
    document = created.document
    assert isinstance(document.kind, HdSeed) and document.kind.mnemonic == words
    reopened = WalletStore(created.path).open(GOOD_PASSWORD)
    assert reopened.document.network == "regtest"


def test_going_back_to_create_makes_new_words(wizard: WalletWizard) -> None:
    wizard.next()
    first = list(wizard.words)
    assert wizard.back() == START
    wizard.next()
    assert wizard.words != first


def test_restore_gives_candidates_and_checksum_feedback(
    wizard: WalletWizard, created: Created
) -> None:
    wizard.choose_kind("restore")
    assert wizard.next() == RESTORE
    feedback = wizard.set_restore_text("legal winner tha")
    assert "thank" in feedback.candidates and not feedback.ok
    assert "so far" in feedback.message
    assert wizard.complete_word("thank") == "legal winner thank "
    feedback = wizard.set_restore_text("legal winnr thank")
    assert "Word 2" in feedback.message and "winner" in feedback.message
    wrong_last = MNEMONIC_12.replace("yellow", "legal")
    assert "checksum" in wizard.set_restore_text(wrong_last).message
    assert wizard.set_restore_text(MNEMONIC_12.upper()).ok
    wizard.passphrase = "extra words"
    assert wizard.next() == PASSWORD
    wizard.set_password(GOOD_PASSWORD, GOOD_PASSWORD)
    asyncio.run(wizard.finish())
    assert created.document.kind == HdSeed(MNEMONIC_12, "extra words")


def test_import_key_checks_network(wizard: WalletWizard, created: Created) -> None:
    wizard.choose_kind("import_key")
    wizard.next()
    mainnet_wif = PrivateKey.generate().to_wif(MAINNET)
    assert "mainnet" in wizard.set_wif_text(mainnet_wif).message
    assert "Key 1" in wizard.set_wif_text("not-a-key").message
    regtest_wif = PrivateKey.generate().to_wif(REGTEST)
    assert wizard.set_wif_text(regtest_wif).ok
    wizard.next()
    wizard.set_password(GOOD_PASSWORD, GOOD_PASSWORD)
    asyncio.run(wizard.finish())
    assert created.document.kind == ImportedKeys([regtest_wif])


def test_watch_only_accepts_xpub_or_addresses(wizard: WalletWizard, created: Created) -> None:
    wizard.choose_kind("watch_only")
    wizard.next()
    xpub = HDKey.from_mnemonic(MNEMONIC_12, REGTEST).derive("m/44'/1'/0'").xpub()
    assert wizard.set_watch_text(xpub).ok
    main_xpub = HDKey.from_mnemonic(MNEMONIC_12, MAINNET).xpub()
    assert not wizard.set_watch_text(main_xpub).ok
    assert "Address 2" in wizard.set_watch_text("tmBsTi2xWTjUdEXnuTceL7fecEQKeWaPDJd\nxyz").message
    wizard.set_watch_text(xpub)
    wizard.next()
    wizard.set_password(GOOD_PASSWORD, GOOD_PASSWORD)
    asyncio.run(wizard.finish())
    assert created.document.kind == WatchOnly(xpub, [])


def test_finish_only_from_the_password_step(wizard: WalletWizard) -> None:
    with pytest.raises(WizardError):
        asyncio.run(wizard.finish())


@pytest.mark.parametrize(
    ("password", "ok"),
    [("", False), ("short1", False), ("password", False), ("aaaaaaaaaaaa", False),
     ("abcdefgh", False), ("Abcdefgh12", True), ("a much longer pass phrase", True)],
)
def test_password_strength(password: str, ok: bool) -> None:
    assert password_feedback(password)[2] is ok


def test_regtest_needs_a_server_address(created: Created) -> None:
    wizard = WalletWizard(created, network="regtest")
    assert wizard.needs_server() and not wizard.can_next()
    assert "not a server address" in wizard.set_server("ftp://x").message
    assert wizard.set_server("http://127.0.0.1:16127/api/").ok
    wizard.choose_kind("restore")
    wizard.next()
    wizard.set_restore_text(MNEMONIC_12)
    assert wizard.new_wallet().server == "http://127.0.0.1:16127/api"
    wizard.choose_network("testnet")
    assert not wizard.needs_server()

"""Fixtures for wallet GUI tests: a cheap KDF so creating a wallet file takes milliseconds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from app.wizard import WalletWizard
from wallet.storage.crypto import KdfParams
from wallet.storage.store import WalletStore

# BIP39 test vector phrase (public, holds nothing).
MNEMONIC_12 = "legal winner thank year wave sausage worth useful legal winner thank yellow"
GOOD_PASSWORD = "Correct-Horse-42"


@pytest.fixture
def fast_kdf() -> KdfParams:
    return KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)


@pytest.fixture
def wizard(tmp_path: Path, fast_kdf: KdfParams) -> WalletWizard:
    def store_for(network: str) -> WalletStore:
        return WalletStore(tmp_path / "wallets" / f"{network}.fluxwallet", kdf=fast_kdf)

    return WalletWizard(store_for, network="regtest")


def run_until(loop: asyncio.AbstractEventLoop, done: Callable[[], bool], timeout: float = 10) -> None:
    """Run the qasync loop (so coroutines behind @asyncSlot progress) until `done()` is true."""

    async def poll() -> None:
        while not done():
            await asyncio.sleep(0.005)

    loop.run_until_complete(asyncio.wait_for(poll(), timeout))

"""What the Security page does with the wallet file itself: prove the password, show the seed
words, export an owner-only backup copy. Each proves the password with a throw-away unlock, so
the open wallet is never touched."""

from __future__ import annotations

import asyncio
from pathlib import Path

from wallet.errors import StorageError
from wallet.storage import fileio
from wallet.storage.model import HdSeed
from wallet.storage.store import WalletStore


async def check_password(store: WalletStore, password: str) -> None:
    other = await store.open_async(password)
    other.lock()


async def reveal_seed(store: WalletStore, password: str) -> str:
    other = await store.open_async(password)
    try:
        kind = other.document.kind
    finally:
        other.lock()
    if not isinstance(kind, HdSeed):
        raise StorageError("This wallet has no seed words (imported keys or watch-only).")
    note = "\n(plus your passphrase)" if kind.has_passphrase else ""
    return kind.mnemonic + note


async def export_backup(store: WalletStore, target: Path, password: str) -> None:
    """Copy the wallet file owner-only (0600) and atomically: a crash never leaves half a
    backup, and other users on the machine cannot read it."""
    await check_password(store, password)
    source = store.path
    if target.resolve() == source.resolve():
        raise StorageError("Choose another place than the wallet file itself.")
    data = await asyncio.to_thread(fileio.read_bytes, source)
    if data is None:
        raise StorageError(f"The wallet file {source} is gone; nothing was exported.")
    await asyncio.to_thread(fileio.atomic_write, target, data, keep_backup=False)


def numbered_words(mnemonic: str, columns: int = 3) -> str:
    """Seed words numbered in `columns` columns read top-down (as the GUI's grid), for a terminal:
    " 1. legal     5. wave ..." — numbers make a word's place unmistakable on paper."""
    words = mnemonic.split()
    if not words:
        return ""
    rows = (len(words) + columns - 1) // columns
    width = max(len(w) for w in words)
    lines = []
    for row in range(rows):
        cells = [
            f"{index + 1:>2}. {words[index]:<{width}}"
            for index in range(row, len(words), rows)
        ]
        lines.append("   ".join(cells).rstrip())
    return "\n".join(lines)

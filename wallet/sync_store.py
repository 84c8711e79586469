"""The sync cache on disk: the sync state sealed next to the wallet file, so that unlocking
refreshes from it instead of syncing from scratch.

The cache is a sidecar file (`<wallet file>.synccache`, see storage/sidecar.py) sealed with the
wallet's data key, its associated data naming the wallet id; inside, the JSON of sync_cache.py
with the server it came from. It is not a section of the wallet file because every small save of
the document (a label, a handed-out address) would then re-seal megabytes of transactions and
copy them into the .bak file too.

Written (atomically, by flux.fileio's writer) after a sync that changed what the cache holds (a
new block alone does not), after a password change (the data key is new) and on close; the JSON
and the sealing run in a worker thread. A cache that does not open or read (another wallet's, an
edited, truncated or older one, another server's) is ignored with one log line: the sync is
then a full one, so a bad cache costs time, never coins.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Final

from flux.fileio import atomic_write_bytes
from wallet.backends.base import Trust
from wallet.errors import WalletError
from wallet.storage.sidecar import SidecarKey
from wallet.storage.store import UnlockedWallet
from wallet.sync_cache import dump_sync_state, load_sync_state
from wallet.sync_state import SyncState

log = logging.getLogger(__name__)

PURPOSE: Final = "synccache"
STORE_FORMAT: Final = 1

Fingerprint = tuple[Any, ...]


class SyncStore:
    """The sync cache of one open wallet, for one server."""

    def __init__(self, wallet: UnlockedWallet, path: Path, server: str) -> None:
        self._wallet = wallet
        self.path = path
        self.server = server
        # What the file holds now (None: unknown or nothing), to skip saves that change nothing.
        self._saved: Fingerprint | None = None
        # Hex of transactions already serialized once (read from the file or written to it).
        self._hex: dict[str, str] = {}
        self._writing: asyncio.Task[None] | None = None

    async def load(self) -> SyncState | None:
        """The cached state, or None (full sync next) when there is none or it is not usable."""
        try:
            key = self._wallet.sidecar_key(PURPOSE)
        except WalletError:
            return None
        state, hexes = await asyncio.to_thread(self._read, key)
        if state is not None:
            self._hex = hexes
            self._saved = fingerprint(state)
        return state

    def _read(self, key: SidecarKey) -> tuple[SyncState | None, dict[str, str]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None, {}
        except OSError as exc:
            log.warning("the sync cache could not be read (%s); the next sync is a full one", exc)
            return None, {}
        try:
            doc = json.loads(key.open(data))
        except (WalletError, ValueError, RecursionError) as exc:
            log.warning("the sync cache is not usable (%s); the next sync is a full one", exc)
            return None, {}
        if not isinstance(doc, dict) or doc.get("store") != STORE_FORMAT:
            log.warning("the sync cache has another format; the next sync is a full one")
            return None, {}
        if doc.get("server") != self.server:
            log.info("the sync cache is from another server; the next sync is a full one")
            return None, {}
        state = load_sync_state(doc.get("state"), sealed=True)
        if state is None:
            return None, {}
        return state, {row[0]: row[1] for row in doc["state"]["txs"]}

    def schedule_save(self, state: SyncState) -> None:
        """Save `state` in the background when it changed what the file holds."""
        if self._writing is not None and not self._writing.done():
            # One write at a time; the next sync (or close) saves what this one missed.
            return
        snapshot = self._snapshot_if_changed(state)
        if snapshot is not None:
            self._writing = asyncio.ensure_future(self._write(snapshot))

    async def save(self, state: SyncState | None, *, force: bool = False) -> None:
        """Save now (after the write in flight) when changed, or always with `force`."""
        await self.flush()
        if state is None:
            return
        if force:
            self._saved = None
        snapshot = self._snapshot_if_changed(state)
        if snapshot is not None:
            await self._write(snapshot)

    async def flush(self) -> None:
        """Wait for the write in flight, if any."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await asyncio.gather(writing, return_exceptions=True)

    def forget(self) -> None:
        """Delete the cache file (the wallet it belonged to is gone or replaced)."""
        self._saved = None
        self.path.unlink(missing_ok=True)

    def _snapshot_if_changed(self, state: SyncState) -> tuple[SyncState, Fingerprint] | None:
        seen = fingerprint(state)
        if seen == self._saved:
            return None
        # A shallow copy: the next sync replaces entries of these dicts while the worker reads.
        copy = SyncState(
            tip=state.tip,
            last_used=dict(state.last_used),
            scanned=dict(state.scanned),
            txs=dict(state.txs),
            local_pending=dict(state.local_pending),
            trust=dict(state.trust),
            utxos=list(state.utxos),
            history=list(state.history),
            results_tip=state.results_tip,
        )
        return copy, seen

    async def _write(self, snapshot: tuple[SyncState, Fingerprint]) -> None:
        state, seen = snapshot
        try:
            key = self._wallet.sidecar_key(PURPOSE)
        except WalletError:
            return  # locked meanwhile: the next open syncs from the last file written
        try:
            await asyncio.to_thread(self._seal_and_write, key, state)
        except OSError as exc:
            log.warning("the sync cache could not be written: %s", exc)
            return
        self._saved = seen

    def _seal_and_write(self, key: SidecarKey, state: SyncState) -> None:
        body = dump_sync_state(state, hexes=self._hex)
        self._hex = {row[0]: row[1] for row in body["txs"]}
        doc = {"store": STORE_FORMAT, "server": self.server, "state": body}
        payload = json.dumps(doc, separators=(",", ":")).encode()
        atomic_write_bytes(self.path, key.seal(payload))
        log.info("saved the sync cache (%d transactions, %d bytes)", len(state.txs), len(payload))


def fingerprint(state: SyncState) -> Fingerprint:
    """What the cache holds of `state`; the tip is left out (a new block alone is no change)."""
    return (
        tuple(state.last_used.items()),
        tuple(state.scanned.items()),
        hash(tuple((t, c.height, c.confirmed, c.time) for t, c in state.txs.items())),
        len(state.txs),
        frozenset(state.local_pending),
        frozenset(t for t, v in state.trust.items() if v is Trust.VERIFIED),
    )

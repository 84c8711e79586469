"""Where FluxDesk keeps its files inside the data directory: one layout for the CLI and the GUI.

Wallets live in ``wallets/<network>/<name>.fluxwallet`` (the default wallet is ``default``).
Older versions wrote the GUI's wallet to ``wallets/<network>.fluxwallet``; `migrate_wallets`
moves such a file into place once, together with its ``.bak`` copy, and never overwrites one.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

WALLET_SUFFIX = ".fluxwallet"
DEFAULT_WALLET = "default"
# Where an old GUI wallet goes when the CLI's default wallet already sits in its place.
SET_ASIDE_NAME = "from-gui"


class PathError(ValueError):
    """A name that cannot be used as a file name in the data directory."""


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    def wallet_dir(self, network: str) -> Path:
        return self.root / "wallets" / network

    def wallet(self, network: str, name: str = DEFAULT_WALLET) -> Path:
        if not name or Path(name).name != name or name.startswith(".") or name in ("..",):
            raise PathError(f"{name!r} is not a wallet name; use letters, digits, - or _.")
        return self.wallet_dir(network) / f"{name}{WALLET_SUFFIX}"

    def old_gui_wallet(self, network: str) -> Path:
        """Where FluxDesk before the shared layout kept the GUI's wallet."""
        return self.root / "wallets" / f"{network}{WALLET_SUFFIX}"

    def migrate_wallets(self, networks: tuple[str, ...]) -> list[str]:
        """Move old-layout wallet files into the shared layout; returns a sentence per move."""
        notes: list[str] = []
        for network in networks:
            note = self._migrate_one(network)
            if note:
                log.info("%s", note)
                notes.append(note)
        return notes

    def _migrate_one(self, network: str) -> str:
        old = self.old_gui_wallet(network)
        if not (old.exists() or _backup(old).exists()):
            return ""
        target = self.wallet(network)
        if not (target.exists() or _backup(target).exists()):
            _move_with_backup(old, target)
            return f"Moved the {network} wallet from {old} to {target}."
        # Both exist: the shared one stays the default, the old GUI file is kept under a name of
        # its own (never overwritten, never deleted) and can be opened with --wallet.
        aside = self._free_name(network)
        _move_with_backup(old, aside)
        return (
            f"Two {network} wallets were found. Kept {target} as the default wallet; the older "
            f"GUI wallet {old} was moved to {aside} (open it with "
            f"`fluxdesk wallet … --wallet {aside.name.removesuffix(WALLET_SUFFIX)}`)."
        )

    def _free_name(self, network: str) -> Path:
        number = 1
        while True:
            name = SET_ASIDE_NAME if number == 1 else f"{SET_ASIDE_NAME}-{number}"
            candidate = self.wallet(network, name)
            if not (candidate.exists() or _backup(candidate).exists()):
                return candidate
            number += 1


def _backup(path: Path) -> Path:
    # The store keeps the previous copy beside the file (wallet/storage/fileio.backup_path).
    return path.with_name(path.name + ".bak")


def _move_with_backup(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for src, dst in ((_backup(source), _backup(target)), (source, target)):
        if src.exists():
            _move_no_overwrite(src, dst)


def _move_no_overwrite(source: Path, target: Path) -> None:
    """os.link + unlink: fails with FileExistsError instead of replacing `target`."""
    try:
        os.link(source, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        # Filesystems without hard links: an exclusive create keeps the no-overwrite promise.
        with source.open("rb") as src, target.open("xb") as dst:
            dst.write(src.read())
            dst.flush()
            os.fsync(dst.fileno())
    _fsync_dir(target.parent)
    source.unlink()
    _fsync_dir(source.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

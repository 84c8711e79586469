"""The shared data layout: old-layout wallet files are found and moved, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.paths import DataPaths, PathError
from app.settings import NETWORKS


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_cli_and_gui_share_one_wallet_path(data_dir: Path) -> None:
    paths = DataPaths(data_dir)
    assert paths.wallet("testnet") == data_dir / "wallets" / "testnet" / "default.fluxwallet"
    assert paths.wallet("testnet", "savings").name == "savings.fluxwallet"


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden", ".."])
def test_bad_wallet_names_are_refused(data_dir: Path, name: str) -> None:
    with pytest.raises(PathError, match="not a wallet name"):
        DataPaths(data_dir).wallet("mainnet", name)


def test_old_gui_wallet_and_its_backup_are_moved_into_place(data_dir: Path) -> None:
    paths = DataPaths(data_dir)
    old = paths.old_gui_wallet("mainnet")
    _write(old, b"gui wallet")
    _write(old.with_name(old.name + ".bak"), b"gui previous")
    notes = paths.migrate_wallets(NETWORKS)
    target = paths.wallet("mainnet")
    assert target.read_bytes() == b"gui wallet"
    assert target.with_name(target.name + ".bak").read_bytes() == b"gui previous"
    assert not old.exists() and not old.with_name(old.name + ".bak").exists()
    assert notes == [f"Moved the mainnet wallet from {old} to {target}."]
    # Idempotent: a second start finds nothing to do.
    assert paths.migrate_wallets(NETWORKS) == []


def test_old_cli_layout_is_already_the_shared_one(data_dir: Path) -> None:
    paths = DataPaths(data_dir)
    _write(data_dir / "wallets" / "regtest" / "default.fluxwallet", b"cli wallet")
    assert paths.migrate_wallets(NETWORKS) == []
    assert paths.wallet("regtest").read_bytes() == b"cli wallet"


def test_a_lone_backup_of_the_old_gui_wallet_is_moved_too(data_dir: Path) -> None:
    paths = DataPaths(data_dir)
    old = paths.old_gui_wallet("testnet")
    _write(old.with_name(old.name + ".bak"), b"only the previous copy survived")
    paths.migrate_wallets(NETWORKS)
    target = paths.wallet("testnet")
    assert target.with_name(target.name + ".bak").read_bytes() == b"only the previous copy survived"


def test_both_layouts_present_nothing_is_overwritten_and_the_note_says_which_was_kept(
    data_dir: Path,
) -> None:
    paths = DataPaths(data_dir)
    old, target = paths.old_gui_wallet("mainnet"), paths.wallet("mainnet")
    _write(old, b"gui wallet")
    _write(target, b"cli wallet")
    _write(paths.wallet("mainnet", "from-gui"), b"an earlier set-aside wallet")
    [note] = paths.migrate_wallets(NETWORKS)
    aside = paths.wallet("mainnet", "from-gui-2")
    assert target.read_bytes() == b"cli wallet"
    assert aside.read_bytes() == b"gui wallet"
    assert paths.wallet("mainnet", "from-gui").read_bytes() == b"an earlier set-aside wallet"
    assert not old.exists()
    assert f"Kept {target} as the default wallet" in note
    assert str(aside) in note and "--wallet from-gui-2" in note

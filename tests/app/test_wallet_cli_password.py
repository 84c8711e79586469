"""The CLI applies the same password rule as the GUI's wizard (wallet/password.py)."""

from __future__ import annotations

from pathlib import Path

from app.paths import DataPaths
from tests.cli import run_fluxdesk


def test_weak_password_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("password\n")
    done = run_fluxdesk("--data-dir", str(tmp_path / "data"), "--network", "testnet", "wallet",
                        "create", "--password-file", str(tmp_path / "pw"), stdin="")
    assert done.returncode == 1
    assert "too easy to guess" in done.stderr and "Nothing was created" in done.stderr
    assert not DataPaths(tmp_path / "data").wallet("testnet").exists()

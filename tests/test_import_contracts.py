"""The layering rules of ARCHITECTURE.md, enforced by import-linter."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_repository_keeps_the_contracts():
    result = run_lint(REPO_ROOT, REPO_ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 kept, 0 broken" in result.stdout


def _miniature(tmp_path: Path) -> None:
    """An empty tree with the repository's packages and its own contracts."""
    for package in ("app", "ui", "wallet", "nodectl", "flux", "nodesetup"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")


def test_contract_catches_qt_in_wallet(tmp_path):
    # A miniature tree with the repository's own contracts, where wallet imports Qt: it must fail.
    _miniature(tmp_path)
    (tmp_path / "wallet" / "bad.py").write_text("from PySide6 import QtCore\n")
    (tmp_path / "nodectl" / "bad.py").write_text("import wallet.bad\n")
    result = run_lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "wallet.bad -> PySide6" in result.stdout
    assert "nodectl.bad -> wallet.bad" in result.stdout


def test_contract_catches_flux_importing_upwards(tmp_path):
    # flux is the floor: importing wallet, nodectl or Qt from it breaks the floor and the layers.
    _miniature(tmp_path)
    (tmp_path / "flux" / "bad.py").write_text("import wallet\nimport nodectl\nimport PySide6\n")
    (tmp_path / "wallet" / "ok.py").write_text("import flux\n")
    result = run_lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "flux.bad -> wallet" in result.stdout
    assert "flux.bad -> nodectl" in result.stdout
    assert "flux.bad -> PySide6" in result.stdout
    assert "5 kept, 2 broken" in result.stdout

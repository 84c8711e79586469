"""Root runs only root-owned code, in a clean environment (issue 15 High and Low)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nodectl
from nodectl.install import helpertrust
from nodectl.install.accounts import Account
from nodectl.install.operations import Command
from nodectl.install.privclient import helper_command
from nodectl.install.privops import run_command

PACKAGE_ROOT = Path(nodectl.__file__).resolve().parent.parent
EVIL = "import pathlib, sys; pathlib.Path(sys.argv[0] if False else {marker!r}).touch()\n"


def start(argv: list[str], cwd: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(argv, input="", capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=60, check=False)
    return dict(json.loads(done.stdout.splitlines()[0]))


def test_modules_in_the_callers_folder_or_pythonpath_are_not_imported(tmp_path: Path) -> None:
    """Issue 15: a json.py where the user ran `fluxdesk node install` ran as root."""
    marker = tmp_path / "imported-as-root"
    for name in ("json.py", "os.py", "stat.py", "nodectl.py", "sitecustomize.py"):
        (tmp_path / name).write_text(EVIL.format(marker=str(marker)))
    (tmp_path / "evil.pth").write_text(f"import pathlib; pathlib.Path({str(marker)!r}).touch()\n")
    env = {"PYTHONPATH": str(tmp_path), "PYTHONSTARTUP": str(tmp_path / "json.py"),
           "PYTHONHOME": str(tmp_path), "PYTHONUSERBASE": str(tmp_path), "PATH": "/usr/bin"}
    hello = start(helper_command(), tmp_path, env)
    assert hello["ready"] is True, hello
    assert not marker.exists(), "code from the caller's folder ran in the root helper"


def copy_of_the_code(tmp_path: Path) -> Path:
    top = tmp_path / "code"
    for package in ("nodectl", "flux"):
        shutil.copytree(PACKAGE_ROOT / package, top / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for path in [top, *top.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return top


@pytest.mark.skipif(os.geteuid() != 0, reason="needs files owned by root to compare with")
@pytest.mark.parametrize("spoil", ["group-writable", "user-owned", "user-owned folder"])
def test_code_a_user_can_change_is_refused_before_it_runs(tmp_path: Path, spoil: str) -> None:
    top = copy_of_the_code(tmp_path)
    marker = tmp_path / "ran-as-root"
    target = top / "nodectl" / "install" / "operations.py"
    target.write_text(EVIL.format(marker=str(marker)) + target.read_text())
    if spoil == "group-writable":
        target.chmod(0o664)
    elif spoil == "user-owned":
        os.chown(target, 1000, 1000)
    else:
        os.chown(target.parent, 1000, 1000)
    argv = helper_command()
    argv[argv.index(str(PACKAGE_ROOT))] = str(top)
    hello = start(argv, Path("/"), {"PATH": "/usr/bin"})
    assert hello["ready"] is False
    assert str(target if spoil != "user-owned folder" else target.parent) in str(hello["error"])
    assert "refusing to run as root" in str(hello["error"])
    assert not marker.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs files owned by root to compare with")
def test_a_root_owned_copy_starts(tmp_path: Path) -> None:
    top = copy_of_the_code(tmp_path)
    argv = helper_command()
    argv[argv.index(str(PACKAGE_ROOT))] = str(top)
    assert start(argv, Path("/"), {"PATH": "/usr/bin"})["ready"] is True


@pytest.mark.skipif(os.geteuid() != 0, reason="the check only matters for a root helper")
def test_loaded_modules_are_checked_again_once_running(tmp_path: Path) -> None:
    module = tmp_path / "writable_mod_for_trust_test.py"
    module.write_text("VALUE = 1\n")
    module.chmod(0o666)
    spec = importlib.util.spec_from_file_location("writable_mod_for_trust_test", module)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules["writable_mod_for_trust_test"] = loaded
    try:
        spec.loader.exec_module(loaded)
        assert str(module) in helpertrust.untrusted_code()
    finally:
        del sys.modules["writable_mod_for_trust_test"]


def test_the_helper_starts_from_the_base_interpreter_isolated() -> None:
    argv = helper_command(["--root", "/x"])
    assert argv[1:5] == ["-I", "-S", "-B", "-c"] and argv[-2:] == ["--root", "/x"]
    assert ".venv" not in argv[0] and os.path.isabs(argv[0])


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to another uid needs root")
def test_node_user_commands_get_a_minimal_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 (Low): pm2/npm/git inherited FLUXDESK_IDENTITY_KEY and the app environment."""
    monkeypatch.setenv("FLUXDESK_IDENTITY_KEY", "L1secretWIF")
    monkeypatch.setenv("PYTHONPATH", "/home/desk/evil")
    monkeypatch.setenv("LD_PRELOAD", "/home/desk/evil.so")
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, 1001, 1001)
    account = Account("fluxnode", 1001, 1001, str(home), "/bin/bash", (1001,))
    lines: list[str] = []
    answer = run_command(Command(("env",), "fluxnode"), account, str(home), 30,
                         lambda e: lines.append(str(e.get("line"))))
    env = dict(line.split("=", 1) for line in answer["tail"])
    assert env == {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOME": str(home),
                   "USER": "fluxnode", "LANG": "C.UTF-8"}
    ids = run_command(Command(("id", "-u"), "fluxnode"), account, str(home), 30, lambda e: None)
    assert ids["tail"] == ["1001"]
    root_env = run_command(Command(("env",)), None, "/", 30, lambda e: None)
    assert "FLUXDESK_IDENTITY_KEY" not in "\n".join(root_env["tail"])

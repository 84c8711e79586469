"""`fluxdesk node install --dry-run` on this machine (acceptance 1); it must change nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli import run_fluxdesk

from .conftest import TXID, WIF, ZELID


def fluxdesk(data_dir: Path, *args: str, stdin: str = "",
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_fluxdesk("--data-dir", str(data_dir), "node", *args, env=env, stdin=stdin,
                        timeout=120)


FULL = ("install", "--dry-run", "--json", "--txid", TXID, "--index", "0", "--zelid", ZELID,
        "--ip", "81.2.69.160", "--identity-key-stdin")


def test_dry_run_json_prints_plan_and_preflight_and_changes_nothing(tmp_path: Path) -> None:
    before = set(Path("/home").iterdir()) if Path("/home").exists() else set()
    result = fluxdesk(tmp_path, *FULL, stdin=WIF + "\n")
    assert result.returncode == 0, result.stderr
    assert WIF not in result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["dry_run"] and doc["missing_inputs"] == []
    checks = {c["check_id"]: c for c in doc["preflight"]["checks"]}
    assert {"os", "cpu", "systemd", "ports", "disk", "public_ip"} <= set(checks)
    assert all(c["fix"] for c in checks.values() if c["status"] == "fail")
    if Path("/proc/1/comm").read_text().strip() != "systemd":
        assert checks["systemd"]["status"] == "fail" and not doc["preflight"]["ok"]
    steps = {s["id"]: s for s in doc["plan"]["steps"]}
    order = list(steps)
    assert order[0] == "user" and order[-1] == "verify"
    conf = next(f for f in steps["flux-conf"]["files"] if f["path"].endswith("flux.conf"))
    assert f"zelnodeoutpoint={TXID}" in conf["content"]
    assert "zelnodeprivkey=<your identity key>" in conf["content"]
    unit = steps["zelcash-service"]["files"][-1]
    assert unit["path"] == "/etc/systemd/system/zelcash.service"
    assert ["systemctl", "daemon-reload"] in [c["argv"] for c in
                                             steps["zelcash-service"]["commands"]]
    assert not (tmp_path / "node-install" / "state.json").exists()
    assert (set(Path("/home").iterdir()) if Path("/home").exists() else set()) == before


def test_dry_run_without_inputs_still_shows_the_plan(tmp_path: Path) -> None:
    result = fluxdesk(tmp_path, "install", "--dry-run", "--ip", "81.2.69.160")
    assert result.returncode == 0, result.stderr
    assert ("Inputs still needed to run: the identity key (--identity-key-stdin or "
            "$FLUXDESK_IDENTITY_KEY), --txid, --index, --zelid") in result.stdout
    assert "$ useradd --create-home" in result.stdout
    assert "| zelnodeoutpoint=<collateral txid>" in result.stdout


def test_injection_in_cli_input_is_rejected(tmp_path: Path) -> None:
    result = fluxdesk(tmp_path, "install", "--dry-run", "--ip", "81.2.69.160",
                      "--txid", TXID + "\nrpcallowip=0.0.0.0/0")
    assert result.returncode == 2
    assert "fluxdesk: --txid: " in result.stderr and "Traceback" not in result.stderr
    result = fluxdesk(tmp_path, "install", "--dry-run", "--ip", "81.2.69.160",
                      "--user", "x;reboot")
    assert result.returncode == 2 and "fluxdesk: --user: " in result.stderr


def test_real_install_refuses_without_inputs_and_key_is_never_an_argument(
        tmp_path: Path) -> None:
    result = fluxdesk(tmp_path, "install", "--yes", "--ip", "81.2.69.160")
    assert result.returncode == 2 and "identity key (--identity-key-stdin or $FLUXDESK_IDENTITY_KEY): is required" in \
        result.stderr
    result = fluxdesk(tmp_path, "install", "--yes", "--identity-key", WIF)
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr


def test_real_install_stops_at_a_failed_preflight(tmp_path: Path) -> None:
    if Path("/proc/1/comm").read_text().strip() == "systemd":
        pytest.skip("only safe where the preflight is sure to fail (no systemd)")
    result = fluxdesk(tmp_path, "install", "--yes", "--txid", TXID, "--index", "0",
                      "--zelid", ZELID, "--ip", "81.2.69.160",
                      env={"FLUXDESK_IDENTITY_KEY": WIF})
    assert result.returncode == 1
    assert "Preflight failed; nothing was changed" in result.stderr
    assert "[FAIL] systemd" in result.stdout
    assert not (tmp_path / "node-install" / "state.json").exists()

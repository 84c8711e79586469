"""Bad input on the real command line gets a plain message, never a traceback; secret files are
checked; core dumps are off; a damaged settings.json is set aside with a word to the user."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.cli import run_fluxdesk
from tests.paths import REPO_ROOT

NOT_UTF8 = b"\xff\xfe pass\x80word\n"
DOWN = "http://127.0.0.1:9/api"


def fluxdesk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_fluxdesk("--data-dir", str(data), "--network", "testnet", *args, stdin="")


def assert_plain(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def private_file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("option", ["--password-file", "--seed-file", "--wif-file"])
def test_a_secret_file_that_is_not_utf8_is_a_message(tmp_path: Path, option: str) -> None:
    bad = private_file(tmp_path / "secret", NOT_UTF8)
    good = private_file(tmp_path / "pw", b"a good password\n")
    action = {"--password-file": "balance", "--seed-file": "restore", "--wif-file": "import-key"}
    args = ["wallet", action[option], option, str(bad), "--insight", DOWN]
    if option != "--password-file":
        args += ["--password-file", str(good)]
    result = fluxdesk(tmp_path / "data", *args)
    assert_plain(result, "is not UTF-8 text", str(bad))
    assert "\\xff" not in result.stderr and "word" not in result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/api", "ftp://host/api"])
def test_a_bad_insight_url_is_a_message(tmp_path: Path, url: str) -> None:
    pw = private_file(tmp_path / "pw", b"a good password\n")
    result = fluxdesk(tmp_path / "data", "wallet", "balance", "--password-file", str(pw),
                      "--insight", url)
    assert_plain(result, "is not a server address")


@pytest.mark.parametrize("ip", ["abc", "203.0.113.7\nx", "203.0.113.7\n"])
def test_node_install_with_a_bad_ip_is_a_message(tmp_path: Path, ip: str) -> None:
    result = fluxdesk(tmp_path / "data", "node", "install", "--ip", ip, "--dry-run")
    assert_plain(result, "--ip: must be an IPv4 address")


@pytest.mark.parametrize(
    "content",
    [
        '{"schema_version": 0}',
        '{"schema_version": -1}',
        '{"schema_version": 1e400}',
        '{"schema_version": "2"}',
        '{"schema_version": 99}',
        '{"schema_version": 2, "extra": 5}',
        '{"schema_version": 2, "start_minimised": "yes"}',
        "[" * 100_000,
    ],
)
def test_a_bad_settings_file_is_kept_aside_and_defaults_are_used(
    tmp_path: Path, content: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(content)
    pw = private_file(tmp_path / "pw", b"")
    result = fluxdesk(data, "wallet", "balance", "--password-file", str(pw), "--insight", DOWN)
    # The command itself ran (and stopped at the empty password file), after saying what happened.
    assert_plain(result, "settings.json", "default settings", "The password file")
    backup = data / "settings.json.damaged"
    assert backup.read_text() == content
    assert "settings.json.damaged" in result.stderr


def test_gui_start_with_a_bad_settings_file_is_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text('{"schema_version": 0}')
    result = run_fluxdesk(
        "--data-dir", str(data), "--screenshot", str(tmp_path / "shot.png"),
        env={"QT_QPA_PLATFORM": "offscreen"}, stdin="",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "default settings" in result.stderr
    assert (data / "settings.json.damaged").exists()


def test_a_password_file_others_can_read_gets_a_warning(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("a good password\n")
    pw.chmod(0o644)
    result = fluxdesk(tmp_path / "data", "wallet", "balance", "--password-file", str(pw),
                      "--insight", DOWN)
    assert "can be read by other users" in result.stderr and f"chmod 600 {pw}" in result.stderr
    pw.chmod(0o600)
    result = fluxdesk(tmp_path / "data", "wallet", "balance", "--password-file", str(pw),
                      "--insight", DOWN)
    assert "can be read by other users" not in result.stderr


def test_core_dumps_are_off_while_the_cli_holds_a_secret(tmp_path: Path) -> None:
    """The CLI blocks reading its password from a FIFO; its limits are read meanwhile."""
    fifo = tmp_path / "pw"
    os.mkfifo(fifo, 0o600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--data-dir", str(tmp_path / "data"), "--network",
         "testnet", "wallet", "balance", "--password-file", str(fifo), "--insight", DOWN],
        cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        limits = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            # Waiting in open() on the FIFO means the CLI is past its start-up.
            if _blocked_on(proc.pid, fifo):
                limits = Path(f"/proc/{proc.pid}/limits").read_text()
                break
            time.sleep(0.05)
        # A daemon writer: if the CLI never opens the FIFO, the test fails instead of hanging.
        writer = threading.Thread(target=lambda: fifo.write_text("a good password\n"), daemon=True)
        writer.start()
        proc.communicate(timeout=60)
        writer.join(timeout=5)
    finally:
        proc.kill()
    assert limits, "the CLI never waited on the password FIFO"
    line = next(x for x in limits.splitlines() if x.startswith("Max core file size"))
    assert line.split()[4:6] == ["0", "0"], line


def _blocked_on(pid: int, path: Path) -> bool:
    try:
        syscall = Path(f"/proc/{pid}/wchan").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # Linux names the wait for a FIFO's writer wait_for_partner (fifo_open on older kernels).
    waiting = "partner" in syscall or "fifo" in syscall
    return waiting and b"app.main" in cmdline and str(path).encode() in cmdline


def test_settings_backup_keeps_the_file_mode_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"schema_version": 0}))
    fluxdesk(data, "wallet", "balance", "--password-file", str(tmp_path / "none"),
             "--insight", DOWN)
    assert stat.S_IMODE((data / "settings.json.damaged").stat().st_mode) & 0o077 == 0

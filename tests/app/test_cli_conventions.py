"""What every `fluxdesk` command does the same way: global options, help, JSON errors, exit
codes, a closed pipe and Ctrl-C."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.commands.failure import EXIT_CODES
from app.main import build_parser, subcommand_parsers
from tests.cli import run_fluxdesk
from tests.nodectl.bench_helpers import fake_sysbench
from tests.paths import REPO_ROOT

GLOBAL_FLAGS = {"--data-dir", "--network", "--verbose"}
# Documentation addresses on 127.0.0.1 only: a port nothing listens on.
DEAD_SERVER = "http://127.0.0.1:9/api"


def all_parsers() -> list[argparse.ArgumentParser]:
    root = build_parser()
    return [root, *subcommand_parsers(root)]


def test_every_subcommand_takes_the_global_options_after_it() -> None:
    parsers = subcommand_parsers(build_parser())
    names = {p.prog for p in parsers}
    assert {"fluxdesk bench", "fluxdesk node install", "fluxdesk wallet balance"} <= names
    for parser in parsers:
        flags = {flag for action in parser._actions for flag in action.option_strings}
        assert flags >= GLOBAL_FLAGS, parser.prog


def test_global_options_parse_before_and_after_the_subcommand(tmp_path: Path) -> None:
    parse = build_parser().parse_args
    after = parse(["wallet", "balance", "--network", "regtest", "--data-dir", str(tmp_path), "-v"])
    assert (after.network, after.data_dir, after.verbose) == ("regtest", tmp_path, True)
    before = parse(["--network", "testnet", "wallet", "balance"])
    assert before.network == "testnet" and before.verbose is False
    between = parse(["node", "--network", "regtest", "install", "--dry-run"])
    assert between.network == "regtest"


def test_network_after_the_subcommand_reaches_the_command(tmp_path: Path) -> None:
    data = tmp_path / "d"
    result = run_fluxdesk(
        "bench", "--export", str(tmp_path / "runs.json"), "--network", "regtest",
        "--data-dir", str(data), "--verbose",
    )
    assert result.returncode == 0, result.stderr
    assert "network regtest" in (data / "logs" / "fluxdesk.log").read_text()
    assert "network regtest" in result.stderr  # --verbose: debug log also on stderr


def test_every_option_has_help_and_every_command_a_description() -> None:
    missing = set()
    for parser in all_parsers():
        assert parser.description, f"{parser.prog} --help does not say what it does"
        for action in parser._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.add((parser.prog, action.option_strings[0]))
    assert not missing, sorted(missing)


def test_help_and_readme_document_every_exit_code() -> None:
    result = run_fluxdesk("--help")
    assert result.returncode == 0
    readme = (REPO_ROOT / "README.md").read_text()
    for code, meaning in EXIT_CODES:
        assert f"{code:>3}  {meaning}" in result.stdout
        assert f"| {code} | {meaning} |" in readme
    assert '{"error": {"kind"' in result.stdout and '{"error": {"kind"' in readme


def json_error(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    doc = json.loads(result.stdout)
    assert set(doc) == {"error"} and {"kind", "message"} <= set(doc["error"])
    assert "Traceback" not in result.stderr
    return dict(doc["error"])


def test_a_bad_command_line_with_json_is_a_json_error(tmp_path: Path) -> None:
    result = run_fluxdesk("--data-dir", str(tmp_path), "bench", "--json", "--no-such-flag")
    assert result.returncode == 2
    error = json_error(result)
    assert error["kind"] == "usage" and "--no-such-flag" in error["message"]
    plain = run_fluxdesk("--data-dir", str(tmp_path), "bench", "--no-such-flag")
    assert plain.returncode == 2 and plain.stdout == ""
    assert "usage: fluxdesk bench" in plain.stderr and "--no-such-flag" in plain.stderr


def test_command_errors_with_json_are_json_with_their_exit_code(tmp_path: Path) -> None:
    export = run_fluxdesk(
        "--data-dir", str(tmp_path), "bench", "--json", "--export", str(tmp_path / "x.txt")
    )
    assert export.returncode == 2 and json_error(export)["kind"] == "usage"
    no_sysbench = run_fluxdesk(
        "--data-dir", str(tmp_path), "bench", "--json", "--no-network",
        env={"PATH": str(tmp_path / "empty")},
    )
    assert no_sysbench.returncode == 1
    error = json_error(no_sysbench)
    assert error["kind"] == "sysbench_missing" and "apt-get install sysbench" in error["message"]


def test_node_messages_name_the_flag_the_user_types(tmp_path: Path) -> None:
    common = ("--data-dir", str(tmp_path), "node", "install", "--dry-run", "--ip", "203.0.113.7")
    bad = run_fluxdesk(*common, "--txid", "zz", "--json")
    assert bad.returncode == 2
    error = json_error(bad)
    assert error["kind"] == "bad_input" and error["message"].startswith("--txid: must be 64 hex")
    plain = run_fluxdesk(*common, "--index", "x")
    assert plain.returncode == 2 and plain.stderr.startswith("fluxdesk: --index: ")
    shown = run_fluxdesk(*common)
    assert shown.returncode == 0, shown.stderr
    needed = next(line for line in shown.stdout.splitlines() if "Inputs still needed" in line)
    assert "--txid" in needed and "--index" in needed and "--zelid" in needed
    assert "collateral_txid" not in needed and "zelid," not in needed


def run_into_head(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``fluxdesk ARGS | head -1`` through a real shell pipe; fluxdesk's stderr kept apart."""
    command = shlex.join([sys.executable, "-m", "app.main", *args])
    errors = shlex.quote(str(tmp_path / "err.txt"))
    return subprocess.run(
        ["sh", "-c", f"{command} 2>{errors} | head -1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("node", "install", "--dry-run", "--ip", "203.0.113.7"),
    ],
    ids=["help", "install-plan"],
)
def test_output_piped_into_head_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_into_head("--data-dir", str(tmp_path / "d"), *args, tmp_path=tmp_path)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    errors = (tmp_path / "err.txt").read_text()
    assert "Traceback" not in errors and "BrokenPipe" not in errors and "Exception" not in errors
    assert errors == ""


def test_long_output_into_a_closed_pipe_exits_141_without_a_word(tmp_path: Path) -> None:
    # The reader is gone before the (long) plan is written: every write fails.
    reader, writer = os.pipe()
    os.close(reader)
    with os.fdopen(writer, "w") as closed:
        result = subprocess.run(
            [sys.executable, "-m", "app.main", "--data-dir", str(tmp_path), "node", "install",
             "--dry-run", "--ip", "203.0.113.7"],
            cwd=REPO_ROOT, stdout=closed, stderr=subprocess.PIPE, text=True, timeout=120,
            check=False,
        )
    assert result.returncode == 141
    assert result.stderr == ""


def test_ctrl_c_during_a_slow_benchmark_ends_with_one_line(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake_sysbench(tools, sleep=60)
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--data-dir", str(tmp_path / "d"), "bench",
         "--quick", "--no-network", "--no-save", "--disk", str(tmp_path)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    # The CPU load check finishes before sysbench starts (and then sleeps).
    while not any("CPU load check" in line for line in seen):
        assert time.monotonic() < deadline, seen
        seen.append(proc.stderr.readline())
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert out == ""
    lines = [line for line in rest.splitlines() if line.strip()]
    assert lines == ["fluxdesk: Benchmark cancelled; nothing was saved."], rest


@pytest.mark.parametrize("command", [("wallet", "balance"), ("node", "list"),
                                     ("wallet", "flux-id")])
def test_no_wallet_is_said_before_a_password_is_asked_for(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run_fluxdesk(*command, "--json", "--network", "regtest",
                          "--data-dir", str(tmp_path), "--insight", DEAD_SERVER, stdin="")
    error = json.loads(result.stdout)["error"]
    assert result.returncode == 1, result.stdout
    assert "no wallet file" in error["message"] and "fluxdesk wallet create" in error["message"]
    assert "password" not in result.stderr.lower()

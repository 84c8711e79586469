"""The privileged helper only accepts its allow-list (run here without pkexec, never for real
installs: every accepted operation below is read-only)."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from nodectl.install import privhelper
from nodectl.install.privclient import HelperError, PrivilegedHelper
from nodectl.install.privops import SudoersRejected, check_sudoers


@pytest_asyncio.fixture
async def helper() -> AsyncIterator[PrivilegedHelper]:
    client = PrivilegedHelper(launcher=[])  # plain subprocess: no pkexec in tests
    yield client
    await client.close()


@pytest.mark.asyncio
async def test_helper_speaks_json_lines_and_runs_allowed_program(
        helper: PrivilegedHelper) -> None:
    assert "euid" in await helper.ping()
    lines: list[str] = []
    rc, tail = await helper.run(["id", "-u", "root"], user=None, env={}, timeout=30,
                                on_line=lines.append)
    assert rc == 0 and tail == ["0"] and lines == ["0"]
    assert await helper.exists("/etc/fstab") in (True, False)


@pytest.mark.asyncio
@pytest.mark.parametrize(("op", "fields", "reason"), [
    ("run", {"argv": ["bash", "-c", "id"]}, "program not allowed"),
    ("run", {"argv": ["sh", "-c", "id"]}, "program not allowed"),
    ("run", {"argv": ["python3", "-c", "1"]}, "program not allowed"),
    ("run", {"argv": ["/usr/bin/id"]}, "program not allowed"),
    ("run", {"argv": "id -u"}, "argv must be"),
    ("run", {"argv": ["apt-get", "-o", "APT::Update::Pre-Invoke::=id", "update"]},
     "option not allowed"),
    ("run", {"argv": ["git", "-c", "core.pager=id", "log"]}, "option not allowed"),
    ("run", {"argv": ["npm", "exec", "evil"]}, "npm exec is not allowed"),
    ("run", {"argv": ["git", "--no-pager", "log"]}, "git log is not allowed"),
    ("run", {"argv": ["systemctl", "edit", "x"]}, "systemctl edit is not allowed"),
    ("run", {"argv": ["pm2", "start", "/tmp/evil.sh"]}, "only as the node user"),
    ("run", {"argv": ["id"], "env": {"LD_PRELOAD": "/tmp/x.so"}}, "environment variable"),
    ("run", {"argv": ["id"], "user": "root"}, "uid >= 1000"),
    ("write_file", {"path": "/tmp/x", "data": ""}, "path not allowed"),
    ("write_file", {"path": "/etc/passwd", "data": ""}, "path not allowed"),
    ("write_file", {"path": "/etc/systemd/system/../../passwd", "data": ""}, "normalised"),
    ("write_file", {"path": "relative/x", "data": ""}, "absolute"),
    ("remove", {"path": "/etc/systemd/system"}, "path not allowed"),
    ("read_file", {"path": "/etc/shadow"}, "path not allowed"),
    ("extract", {"archive": "/tmp/a", "dest": "/etc/x", "owner": "root"}, "uid >= 1000"),
    ("shell", {"cmd": "id"}, "unknown operation"),
])
async def test_refused(helper: PrivilegedHelper, op: str, fields: dict[str, object],
                       reason: str) -> None:
    with pytest.raises(HelperError, match=reason):
        await helper.call(op, **fields)
    assert "euid" in await helper.ping(), "the helper keeps serving after a refusal"


def test_malformed_request_gets_an_answer() -> None:
    answers: list[str] = []
    privhelper.handle("{not json", answers.append)
    privhelper.handle("[1, 2]", answers.append)
    decoded = [json.loads(a) for a in answers]
    assert [d["ok"] for d in decoded] == [False, False]
    assert "request must be a JSON object" in decoded[1]["error"]


def test_no_shell_or_interpreter_is_allowed() -> None:
    shells = {"sh", "bash", "dash", "zsh", "python", "python3", "perl", "env", "sudo", "su",
              "runuser", "xargs", "find", "curl", "wget", "tee", "cp", "mv", "rm", "dd"}
    assert not shells & privhelper.ALLOWED_PROGRAMS


@pytest.mark.asyncio
async def test_allowed_but_missing_program_is_exit_127(helper: PrivilegedHelper) -> None:
    rc, tail = await helper.run(["fluxbench-cli", "getinfo"], user=None, env={}, timeout=30,
                                on_line=None)
    assert rc == 127 and "command not found" in tail[0]


@pytest.mark.skipif(shutil.which("visudo") is None, reason="visudo (package sudo) missing")
def test_sudoers_rule_checked_by_visudo() -> None:
    check_sudoers(b"fluxnode ALL=(ALL) NOPASSWD:ALL\n")
    with pytest.raises(SudoersRejected):
        check_sudoers(b"fluxnode ALL=(ALL NOPASSWD ALL\n")

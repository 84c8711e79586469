"""The privileged helper's protocol: named operations with typed parameters, no argv.

Every attack of issue 15 is sent to the REAL helper process (see helper_rig); each must be
refused by the protocol itself, the helper must keep serving, and the fake machine root must
be unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nodectl.install import operations, privhelper
from nodectl.install.accounts import Policy
from nodectl.install.privops import Executor
from nodectl.install.safefs import Root

from .helper_rig import Rig, install_args

# Commands that ran as root through the old allow-list (issue 15), with harmless targets.
ROOT_SHELL_ARGVS = [
    ["git", "clone", "-utouch /tmp/fluxdesk-pwned", "/nonexistent", "/home/fluxnode/x"],
    ["git", "clone", "--upload-pac=touch /tmp/fluxdesk-pwned", "/x", "/home/fluxnode/x"],
    ["git", "--exec-path=/home/fluxnode/evil", "clone", "/x", "/home/fluxnode/x"],
    ["apt-get", "-oAPT::Update::Pre-Invoke::=touch /tmp/fluxdesk-pwned", "update"],
    ["npm", "install", "/home/fluxnode/evil-package"],
    ["install", "-m", "4755", "/bin/bash", "/home/fluxnode/rootshell"],
]
# The 22 dangerous argument lists the old allow-list accepted.
DANGEROUS_ARGVS = [
    ["ip", "netns", "exec", "x", "sh"],
    ["useradd", "-o", "-u", "0", "evil"],
    ["usermod", "-o", "-u", "0", "fluxnode"],
    ["usermod", "--append", "--groups", "shadow", "fluxnode"],
    ["dpkg", "-i", "/home/fluxnode/evil.deb"],
    ["docker", "run", "-v", "/:/host", "alpine", "sh"],
    ["systemctl", "enable", "/home/fluxnode/evil.service"],
    ["systemctl", "link", "/home/fluxnode/evil.service"],
    ["chmod", "u+s", "/bin/bash"],
    ["chmod", "4755", "/usr/bin/find"],
    ["chown", "fluxnode", "/etc/shadow"],
    ["chown", "-R", "fluxnode", "/etc"],
    ["mkswap", "/dev/vda"],
    ["swapoff", "-a"],
    ["fallocate", "-l", "1G", "/etc/passwd"],
    ["mkdir", "-p", "/etc/cron.d/evil"],
    ["gpg", "--homedir", "/home/fluxnode/.gnupg", "--import", "/home/fluxnode/k"],
    ["pm2", "start", "/home/fluxnode/evil.sh"],
    ["userdel", "-r", "root"],
    ["fuser", "-k", "/"],
    ["visudo", "-f", "/etc/sudoers.d/evil"],
    ["ufw", "disable"],
]
ALL_ARGVS = ROOT_SHELL_ARGVS + DANGEROUS_ARGVS


def shapes(argv: list[str]) -> list[dict[str, Any]]:
    """Every way a caller could try to get an argv (or a piece of one) to the helper."""
    return [
        {"op": "run", "argv": argv},
        {"op": "run", "args": {"argv": argv}},
        {"op": "apt_update", "args": {}, "argv": argv},
        {"op": "apt_update", "args": {"argv": argv}},
        {"op": "install_packages", "args": {"names": argv}},
        {"op": "install_packages", "args": {"names": argv[1:] or argv}},
        {"op": "clone_repo", "args": {"user": "fluxnode", "repo": " ".join(argv)}},
        {"op": "enable_unit", "args": {"unit": argv[-1]}},
        {"op": argv[0], "args": {}},
        {"op": " ".join(argv)},
    ]


@pytest.mark.asyncio
async def test_hello_ping_and_an_allowed_read_only_query(rig: Rig) -> None:
    assert "euid" in await rig.helper.ping()
    lines: list[str] = []
    answer = await rig.helper.call("user_id", {"user": "nobody"}, on_line=lines.append)
    assert answer["returncode"] == 0 and answer["tail"] == ["65534"] and lines == ["65534"]


@pytest.mark.asyncio
@pytest.mark.parametrize("argv", ALL_ARGVS, ids=[" ".join(a)[:40] for a in ALL_ARGVS])
async def test_no_argv_reaches_root(rig: Rig, argv: list[str]) -> None:
    before = rig.machine.snapshot()
    for request in shapes(argv):
        answer = await rig.raw({"id": 1, **request})
        assert answer["ok"] is False and answer["error"].startswith("refused: "), \
            (request, answer)
    assert rig.machine.snapshot() == before
    assert "euid" in await rig.helper.ping(), "the helper keeps serving after refusals"


def test_the_protocol_has_no_field_for_a_program_path_or_content() -> None:
    fields = {name for spec in operations.SPECS.values() for name in spec.params}
    assert not fields & {"argv", "program", "cmd", "command_line", "content", "data", "env",
                         "cwd", "dest", "mode", "owner", "options"}
    # Names are never used as a program: each command's program is fixed by its operation.
    programs = {"id", "dpkg-query", "systemctl", "ufw", "swapon", "pm2", "flux-cli",
                "fluxbench-cli", "useradd", "usermod", "fallocate", "chmod", "mkswap",
                "apt-get", "flux-fetch-params.sh", "git", "npm"}
    assert {"systemctl", "pm2", "fluxbench-cli"} <= programs  # the monitor's actions
    for name, spec in operations.SPECS.items():
        if spec.command is None:
            continue
        sample = {k: SAMPLES[k] for k in spec.params}
        cmd = spec.command(sample)
        assert cmd.argv[0] in programs, name
        # What runs as root never loads code the node user (or the caller) can change.
        if cmd.argv[0] in ("git", "pm2", "flux-cli", "fluxbench-cli", "flux-fetch-params.sh"):
            assert cmd.user is not None or name == "pm2_startup", name
        if name == "npm_install_watchdog":
            assert cmd.user == "fluxnode"


SAMPLES: dict[str, Any] = {
    "user": "fluxnode", "names": ("git",), "unit": "docker", "group": "docker",
    "size_mib": 4096, "rule": "ssh_allow", "ssh_port": 22, "router_ip": "",
    "repo": "fluxos", "app": "watchdog", "setting": "retain", "force": False,
    "tool": "flux-cli", "command": "getinfo",
}


@pytest.mark.asyncio
@pytest.mark.parametrize(("op", "args", "reason"), [
    ("install_packages", {"names": ["-oAPT::Update::Pre-Invoke::=id"]}, "allowed package"),
    ("install_packages", {"names": ["/home/fluxnode/evil.deb"]}, "allowed package"),
    ("install_packages", {"names": "git"}, "non-empty list"),
    ("purge_packages", {"names": ["sudo"]}, "may remove"),
    ("clone_repo", {"user": "fluxnode", "repo": "https://evil.example/x.git"}, "repository"),
    ("clone_repo", {"user": "-utouch", "repo": "fluxos"}, "node user name"),
    ("enable_unit", {"unit": "/home/fluxnode/evil.service"}, "one of our units"),
    ("enable_unit", {"unit": "pm2-fluxnode"}, "one of our units"),
    ("add_to_group", {"user": "fluxnode", "group": "shadow"}, "node group"),
    ("add_to_group", {"user": "fluxnode", "group": "root"}, "node group"),
    ("swapfile_create", {"size_mib": "1G; id"}, "swap size"),
    ("swapfile_create", {"size_mib": 10**9}, "swap size"),
    ("ufw_rule", {"rule": "disable", "ssh_port": 22, "router_ip": ""}, "firewall rule"),
    ("ufw_rule", {"rule": "ssh_allow", "ssh_port": "22 && id", "router_ip": ""}, "port"),
    ("ufw_rule", {"rule": "upnp_router_udp", "ssh_port": 22, "router_ip": "1.2.3.4 x"},
     "router IP"),
    ("pm2_start", {"user": "fluxnode", "app": "/home/fluxnode/evil.js"}, "pm2 app"),
    ("pm2_set_logrotate", {"user": "fluxnode", "setting": "module"}, "setting"),
    ("node_cli", {"user": "fluxnode", "tool": "flux-cli", "command": "stop"}, "read-only"),
    ("write_config", {"kind": "/etc/cron.d/evil", "install": {}}, "config file of ours"),
    ("write_config", {"kind": "sudoers", "install": {}, "content": "ALL ALL=(ALL) ALL"},
     "takes no content"),
    ("write_config", {"kind": "sudoers"}, "needs install"),
    ("install_keyring", {"repo": "evil", "distro": "ubuntu", "keyring": ""}, "pinned"),
    ("make_node_dir", {"user": "fluxnode", "name": "../../etc"}, "node folder"),
    ("remove_node_dir", {"user": "fluxnode", "name": ".flux"}, "node folder"),
    ("read_file", {"path": "/etc/shadow"}, "path not allowed"),
    ("read_file", {"path": "relative/x"}, "absolute"),
    ("exists", {"path": "/root/.ssh/id_rsa"}, "path not allowed"),
    ("restart_unit", {"unit": "ssh"}, "one of our units"),
    ("pm2_restart", {"user": "fluxnode", "app": "all"}, "pm2 app"),
    ("rerun_benchmark", {"user": "www-data"}, "system account"),
    ("shell", {"cmd": "id"}, "unknown operation"),
])
async def test_parameters_outside_their_fixed_sets_are_refused(
        rig: Rig, op: str, args: dict[str, Any], reason: str) -> None:
    before = rig.machine.snapshot()
    assert reason in await rig.refused(op, args)
    assert rig.machine.snapshot() == before


@pytest.mark.asyncio
async def test_sudoers_content_is_rendered_by_the_helper_never_given(rig: Rig) -> None:
    """No way to write /etc/sudoers.d with caller-chosen content: the only sudoers operation
    renders one rule for a validated, dedicated node user."""
    for user in ("fluxnode ALL=(ALL) NOPASSWD:ALL\nevil", "fluxnode\nALL", "#0", "ALL"):
        assert "install parameters rejected" in await rig.refused(
            "write_config", {"kind": "sudoers", "install": install_args(user=user)})
    for field, value in (("rpc_password", "x\nALL ALL=(ALL) NOPASSWD: ALL"),
                         ("label", "a\nb"), ("extra", "1")):
        await rig.refused("write_config", {"kind": "flux_conf",
                                           "install": install_args(**{field: value})})
    assert not list(rig.machine.real("/etc/sudoers.d").iterdir())


@pytest.mark.asyncio
@pytest.mark.parametrize(("user", "reason"), [
    ("www-data", "system account"), ("nobody", "system account"),
    ("desk", "desktop user running FluxDesk"), ("elsewhere", "/srv/elsewhere"),
])
async def test_only_a_dedicated_regular_user_can_be_the_node_user(
        rig: Rig, user: str, reason: str) -> None:
    """Issue 15 (Sudoers): NOPASSWD sudo for nobody/www-data/the desktop user is refused."""
    assert reason in await rig.refused("write_config",
                                       {"kind": "sudoers", "install": install_args(user=user)})
    assert reason in await rig.refused("create_node_user", {"user": user})
    assert reason in await rig.refused("add_to_group", {"user": user, "group": "sudo"})
    assert reason in await rig.refused("pm2_startup", {"user": user})
    assert not list(rig.machine.real("/etc/sudoers.d").iterdir())


@pytest.mark.asyncio
async def test_request_envelope_is_strict(rig: Rig) -> None:
    for request in ({"id": 1, "op": "ping", "args": [], "timeout": 5},
                    {"id": 1, "op": "ping", "timeout": True},
                    {"id": 1, "op": "ping", "timeout": 10**9},
                    {"id": 1, "op": "ping", "user": "root"},
                    {"id": 1, "op": "ping", "env": {"LD_PRELOAD": "/tmp/x.so"}}):
        answer = await rig.raw(request)
        assert answer["ok"] is False and "refused" in answer["error"], request


def test_malformed_request_gets_an_answer(tmp_path: object) -> None:
    answers: list[str] = []
    executor = Executor(Policy(Root("/"), 1000, 1000))
    privhelper.handle("{not json", executor, answers.append)
    privhelper.handle("[1, 2]", executor, answers.append)
    decoded = [json.loads(a) for a in answers]
    assert [d["ok"] for d in decoded] == [False, False]
    assert "request must be a JSON object" in decoded[1]["error"]


@pytest.mark.asyncio
async def test_missing_program_is_exit_127_not_an_error(rig: Rig) -> None:
    answer = await rig.helper.call(
        "node_cli", {"user": "fluxnode", "tool": "fluxbench-cli", "command": "getinfo"})
    assert answer["returncode"] == 127 and "command not found" in answer["tail"][0]


def test_every_file_operation_has_its_own_root_implementation() -> None:
    file_ops = {name for name, spec in operations.SPECS.items() if spec.command is None}
    assert file_ops - {"ping"} == {name for name in file_ops if hasattr(Executor, "_" + name)}
    assert "run" not in operations.SPECS and not hasattr(Executor, "_run_argv")


@pytest.mark.asyncio
async def test_the_helper_revalidates_every_injection_itself(rig: Rig) -> None:
    """The same payloads as test_validate, sent straight to the helper (as a caller that
    skipped the app's validation would): its own make_params refuses each one."""
    from .test_validate import PAYLOADS, VALID

    base = install_args(router_ip="192.168.1.1", api_port=16137)
    refused = 0
    for field in sorted(VALID):
        good = VALID[field]
        for payload in PAYLOADS:
            for bad in (good + payload, payload + good, good[:2] + payload + good[2:]):
                answer = await rig.raw({"id": 1, "op": "write_config", "args": {
                    "kind": "flux_conf", "install": {**base, field: bad}}})
                assert answer["ok"] is False and "refused" in answer["error"], (field, bad)
                refused += 1
    assert refused == len(VALID) * len(PAYLOADS) * 3
    assert not rig.machine.real("/home/fluxnode/.flux").exists()

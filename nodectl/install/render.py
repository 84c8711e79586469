"""Pure renderers for every file the install writes (golden-file tested).

Inputs are :class:`InstallParams`, which only exist after validation, so no renderer can emit
a value carrying a newline, quote or shell metacharacter.
"""

from __future__ import annotations

import json

from flux.fluxconf import render_conf
from flux.ports import ZMQ_PORT
from flux.tiers import tier_by_name
from nodectl.install.params import ADDNODES, InstallParams, NodeSecrets

HEADER = "# Written by FluxDesk (same layout as the official multitoolbox install)."


def flux_conf(p: InstallParams, secrets: NodeSecrets, identity_wif: str) -> str:
    """~/.flux/flux.conf with the keys, in the order, of the official install (docs/node-ops.md)."""
    zmq = f"tcp://127.0.0.1:{ZMQ_PORT}"
    entries = [
        ("rpcuser", secrets.rpc_user),
        ("rpcpassword", secrets.rpc_password),
        ("rpcallowip", "127.0.0.1"),
        ("rpcallowip", "172.18.0.1"),
        ("rpcport", str(p.rpc_port)),
        ("port", str(p.p2p_port)),
        ("zelnode", "1"),
        ("zelnodeprivkey", identity_wif),
        ("zelnodeoutpoint", p.collateral_txid),
        ("zelnodeindex", str(p.collateral_index)),
        ("server", "1"),
        ("daemon", "1"),
        ("txindex", "1"),
        ("addressindex", "1"),
        ("timestampindex", "1"),
        ("spentindex", "1"),
        ("insightexplorer", "1"),
        ("experimentalfeatures", "1"),
        ("listen", "1"),
        ("externalip", p.public_ip),
        ("bind", "0.0.0.0"),  # noqa: S104 - fluxd must accept peers on every interface
        ("maxconnections", "256"),
        *((key, zmq) for key in (
            "zmqpubhashtx", "zmqpubhashblock", "zmqpubrawblock", "zmqpubrawtx", "zmqpubsequence"
        )),
    ]
    if p.network == "testnet":
        entries.append(("testnet", "1"))
    entries += [("addnode", host) for host in ADDNODES]
    return render_conf(entries)


def _js(value: object) -> str:
    # JSON string/number/bool literals are valid JavaScript literals.
    return json.dumps(value)


def userconfig_js(p: InstallParams) -> str:
    """~/zelflux/config/userconfig.js (docs/node-ops.md)."""
    kadena = f"kadena:{p.kadena}?chainid=0" if p.kadena else ""
    fields = [
        ("ipaddress", _js(p.public_ip)),
        ("zelid", _js(p.zelid)),
        ("kadena", _js(kadena)),
        ("testnet", _js(p.network == "testnet")),
        ("development", "false"),
    ]
    if p.upnp:
        fields += [("apiport", _js(p.api_port)), ("routerIP", _js(p.router_ip))]
    fields += [("blockedPorts", "[]"), ("blockedRepositories", "[]")]
    body = "\n".join(f"    {key}: {value}," for key, value in fields)
    return f"module.exports = {{\n  initial: {{\n{body}\n  }},\n}};\n"


def zelcash_service(p: InstallParams) -> str:
    """/etc/systemd/system/zelcash.service with the official unit settings (docs/node-ops.md)."""
    return (
        "[Unit]\n"
        "Description=Flux daemon service\n"
        "After=network.target\n"
        "\n"
        "[Service]\n"
        "Type=forking\n"
        f"User={p.user}\n"
        f"Group={p.user}\n"
        f"ExecStart={p.home}/start_daemon_service.sh\n"
        f"ExecStop=-{p.home}/stop_daemon_service.sh\n"
        "Restart=always\n"
        "RestartSec=10\n"
        "PrivateTmp=true\n"
        "TimeoutStopSec=60s\n"
        "TimeoutStartSec=15s\n"
        "StartLimitInterval=120s\n"
        "StartLimitBurst=5\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )


def start_daemon_script(p: InstallParams) -> str:
    # The official script also chowns /usr/local/bin and kills processes by name; systemd
    # already tracks the daemon, so this one only execs it.
    testnet = " -testnet" if p.network == "testnet" else ""
    return f"#!/bin/sh\n{HEADER}\nexec /usr/local/bin/fluxd{testnet}\n"


def stop_daemon_script(p: InstallParams) -> str:
    testnet = " -testnet" if p.network == "testnet" else ""
    return f"#!/bin/sh\n{HEADER}\nexec /usr/local/bin/flux-cli{testnet} stop\n"


def _logrotate(path: str, period: str, keep: int) -> str:
    return (
        f"{path} {{\n"
        "  compress\n"
        "  copytruncate\n"
        "  missingok\n"
        f"  {period}\n"
        f"  rotate {keep}\n"
        "}\n"
    )


def logrotate_files(p: InstallParams) -> dict[str, str]:
    """/etc/logrotate.d files of the official install (docs/node-ops.md), keyed by path."""
    return {
        "/etc/logrotate.d/bench_debug_log":
            _logrotate(f"{p.home}/.fluxbenchmark/debug.log", "monthly", 2),
        "/etc/logrotate.d/daemon_debug_log": _logrotate(f"{p.home}/.flux/debug.log", "daily", 7),
        "/etc/logrotate.d/mongod_debug_log": _logrotate("/var/log/mongodb/*.log", "daily", 14),
    }


def sudoers_rule(p: InstallParams) -> str:
    """Password-less sudo for the node user (FluxOS runs ufw/ip/systemctl through sudo)."""
    return f"{HEADER}\n{p.user} ALL=(ALL) NOPASSWD:ALL\n"


def flux_apt_list(arch: str) -> str:
    # The official repo only publishes the 'focal' dist, for every OS (docs/node-ops.md).
    return (
        f"deb [arch={arch} signed-by=/usr/share/keyrings/flux-archive-keyring.gpg] "
        "https://apt.runonflux.io/ focal main\n"
    )


def docker_apt_list(arch: str, distro: str, codename: str) -> str:
    return (
        f"deb [arch={arch} signed-by=/usr/share/keyrings/docker-archive-keyring.gpg] "
        f"https://download.docker.com/linux/{distro} {codename} stable\n"
    )


def mongodb_apt_list(arch: str, distro: str, codename: str) -> str:
    """MongoDB 7.0 repo (docs/node-ops.md): Debian amd64 uses its own dist; Ubuntu and arm64
    use jammy, as the official installer does (MongoDB ships no Debian arm64 build)."""
    if distro == "debian" and arch == "amd64":
        repo = f"https://repo.mongodb.org/apt/debian {codename}/mongodb-org/7.0 main"
    else:
        repo = "https://repo.mongodb.org/apt/ubuntu jammy/mongodb-org/7.0 multiverse"
    return f"deb [arch={arch} signed-by=/usr/share/keyrings/mongodb-server-7.0.gpg] {repo}\n"


def nodesource_apt_list(arch: str) -> str:
    return (
        f"deb [arch={arch} signed-by=/usr/share/keyrings/nodesource.gpg] "
        "https://deb.nodesource.com/node_20.x nodistro main\n"
    )


def fluxbench_conf(p: InstallParams) -> str:
    """~/.fluxbenchmark/fluxbench.conf; only needed for a UPnP API port (docs/node-ops.md)."""
    return f"fluxport={p.api_port}\n" if p.upnp else ""


def watchdog_config_js(p: InstallParams) -> str:
    """~/watchdog/config.js with auto-updates on and no notifications (docs/node-ops.md)."""
    fields = [
        ("label", _js(p.label)),
        ("tier_eps_min", _js(f"{tier_by_name(p.tier).min_eps:g}")),
        ("zelflux_update", _js("1")),
        ("zelcash_update", _js("1")),
        ("zelbench_update", _js("1")),
        ("action", _js("1")),
        ("ping", _js("0")),
        ("web_hook_url", _js("0")),
        ("telegram_alert", _js("0")),
        ("telegram_bot_token", _js("0")),
        ("telegram_chat_id", _js("0")),
    ]
    body = "\n".join(f"  {key}: {value}," for key, value in fields)
    return f"module.exports = {{\n{body}\n}};\n"


def swap_fstab_line() -> str:
    return "/swapfile none swap sw 0 0"


def swap_size_mib(ram_mib: int) -> int:
    """Swap size rule of the official installer (docs/node-ops.md); 0 means no swap file."""
    if ram_mib < 2048:
        return 2 * ram_mib
    if ram_mib < 16384:
        return 4096
    if ram_mib < 32768:
        return 2048
    return 0

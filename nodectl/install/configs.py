"""Config files the privileged helper renders itself, and what it renders them from.

A ``write_config`` request names a kind; the helper re-validates the install parameters it
gets (:func:`inputs`), renders the file with :mod:`nodectl.install.render` and takes path,
mode and owner from the kind. A caller never chooses a path or a byte of content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nodectl.install import render
from nodectl.install.keys import FLUX_KEY, MONGODB_KEY, NODESOURCE_KEY, RepoKey, docker_key
from nodectl.install.params import InstallParams, NodeSecrets, make_params
from nodectl.install.validate import InvalidInput


class OperationRefused(Exception):
    """The request is not one of our operations or a parameter is outside its fixed set."""


@dataclass(frozen=True)
class Inputs:
    """What config files are rendered from: validated params, RPC secrets, distro facts."""

    params: InstallParams
    secrets: NodeSecrets
    arch: str = "amd64"
    distro: str = "ubuntu"
    codename: str = "jammy"


PARAM_KEYS = ("user", "identity_wif", "collateral_txid", "collateral_index", "public_ip",
              "zelid", "tier", "network", "kadena", "api_port", "router_ip", "ssh_port",
              "label", "swap")
_SECRET = re.compile(r"[A-Za-z0-9]{1,64}")
_CODENAME = re.compile(r"[a-z]{2,16}")


def install_wire(p: InstallParams, secrets: NodeSecrets, arch: str = "amd64",
                 distro: str = "ubuntu", codename: str = "jammy") -> dict[str, Any]:
    wire: dict[str, Any] = {k: getattr(p, k) for k in PARAM_KEYS}
    wire.update(rpc_user=secrets.rpc_user, rpc_password=secrets.rpc_password, arch=arch,
                distro=distro, codename=codename)
    return wire


def inputs(value: object) -> Inputs:
    """Re-validate everything a config is rendered from (the caller's check is not trusted)."""
    if not isinstance(value, dict):
        raise OperationRefused("install must be an object")
    extra = set(value) - set(PARAM_KEYS) - {"rpc_user", "rpc_password", "arch", "distro",
                                            "codename"}
    if extra:
        raise OperationRefused(f"unexpected install fields: {sorted(extra)}")
    try:
        p = make_params(**{k: value[k] for k in PARAM_KEYS if k in value})
    except (InvalidInput, TypeError) as exc:
        raise OperationRefused(f"install parameters rejected: {exc}") from exc
    rpc_user, rpc_password = value.get("rpc_user"), value.get("rpc_password")
    if not (isinstance(rpc_user, str) and _SECRET.fullmatch(rpc_user) and
            isinstance(rpc_password, str) and _SECRET.fullmatch(rpc_password)):
        raise OperationRefused("RPC credentials must be 1-64 letters or digits")
    arch, distro, codename = value.get("arch"), value.get("distro"), value.get("codename")
    if arch not in ("amd64", "arm64") or distro not in ("ubuntu", "debian") or \
            not isinstance(codename, str) or not _CODENAME.fullmatch(codename):
        raise OperationRefused("unsupported distribution facts")
    return Inputs(p, NodeSecrets(rpc_user, rpc_password), arch, str(distro), codename)


# -- config files: the helper renders them itself ---------------------------------------------
@dataclass(frozen=True)
class ConfigFile:
    path: str
    content: str
    mode: int
    node_owned: bool  # owned by the node user (else root)


@dataclass(frozen=True)
class ConfigKind:
    path: Callable[[str], str]  # from the node user's name only (removal needs no more)
    render: Callable[[Inputs], str]
    mode: int = 0o644
    node_owned: bool = False


def _home(rel: str) -> Callable[[str], str]:
    return lambda user: f"/home/{user}/{rel}"


def _fixed(path: str) -> Callable[[str], str]:
    return lambda user: path


def _logrotate(name: str) -> ConfigKind:
    path = f"/etc/logrotate.d/{name}"
    return ConfigKind(_fixed(path), lambda i: render.logrotate_files(i.params)[path])


CONFIGS: dict[str, ConfigKind] = {
    "sudoers": ConfigKind(lambda user: f"/etc/sudoers.d/90-fluxnode-{user}",
                          lambda i: render.sudoers_rule(i.params), 0o440),
    "flux_conf": ConfigKind(
        _home(".flux/flux.conf"),
        lambda i: render.flux_conf(i.params, i.secrets, i.params.identity_wif), 0o600, True),
    "userconfig_js": ConfigKind(_home("zelflux/config/userconfig.js"),
                                lambda i: render.userconfig_js(i.params), node_owned=True),
    "fluxbench_conf": ConfigKind(_home(".fluxbenchmark/fluxbench.conf"),
                                 lambda i: render.fluxbench_conf(i.params), node_owned=True),
    "start_daemon": ConfigKind(_home("start_daemon_service.sh"),
                               lambda i: render.start_daemon_script(i.params), 0o755, True),
    "stop_daemon": ConfigKind(_home("stop_daemon_service.sh"),
                              lambda i: render.stop_daemon_script(i.params), 0o755, True),
    "zelcash_service": ConfigKind(_fixed("/etc/systemd/system/zelcash.service"),
                                  lambda i: render.zelcash_service(i.params)),
    "watchdog_config": ConfigKind(_home("watchdog/config.js"),
                                  lambda i: render.watchdog_config_js(i.params), node_owned=True),
    "logrotate_bench": _logrotate("bench_debug_log"),
    "logrotate_daemon": _logrotate("daemon_debug_log"),
    "logrotate_mongod": _logrotate("mongod_debug_log"),
    "apt_flux": ConfigKind(_fixed("/etc/apt/sources.list.d/flux.list"),
                           lambda i: render.flux_apt_list(i.arch)),
    "apt_docker": ConfigKind(_fixed("/etc/apt/sources.list.d/docker.list"),
                             lambda i: render.docker_apt_list(i.arch, i.distro, i.codename)),
    "apt_mongodb": ConfigKind(_fixed("/etc/apt/sources.list.d/mongodb-org-7.0.list"),
                              lambda i: render.mongodb_apt_list(i.arch, i.distro, i.codename)),
    "apt_nodesource": ConfigKind(_fixed("/etc/apt/sources.list.d/nodesource.list"),
                                 lambda i: render.nodesource_apt_list(i.arch)),
}
REPOS: dict[str, Callable[[str], RepoKey]] = {
    "flux": lambda distro: FLUX_KEY, "docker": docker_key,
    "mongodb": lambda distro: MONGODB_KEY, "nodesource": lambda distro: NODESOURCE_KEY,
}
FSTAB_SWAP = render.swap_fstab_line()


def config_file(kind: str, i: Inputs) -> ConfigFile:
    spec = CONFIGS[kind]
    return ConfigFile(spec.path(i.params.user), spec.render(i), spec.mode, spec.node_owned)


def config_path(kind: str, user: str) -> str:
    return CONFIGS[kind].path(user)

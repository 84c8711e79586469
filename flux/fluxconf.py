"""The one flux.conf reader and writer, and the RPC settings of a local fluxd read from it.

flux.conf is fluxd's config file: one ``key=value`` per line, ``#`` starts a comment, a key may
repeat (``addnode``, ``rpcallowip``) and for single-valued keys the last line wins. Keys and their
meaning: docs/protocol-fluxnode.md (node config) and docs/node-ops.md (the installer's layout).

fluxd facts used (RunOnFlux/fluxd src/util.cpp, chainparamsbase.cpp, httpserver.cpp,
rpc/protocol.cpp): the data dir is ~/.flux on Linux, ~/Library/Application Support/Flux on macOS,
%APPDATA%\\Flux on Windows; the RPC port of each network (flux.networks); localhost may always
connect regardless of rpcallowip; without rpcpassword fluxd writes a `.cookie` file
("__cookie__:<secret>") into the network's data dir (testnet/, regtest/ below the main one).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from flux.errors import ConfAuthError, ConfError
from flux.networks import MAINNET, network_by_name

_LOCAL_HOSTS: Final = ("127.0.0.1", "localhost", "::1")
# What a key may look like, and what a value may never hold (it would start a new line or a
# comment, i.e. smuggle in another setting).
_KEY: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_FORBIDDEN_IN_VALUE: Final = ("\n", "\r", "#", "\x00")

ConfValues = dict[str, list[str]]


def entries(text: str) -> list[tuple[str, str]]:
    """(key, value) pairs in file order, parsed the way fluxd parses them.

    fluxd reads flux.conf with boost's config-file parser: ``key=value`` per line, whitespace
    around both trimmed, ``#`` starts a comment anywhere on the line, ``[section]`` lines prefix
    the keys after them with ``section.``.
    """
    out: list[tuple[str, str]] = []
    section = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip() + "."
            continue
        # A line without '=' still names a key: reading it back must not hide it.
        key, _, value = line.partition("=")
        out.append((section + key.strip(), value.strip()))
    return out


def parse_conf(text: str) -> ConfValues:
    """Every key (lower-cased) with its values in file order; comments and blank lines dropped."""
    values: ConfValues = {}
    for key, value in entries(text):
        if key and not any(c.isspace() for c in key):
            values.setdefault(key.lower(), []).append(value)
    return values


def last_value(values: ConfValues, key: str) -> str | None:
    """The value that counts for a single-valued key (fluxd: the last one), or None."""
    found = values.get(key.lower())
    return found[-1] if found else None


def render_conf(entries: Iterable[tuple[str, str]]) -> str:
    """flux.conf text for `entries`, one ``key=value`` line each, in the given order.

    Refuses a key that is not a plain name and a value holding a line break, a comment sign or
    NUL, so no value can add a setting of its own.
    """
    lines = []
    for key, value in entries:
        if not _KEY.fullmatch(key):
            raise ConfError(f"{key!r:.40} is not a flux.conf key.")
        if any(bad in value for bad in _FORBIDDEN_IN_VALUE):
            raise ConfError(f"The value for {key} holds a line break or '#'; it was not written.")
        lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RpcConfig:
    user: str
    password: str = field(repr=False)
    port: int = MAINNET.rpc_port
    host: str = "127.0.0.1"
    network: str = "mainnet"
    allow_ips: tuple[str, ...] = ()
    source: str = "flux.conf"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


def default_data_dir() -> Path:
    override = os.environ.get("FLUXD_DATADIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home)) / "Flux"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Flux"
    flux = home / ".flux"
    # fluxd still falls back to the pre-rebrand directory when ~/.flux does not exist.
    legacy = home / ".zelcash"
    return legacy if not flux.is_dir() and legacy.is_dir() else flux


def default_conf_path() -> Path:
    # FluxOS reads the same variable to find the node's config.
    override = os.environ.get("FLUXD_CONFIG_PATH")
    if override:
        return Path(override)
    data_dir = default_data_dir()
    conf = data_dir / "flux.conf"
    legacy = data_dir / "zelcash.conf"
    return legacy if not conf.exists() and legacy.exists() else conf


def parse_flux_conf(
    text: str, *, source: str = "flux.conf", data_dir: Path | None = None
) -> RpcConfig:
    """RPC settings from flux.conf text. `data_dir` lets a missing rpcpassword fall back to the
    .cookie file."""
    values = parse_conf(text)
    network = "mainnet"
    if _truthy(last_value(values, "regtest")):
        network = "regtest"
    elif _truthy(last_value(values, "testnet")):
        network = "testnet"
    port = _port(last_value(values, "rpcport"), network_by_name(network).rpc_port, source)
    host = _host(values.get("rpcbind", []))
    user = last_value(values, "rpcuser") or ""
    password = last_value(values, "rpcpassword") or ""
    if not password:
        user, password = _cookie(data_dir, network, source)
    return RpcConfig(
        user=user,
        password=password,
        port=port,
        host=host,
        network=network,
        allow_ips=tuple(values.get("rpcallowip", [])),
        source=source,
    )


def read_flux_conf(path: Path | None = None) -> RpcConfig:
    conf = Path(path) if path else default_conf_path()
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ConfError(
            f"No flux.conf at {conf}. Is fluxd installed for this user? Choose its flux.conf "
            "(usually ~/.flux/flux.conf)."
        ) from None
    except OSError as exc:
        raise ConfError(f"Cannot read {conf} ({exc.strerror}).") from None
    return parse_flux_conf(text, source=str(conf), data_dir=conf.parent)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "no", "")


def _port(value: str | None, default: int, source: str) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfError(f"rpcport={value!r} in {source} is not a port number (1-65535).")
    return int(value)


def _host(binds: list[str]) -> str:
    # fluxd listens on localhost unless rpcbind names addresses; use a local one if listed.
    for bind in binds:
        address = bind.rsplit(":", 1)[0] if bind.count(":") == 1 else bind.strip("[]")
        if address in _LOCAL_HOSTS:
            return address
    for bind in binds:
        address = bind.rsplit(":", 1)[0] if bind.count(":") == 1 else bind.strip("[]")
        # A wildcard bind means "all interfaces"; connecting locally is then the right choice.
        if address not in ("0.0.0.0", "::"):  # noqa: S104
            return address
    return "127.0.0.1"


def _cookie(data_dir: Path | None, network: str, source: str) -> tuple[str, str]:
    if data_dir is not None:
        net_dir = data_dir if network == "mainnet" else data_dir / network
        try:
            user, _, secret = (net_dir / ".cookie").read_text().strip().partition(":")
        except OSError:
            pass
        else:
            if user and secret:
                return user, secret
    raise ConfAuthError(
        f"{source} has no rpcpassword and fluxd's .cookie file was not found. Add rpcuser= and "
        "rpcpassword= lines to flux.conf and restart fluxd."
    )

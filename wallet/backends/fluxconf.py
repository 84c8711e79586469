"""Read RPC credentials for the local fluxd from its flux.conf (fluxnode-protocol.md §8.2).

fluxd facts used (RunOnFlux/fluxd src/util.cpp, chainparamsbase.cpp, httpserver.cpp,
rpc/protocol.cpp): the data dir is ~/.flux on Linux, ~/Library/Application Support/Flux on macOS,
%APPDATA%\\Flux on Windows; RPC port 16124 (testnet and regtest 26124); localhost may always
connect regardless of rpcallowip; without rpcpassword fluxd writes a `.cookie` file
("__cookie__:<secret>") into the network's data dir (testnet/, regtest/ below the main one).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from wallet.errors import BackendAuthError, BackendError

MAINNET_RPC_PORT: Final = 16124
TEST_RPC_PORT: Final = 26124
_LOCAL_HOSTS: Final = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class RpcConfig:
    user: str
    password: str = field(repr=False)
    port: int = MAINNET_RPC_PORT
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
    """Parse flux.conf text. `data_dir` lets a missing rpcpassword fall back to the .cookie."""
    values: dict[str, list[str]] = {}
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if not line or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values.setdefault(key.strip().lower(), []).append(value.strip())

    def last(key: str) -> str | None:
        found = values.get(key)
        return found[-1] if found else None

    network = "mainnet"
    if _truthy(last("regtest")):
        network = "regtest"
    elif _truthy(last("testnet")):
        network = "testnet"
    default_port = MAINNET_RPC_PORT if network == "mainnet" else TEST_RPC_PORT
    port = _port(last("rpcport"), default_port, source)
    host = _host(values.get("rpcbind", []))
    user, password = last("rpcuser") or "", last("rpcpassword") or ""
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
        raise BackendError(
            f"No flux.conf at {conf}. Is fluxd installed for this user? Choose the file in "
            "Settings → Servers, or use an Insight server."
        ) from None
    except OSError as exc:
        raise BackendError(f"Cannot read {conf} ({exc.strerror}).") from None
    return parse_flux_conf(text, source=str(conf), data_dir=conf.parent)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() not in ("0", "false", "no", "")


def _port(value: str | None, default: int, source: str) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise BackendError(f"rpcport={value!r} in {source} is not a port number (1-65535).")
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
    raise BackendAuthError(
        f"{source} has no rpcpassword and fluxd's .cookie file was not found. Add rpcuser= and "
        "rpcpassword= lines to flux.conf and restart fluxd."
    )

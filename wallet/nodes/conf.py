"""fluxnode.conf / zelnode.conf: read and write the file fluxd's wallet and Zelcore use.

One node per line: ``alias IP:port identitykeyWIF collateral_txid index``; ``#`` starts a
comment. On mainnet fluxd accepts only port 16125 (flux.ports); the IP may be unknown, written
as ``0.0.0.0``. The file holds identity keys, so it is written 0600 and atomically.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flux.fileio import atomic_write_text
from flux.networks import Network, same_encoding
from wallet.errors import InvalidKey, WalletError
from wallet.keys import PrivateKey
from wallet.storage.model import NodeEntry

UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a placeholder in the file, never bound
MAX_CONF_BYTES = 1 << 20
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_ALIAS = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class ConfError(WalletError):
    """A fluxnode.conf line FluxDesk cannot use; ``line`` is 1-based (0 = the whole file)."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ConfEntry:
    alias: str
    ip: str  # "" when the file says 0.0.0.0
    port: int
    identity_wif: str = field(repr=False)
    txid: str
    index: int

    @property
    def outpoint(self) -> tuple[str, int]:
        return (self.txid, self.index)


def parse_conf(text: str, network: Network, *, source: str = "fluxnode.conf") -> list[ConfEntry]:
    """Every node line of ``text``; ConfError names the first bad line and what is wrong."""
    entries: list[ConfEntry] = []
    seen_alias: dict[str, int] = {}
    seen_outpoint: dict[tuple[str, int], int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        entry = _parse_line(line, network, f"{source} line {number}", number)
        for what, first in (("alias", seen_alias.get(entry.alias)),
                            ("collateral", seen_outpoint.get(entry.outpoint))):
            if first is not None:
                raise ConfError(
                    f"{source} line {number} repeats the {what} of line {first}; each node "
                    "needs its own. Remove one of the two lines.",
                    line=number,
                )
        seen_alias[entry.alias] = number
        seen_outpoint[entry.outpoint] = number
        entries.append(entry)
    return entries


def _parse_line(line: str, network: Network, where: str, number: int) -> ConfEntry:
    parts = line.split()
    if len(parts) != 5:
        raise ConfError(
            f"{where} has {len(parts)} fields; a node line is "
            "'alias IP:port identitykeyWIF collateral_txid index'.",
            line=number,
        )
    alias, address, wif, txid, index_text = parts
    if not _ALIAS.match(alias):
        raise ConfError(f"{where}: the alias {alias[:40]!r} may use letters, digits, '.', '-' "
                        "and '_' only (at most 64).", line=number)
    ip, port = _address(address, network, where, number)
    try:
        key = PrivateKey.from_wif(wif)
    except InvalidKey:
        raise ConfError(f"{where}: the third field is not a WIF private key (the node's "
                        "identity key, as createfluxnodekey prints it).", line=number) from None
    if key.network is not None and not same_encoding(key.network, network):
        raise ConfError(f"{where}: the identity key is a {key.network.name} key, not a "
                        f"{network.name} key.", line=number)
    if not _HEX64.match(txid):
        raise ConfError(f"{where}: the collateral txid must be 64 hexadecimal characters.",
                        line=number)
    if not index_text.isdigit() or int(index_text) > 0xFFFFFFFF:
        raise ConfError(f"{where}: the collateral index {index_text[:12]!r} is not a whole "
                        "number (the output number, often 0 or 1).", line=number)
    return ConfEntry(alias, ip, port, wif, txid.lower(), int(index_text))


def _address(text: str, network: Network, where: str, number: int) -> tuple[str, int]:
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ConfError(f"{where}: {text[:60]!r} is not IP:port (use "
                        f"{UNKNOWN_IP}:{network.p2p_port} when the IP is not known yet).",
                        line=number)
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise ConfError(f"{where}: {host[:60]!r} is not an IP address.", line=number) from None
    port = int(port_text)
    mainnet = network.name == "mainnet"
    if (mainnet and port != network.p2p_port) or (not mainnet and port == 16125) or not (
        0 < port < 65536
    ):
        raise ConfError(f"{where}: port {port} is not allowed on {network.name}; fluxd wants "
                        f"{network.p2p_port}.", line=number)
    return ("" if ip.is_unspecified else str(ip)), port


def format_conf(nodes: Iterable[NodeEntry], network: Network) -> str:
    """The file for ``nodes`` (only those with an identity key; fluxd needs one per line)."""
    lines = ["# alias IP:port identitykeyWIF collateral_txid index (written by FluxDesk)"]
    for node in nodes:
        if not node.identity_wif:
            continue
        ip = node.ip or UNKNOWN_IP
        host = f"[{ip}]" if ":" in ip else ip
        lines.append(f"{node.name} {host}:{network.p2p_port} {node.identity_wif} "
                     f"{node.collateral_txid} {node.collateral_vout}")
    return "\n".join(lines) + "\n"


def read_conf(path: Path, network: Network) -> list[ConfEntry]:
    data = path.read_bytes()
    if len(data) > MAX_CONF_BYTES:
        raise ConfError(f"{path.name} is larger than 1 MiB; it is not a fluxnode.conf.", line=0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfError(f"{path.name} is not a text file.", line=0) from None
    return parse_conf(text, network, source=path.name)


def write_conf(path: Path, nodes: Iterable[NodeEntry], network: Network) -> None:
    """Write atomically with mode 0600 (the file holds identity keys)."""
    atomic_write_text(path, format_conf(nodes, network), mode=0o600)


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (alias, why)


def merge_entries(
    nodes: list[NodeEntry], entries: Iterable[ConfEntry], *, now: int | None = None
) -> ImportResult:
    """Add the file's nodes to ``nodes`` (in place); a node whose alias or collateral is already
    there is skipped with the reason, never overwritten."""
    stamp = int(time.time()) if now is None else now
    added: list[str] = []
    skipped: list[tuple[str, str]] = []
    for entry in entries:
        same = next((n for n in nodes if n.outpoint == entry.outpoint), None)
        if same is not None:
            skipped.append((entry.alias, f"its collateral is already node {same.name!r}"))
            continue
        if any(n.name == entry.alias for n in nodes):
            skipped.append((entry.alias, "a node with this alias already exists"))
            continue
        nodes.append(NodeEntry(entry.alias, entry.txid, entry.index, entry.identity_wif,
                               entry.ip, stamp, identity_source="imported"))
        added.append(entry.alias)
    return ImportResult(tuple(added), tuple(skipped))

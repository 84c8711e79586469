"""Validated install parameters and the constant facts of the official legacy layout."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from flux.fluxconf import last_value, parse_conf
from flux.networks import NETWORK_NAMES, network_by_name
from flux.ports import DEFAULT_API_PORT
from flux.tiers import TIER_KEYS
from nodectl.install import validate as v
from nodectl.install.confcheck import command_keys

# Bootstrap CDNs of the official installer (docs/node-ops.md; hosts are data, not literals),
# written as it fetches them (plain HTTP). The downloader tries each host over HTTPS first;
# most cdn-N hosts answer on HTTP only (maintainer, RunOnFlux/fluxd#226), see docs/bootstrap.md.
BOOTSTRAP_CDNS = tuple(
    f"http://cdn-{n}.runonflux.io/apps/fluxshare/getfile/flux_explorer_bootstrap.tar.gz"
    for n in range(5, 13)
)
# Folders every chain bootstrap must contain (docs/node-ops.md, chain-wipe logic).
BOOTSTRAP_MEMBERS = ("blocks", "chainstate", "determ_zelnodes")

# Peers written as addnode= (docs/node-ops.md flux.conf, the fixed part of the official list).
ADDNODES = (
    "explorer.runonflux.io",
    "explorer.zelcash.online",
    "blockbook.runonflux.io",
    "explorer.flux.zelcore.io",
)


@dataclass(frozen=True)
class InstallParams:
    """Everything the user chooses; build with :func:`make_params` so every field is checked."""

    user: str
    identity_wif: str = field(repr=False)
    collateral_txid: str
    collateral_index: int
    public_ip: str
    zelid: str
    tier: str = "cumulus"
    network: str = "mainnet"
    kadena: str = ""
    api_port: int = DEFAULT_API_PORT
    router_ip: str = ""
    ssh_port: int = 22
    label: str = "fluxnode"
    swap: bool = True

    @property
    def home(self) -> str:
        return f"/home/{self.user}"

    @property
    def upnp(self) -> bool:
        return self.api_port != DEFAULT_API_PORT

    @property
    def rpc_port(self) -> int:
        return network_by_name(self.network).rpc_port

    @property
    def p2p_port(self) -> int:
        return network_by_name(self.network).p2p_port

    def public_dict(self) -> dict[str, Any]:
        """Parameters without the identity key, for plans, logs and state files."""
        return {
            "user": self.user, "collateral_txid": self.collateral_txid,
            "collateral_index": self.collateral_index, "public_ip": self.public_ip,
            "zelid": self.zelid, "tier": self.tier, "network": self.network,
            "kadena": self.kadena, "api_port": self.api_port, "router_ip": self.router_ip,
            "ssh_port": self.ssh_port, "label": self.label, "swap": self.swap,
        }


def make_params(
    *, user: object, identity_wif: object, collateral_txid: object, collateral_index: object,
    public_ip: object, zelid: object, tier: object = "cumulus", network: str = "mainnet",
    kadena: object = "", api_port: object = DEFAULT_API_PORT, router_ip: object = "",
    ssh_port: object = 22, label: object = "fluxnode", swap: bool = True,
) -> InstallParams:
    """Validate every user field; raises :class:`validate.InvalidInput` on the first bad one."""
    if network not in NETWORK_NAMES:
        raise v.InvalidInput("network", "must be mainnet, testnet or regtest")
    if tier not in TIER_KEYS:
        raise v.InvalidInput("tier", "must be cumulus, nimbus or stratus")
    api = v.validate_api_port(api_port)
    router = v.validate_ipv4(router_ip, "router IP") if router_ip else ""
    if api != DEFAULT_API_PORT and not router:
        raise v.InvalidInput("router IP", "is needed when a UPnP API port is chosen")
    return InstallParams(
        user=v.validate_user_name(user),
        identity_wif=v.validate_wif(identity_wif, network),
        collateral_txid=v.validate_txid(collateral_txid),
        collateral_index=v.validate_index(collateral_index),
        public_ip=v.validate_ipv4(public_ip, "public IP"),
        zelid=v.validate_zelid(zelid),
        tier=str(tier), network=network,
        kadena=v.validate_kadena(kadena),
        api_port=api, router_ip=router,
        ssh_port=v.validate_port(ssh_port, "SSH port"),
        label=v.validate_alias(label),
        swap=bool(swap),
    )


@dataclass(frozen=True)
class NodeSecrets:
    """RPC credentials written to flux.conf; reused from an existing flux.conf on reruns."""

    rpc_user: str
    rpc_password: str = field(repr=False)

    @classmethod
    def generate(cls) -> NodeSecrets:
        alphabet = string.ascii_letters + string.digits
        # Same lengths as the official installer (pwgen 8 / 20), from a CSPRNG.
        return cls(
            rpc_user="".join(secrets.choice(alphabet) for _ in range(8)),
            rpc_password="".join(secrets.choice(alphabet) for _ in range(20)),
        )

    @classmethod
    def from_flux_conf(cls, text: str) -> NodeSecrets | None:
        """The RPC credentials of an earlier install, or None to make new ones.

        A flux.conf holding a command key (blocknotify …) was written by someone else, who
        also knows its credentials: they are not reused.
        """
        if command_keys(text):
            return None
        values = parse_conf(text)
        user = last_value(values, "rpcuser") or ""
        password = last_value(values, "rpcpassword") or ""
        ok = user.isalnum() and password.isalnum()
        return cls(user, password) if ok else None


# Placeholder secrets used for plans shown to the user: the real values never leave the host.
SHOWN_SECRETS = NodeSecrets("<random 8 chars>", "<random 20 chars>")
SHOWN_WIF = "<your identity key>"

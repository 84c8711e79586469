"""TCP ports of fluxd, FluxOS and fluxbench, per network, in one place (docs/node-ops.md §Ports).

fluxd's P2P and RPC ports come from chainparams.cpp / chainparamsbase.cpp; the FluxOS API ports
from FluxOS ZelBack/config/default.js; the fluxbench RPC port from FluxOS benchmarkService.js.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NetworkPorts:
    """The ports a node of one network listens on (fluxd and fluxbench bind them on localhost
    except P2P)."""

    p2p: int
    rpc: int
    fluxbench_rpc: int


MAINNET_PORTS = NetworkPorts(p2p=16125, rpc=16124, fluxbench_rpc=16224)
TESTNET_PORTS = NetworkPorts(p2p=26125, rpc=26124, fluxbench_rpc=26224)
# Regtest shares testnet's RPC port but has its own P2P port (fluxd chainparams.cpp).
REGTEST_PORTS = NetworkPorts(p2p=26126, rpc=26124, fluxbench_rpc=26224)

# fluxd's ZMQ publisher as the official installer writes it into flux.conf (mainnet install).
ZMQ_PORT = 16123

# FluxOS: the API port of a single node, and the ports it accepts for more nodes behind one
# public IP via UPnP (default.js server.allowedPorts). The UI listens on API-1, Syncthing on API+2.
DEFAULT_API_PORT = 16127
ALLOWED_API_PORTS: tuple[int, ...] = tuple(range(16127, 16198, 10))
UI_PORT_OFFSET = -1
SYNCTHING_PORT_OFFSET = 2

# The range the official installer opens in ufw for every Flux service.
FIREWALL_RANGE = (16100, 16199)


def fluxos_ports(api_port: int) -> tuple[int, ...]:
    """Every port FluxOS serves for the given API port: UI, API, API+1 (HTTPS), Syncthing."""
    return tuple(range(api_port + UI_PORT_OFFSET, api_port + SYNCTHING_PORT_OFFSET + 1))

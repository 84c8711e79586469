"""Ports against docs/node-ops.md (fluxd chainparams, FluxOS default.js)."""

from flux.ports import (
    ALLOWED_API_PORTS,
    DEFAULT_API_PORT,
    FIREWALL_RANGE,
    MAINNET_PORTS,
    ZMQ_PORT,
    fluxos_ports,
)


def test_fluxos_api_ports_for_up_to_eight_nodes_behind_one_ip():
    assert DEFAULT_API_PORT == 16127
    assert ALLOWED_API_PORTS == (16127, 16137, 16147, 16157, 16167, 16177, 16187, 16197)


def test_fluxos_serves_ui_api_https_and_syncthing_around_the_api_port():
    assert fluxos_ports(16127) == (16126, 16127, 16128, 16129)
    assert fluxos_ports(16197) == (16196, 16197, 16198, 16199)


def test_every_flux_port_is_inside_the_installers_firewall_range():
    low, high = FIREWALL_RANGE
    ports = [MAINNET_PORTS.p2p, MAINNET_PORTS.rpc, ZMQ_PORT]
    ports += [p for api in ALLOWED_API_PORTS for p in fluxos_ports(api)]
    assert all(low <= p <= high for p in ports)

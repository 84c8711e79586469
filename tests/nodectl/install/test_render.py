"""Golden files for every rendered config (acceptance 3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodectl.install import render
from nodectl.install.params import InstallParams, NodeSecrets, make_params

from .conftest import TESTNET_WIF, WIF, param_kwargs

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "install"
SECRETS = NodeSecrets("AbCd1234", "s3cretS3cretS3cret00")


def upnp_params() -> InstallParams:
    return make_params(**param_kwargs(  # type: ignore[arg-type]
        api_port=16137, router_ip="192.168.1.1", tier="nimbus", label="home-node.2",
        kadena="k:" + "0f" * 32))


def cases() -> dict[str, str]:
    p = make_params(**param_kwargs())  # type: ignore[arg-type]
    u = upnp_params()
    t = make_params(**param_kwargs(  # type: ignore[arg-type]
        network="testnet", identity_wif=TESTNET_WIF))
    out = {
        "flux.conf": render.flux_conf(p, SECRETS, WIF),
        "flux.testnet.conf": render.flux_conf(t, SECRETS, t.identity_wif),
        "userconfig.js": render.userconfig_js(p),
        "userconfig.upnp.js": render.userconfig_js(u),
        "userconfig.testnet.js": render.userconfig_js(t),
        "zelcash.service": render.zelcash_service(p),
        "start_daemon_service.sh": render.start_daemon_script(p),
        "stop_daemon_service.sh": render.stop_daemon_script(p),
        "stop_daemon_service.testnet.sh": render.stop_daemon_script(t),
        "sudoers": render.sudoers_rule(p),
        "flux.list": render.flux_apt_list("amd64"),
        "docker.list": render.docker_apt_list("amd64", "ubuntu", "jammy"),
        "mongodb.debian-amd64.list": render.mongodb_apt_list("amd64", "debian", "bookworm"),
        "mongodb.ubuntu-arm64.list": render.mongodb_apt_list("arm64", "ubuntu", "noble"),
        "nodesource.list": render.nodesource_apt_list("arm64"),
        "fluxbench.upnp.conf": render.fluxbench_conf(u),
        "watchdog.config.js": render.watchdog_config_js(p),
        "watchdog.config.nimbus.js": render.watchdog_config_js(u),
    }
    for path, text in render.logrotate_files(p).items():
        out["logrotate." + path.rsplit("/", 1)[-1]] = text
    return out


@pytest.mark.parametrize("name", sorted(cases()))
def test_golden(name: str) -> None:
    text = cases()[name]
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.is_file(), f"missing golden file {golden} (run with UPDATE_GOLDEN=1)"
    assert text == golden.read_text()


def test_no_golden_file_is_orphaned() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == set(cases())


def test_flux_conf_has_official_keys_in_order() -> None:
    p = make_params(**param_kwargs())  # type: ignore[arg-type]
    keys = [line.split("=", 1)[0] for line in render.flux_conf(p, SECRETS, WIF).splitlines()]
    official = ["rpcuser", "rpcpassword", "rpcallowip", "rpcallowip", "rpcport", "port",
                "zelnode", "zelnodeprivkey", "zelnodeoutpoint", "zelnodeindex", "server",
                "daemon", "txindex", "addressindex", "timestampindex", "spentindex",
                "insightexplorer", "experimentalfeatures", "listen", "externalip", "bind",
                "maxconnections", "zmqpubhashtx", "zmqpubhashblock", "zmqpubrawblock",
                "zmqpubrawtx", "zmqpubsequence"]
    assert keys[:len(official)] == official
    assert set(keys[len(official):]) == {"addnode"}


def test_swap_rule_matches_official_sizes() -> None:
    assert [render.swap_size_mib(m) for m in (1024, 2048, 8192, 16384, 32768)] == \
        [2048, 4096, 4096, 2048, 0]


def test_secrets_roundtrip_from_existing_conf() -> None:
    p = make_params(**param_kwargs())  # type: ignore[arg-type]
    again = NodeSecrets.from_flux_conf(render.flux_conf(p, SECRETS, WIF))
    assert again == SECRETS
    assert NodeSecrets.from_flux_conf("rpcuser=a b\nrpcpassword=x") is None
    fresh = NodeSecrets.generate()
    assert len(fresh.rpc_user) == 8 and len(fresh.rpc_password) == 20
    assert "s3cret" not in repr(SECRETS)

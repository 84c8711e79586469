"""Every user field rejects injection attempts; valid values pass (acceptance 3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodectl.install import validate as v
from nodectl.install.params import make_params

from .conftest import TESTNET_WIF, WIF, ZELID, b58check, param_kwargs

PAYLOADS = ["\n", "\r", "\nrpcallowip=0.0.0.0/0", '"', "'", ";", ";reboot", "$(id)", "`id`",
            " ", "\t", "\x00", "&&", "|", "#", "=", "\\", "/../", "\u2028", "}", ",", "${x}"]
VALID = {
    "user": "fluxnode", "identity_wif": WIF, "collateral_txid": "ab" * 32,
    "collateral_index": "0", "public_ip": "203.0.113.7", "zelid": ZELID,
    "kadena": "k:" + "0f" * 32, "label": "node-1", "ssh_port": "22",
    "router_ip": "192.168.1.1", "api_port": "16137",
}


def build(**over: object) -> object:
    kwargs = param_kwargs(router_ip="192.168.1.1", api_port=16137)
    kwargs.update(over)
    return make_params(**kwargs)  # type: ignore[arg-type]


def test_valid_values_accepted() -> None:
    p = build(**VALID)
    assert p.collateral_index == 0 and p.upnp  # type: ignore[attr-defined]


@pytest.mark.parametrize("field", sorted(VALID))
@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_rejected(field: str, payload: str) -> None:
    for bad in (VALID[field] + payload, payload + VALID[field],
                VALID[field][:2] + payload + VALID[field][2:]):
        with pytest.raises(v.InvalidInput):
            build(**{field: bad})


@given(st.text(min_size=1, max_size=80))
@settings(max_examples=300, deadline=None)
def test_fuzzed_text_only_typed_errors_and_safe_output(text: str) -> None:
    validators = [v.validate_ipv4, v.validate_wif, v.validate_txid, v.validate_user_name,
                  v.validate_alias, v.validate_zelid, v.validate_kadena, v.validate_index,
                  v.validate_port, v.validate_api_port]
    for check in validators:
        try:
            out = str(check(text))
        except v.InvalidInput:
            continue
        assert all(c.isalnum() or c in "._-:" for c in out), (check, out)


def test_wif_rules() -> None:
    assert v.validate_wif(WIF) == WIF
    assert v.validate_wif(TESTNET_WIF, "testnet") == TESTNET_WIF
    with pytest.raises(v.InvalidInput, match="another network"):
        v.validate_wif(TESTNET_WIF, "mainnet")
    typo = WIF[:-1] + ("a" if WIF[-1] != "a" else "b")
    with pytest.raises(v.InvalidInput, match="checksum"):
        v.validate_wif(typo)
    uncompressed = b58check(b"\x80" + bytes(range(1, 33)))
    assert v.validate_wif(uncompressed) == uncompressed
    with pytest.raises(v.InvalidInput, match="wrong length"):
        v.validate_wif(b58check(b"\x80" + bytes(range(1, 33)) + b"\x02"))
    with pytest.raises(v.InvalidInput):
        v.validate_wif(ZELID)


def test_other_field_rules() -> None:
    assert v.validate_txid("AB" * 32) == "ab" * 32
    for bad_txid in ("ab" * 31, "zz" * 32, "ab" * 33):
        with pytest.raises(v.InvalidInput, match="64"):
            v.validate_txid(bad_txid)
    assert v.validate_index(3) == 3 and v.validate_index("12") == 12
    for bad_index in (-1, True, "1.5", "-0", "", 1_000_000):
        with pytest.raises(v.InvalidInput):
            v.validate_index(bad_index)
    for name in ("root", "admin", "ubuntu", "Flux", "1abc", "a" * 33, ""):
        with pytest.raises(v.InvalidInput):
            v.validate_user_name(name)
    for ip in ("127.0.0.1", "0.0.0.0", "256.1.1.1", "1.2.3", "224.0.0.1", "01.2.3.4x"):
        with pytest.raises(v.InvalidInput):
            v.validate_ipv4(ip)
    with pytest.raises(v.InvalidInput, match="only accepts"):
        v.validate_api_port(16128)
    assert v.validate_zelid("0x" + "a" * 40) == "0x" + "a" * 40
    with pytest.raises(v.InvalidInput, match="checksum"):
        v.validate_zelid(ZELID[:-1] + ("a" if ZELID[-1] != "a" else "b"))
    assert v.validate_kadena("") == ""


def test_params_cross_field_rules() -> None:
    with pytest.raises(v.InvalidInput, match="router IP"):
        make_params(**param_kwargs(api_port=16137))  # type: ignore[arg-type]
    with pytest.raises(v.InvalidInput, match="tier"):
        make_params(**param_kwargs(tier="thunder"))  # type: ignore[arg-type]
    p = make_params(**param_kwargs())  # type: ignore[arg-type]
    assert WIF not in repr(p) and "identity_wif" not in p.public_dict()

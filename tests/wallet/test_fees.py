"""Fee rates, dust thresholds and the hard fee cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet.errors import FeeError
from wallet.fees import (
    DEFAULT_FEE_RATE,
    DEFAULT_MAX_FEE,
    FeeRate,
    check_fee,
    node_dust_threshold,
)
from wallet.script import nulldata_script, p2pkh_script, p2sh_script


def test_default_rate_is_one_sat_per_byte() -> None:
    assert DEFAULT_FEE_RATE.sat_per_byte == 1
    assert DEFAULT_FEE_RATE.fee(211) == 211


@pytest.mark.parametrize(
    ("rate", "size", "fee"),
    [("0.1", 211, 22), ("0.1", 210, 21), (1, 1, 1), ("1.5", 3, 5), (Decimal("2.25"), 4, 9)],
)
def test_fee_rounds_up(rate: object, size: int, fee: int) -> None:
    assert FeeRate.from_sat_per_byte(rate).fee(size) == fee  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "rate",
    [
        "0.09", 0, -1, "abc", "nan", "inf", "0.0001", "1000.001", None,
        "1e999999", "-1e999999", "1e-999999", "1.0000000000000000000000000000000000000000001",
    ],
)
def test_bad_rates_are_refused(rate: object) -> None:
    with pytest.raises(FeeError):
        FeeRate.from_sat_per_byte(rate)  # type: ignore[arg-type]


def test_floor_and_ceiling_rates_allowed() -> None:
    assert FeeRate.from_sat_per_byte("0.1").sat_per_kb == 100
    assert FeeRate.from_sat_per_byte(1000).sat_per_kb == 1_000_000


def test_node_dust_threshold_matches_fluxd_formula() -> None:
    assert node_dust_threshold(p2pkh_script(bytes(20))) == 54
    assert node_dust_threshold(p2sh_script(bytes(20))) == 54
    assert node_dust_threshold(nulldata_script(b"memo")) == 0


def test_check_fee() -> None:
    check_fee(211, 211, unit="FLUX")
    check_fee(22, 211, unit="FLUX")  # 0.1 sat/B relay floor
    with pytest.raises(FeeError, match="below"):
        check_fee(21, 211, unit="FLUX")
    with pytest.raises(FeeError, match="below"):
        check_fee(100, 211, rate=DEFAULT_FEE_RATE, unit="FLUX")
    with pytest.raises(FeeError):
        check_fee(-1, 211, unit="FLUX")
    check_fee(DEFAULT_MAX_FEE, 211, unit="FLUX")
    with pytest.raises(FeeError, match="cap"):
        check_fee(DEFAULT_MAX_FEE + 1, 211, unit="FLUX")
    with pytest.raises(FeeError, match="cap"):
        check_fee(5000, 211, max_fee=4999, unit="FLUX")

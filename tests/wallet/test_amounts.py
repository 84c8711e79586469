from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flux.money import COIN, MAX_MONEY
from wallet.amounts import (
    MAX,
    MaxAmount,
    format_amount,
    parse_amount,
    parse_satoshis_text,
    satoshis_from_decimal,
    satoshis_from_json,
    satoshis_to_decimal,
)
from wallet.errors import InvalidAmount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", 1_250_000_000),
        ("0.00000001", 1),
        ("1", COIN),
        (" 3 ", 3 * COIN),
        ("3 FLUX", 3 * COIN),
        ("1000 flux", 1000 * COIN),
        (".5", COIN // 2),
        ("5.", 5 * COIN),
        ("0012.50", 1_250_000_000),
        ("1.000000000", COIN),  # trailing zeros past 8 decimals change nothing
        ("440000000", MAX_MONEY),
    ],
)
def test_parse_valid(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["max", "MAX", " Max "])
def test_parse_max_is_a_sentinel(text: str) -> None:
    value = parse_amount(text, allow_max=True)
    assert value is MAX
    assert isinstance(value, MaxAmount)
    assert MaxAmount() is MAX


def test_max_refused_where_not_allowed() -> None:
    with pytest.raises(InvalidAmount, match="not allowed"):
        parse_amount("max")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.123456789", "at most 8 decimals"),
        ("-1", "negative"),
        ("abc", "not an amount"),
        ("1e5", "not an amount"),
        ("nan", "not an amount"),
        ("1.2.3", "not an amount"),
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        (".", "not an amount"),
        ("1,5", "decimal separator"),
        ("440000000.00000001", "can ever exist"),
        ("99999999999", "can ever exist"),
        ("0", "more than 0"),
        ("0.00000000", "more than 0"),
        ("١٢", "not an amount"),
        ("1" * 60, "too long"),
        ("+1", "not an amount"),
    ],
)
def test_parse_invalid(text: str, message: str) -> None:
    with pytest.raises(InvalidAmount, match=message):
        parse_amount(text, allow_max=True)


def test_zero_allowed_for_fee_fields() -> None:
    assert parse_satoshis_text("0") == 0
    with pytest.raises(InvalidAmount):
        parse_satoshis_text("max")


def test_non_text_refused() -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sat", "trimmed", "full"),
    [
        (1_250_000_000, "12.5", "12.50000000"),
        (1, "0.00000001", "0.00000001"),
        (0, "0", "0.00000000"),
        (COIN, "1", "1.00000000"),
        (-150_000_000, "-1.5", "-1.50000000"),
        (MAX_MONEY, "440000000", "440000000.00000000"),
    ],
)
def test_format(sat: int, trimmed: str, full: str) -> None:
    assert format_amount(sat) == trimmed
    assert format_amount(sat, trim=False) == full


def test_format_with_unit_and_type_check() -> None:
    assert format_amount(COIN, unit="FLUX") == "1 FLUX"
    with pytest.raises(InvalidAmount):
        format_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        format_amount(True)


@given(st.integers(min_value=1, max_value=MAX_MONEY))
def test_format_parse_roundtrip(sat: int) -> None:
    assert parse_amount(format_amount(sat)) == sat
    assert parse_amount(format_amount(sat, trim=False)) == sat


@given(st.text(max_size=30))
def test_fuzzed_text_only_raises_invalid_amount(text: str) -> None:
    try:
        value = parse_amount(text, allow_max=True)
    except InvalidAmount:
        return
    assert value is MAX or (isinstance(value, int) and 0 < value <= MAX_MONEY)


def test_json_amounts() -> None:
    assert satoshis_from_json(12.5) == 1_250_000_000
    assert satoshis_from_json(0.1) == 10_000_000
    assert satoshis_from_json(1e-05) == 1000
    assert satoshis_from_json("0.00000001") == 1
    assert satoshis_from_json(7) == 7 * COIN
    for bad in (True, None, [1], "x", 0.123456789, float("inf"), -1, 5e9):
        with pytest.raises(InvalidAmount):
            satoshis_from_json(bad)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_json_float_roundtrip(sat: int) -> None:
    assert satoshis_from_json(sat / COIN) == sat


def test_decimal_edges() -> None:
    assert satoshis_to_decimal(150_000_000) == Decimal("1.5")
    assert satoshis_from_decimal(Decimal("1.5")) == 150_000_000
    with pytest.raises(InvalidAmount):
        satoshis_from_decimal(Decimal("1.000000001"))
    with pytest.raises(InvalidAmount):
        satoshis_from_decimal(Decimal("NaN"))


@pytest.mark.parametrize(
    "text",
    [
        "1e999999",
        "-1e999999",
        "1e999990",
        "1e-999999",
        # 29 significant digits: the default context would round this to exactly 1 FLUX.
        "1.0000000000000000000000000001",
        "1." + "0" * 60 + "1",
    ],
)
def test_decimal_overflow_and_hidden_rounding_are_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        satoshis_from_decimal(Decimal(text))
    with pytest.raises(InvalidAmount):
        satoshis_from_json(text)


def test_decimal_trailing_zeros_are_exact() -> None:
    assert satoshis_from_decimal(Decimal("0.1" + "0" * 60)) == 10_000_000
    assert satoshis_from_decimal(Decimal("440000000.00000000")) == MAX_MONEY


def test_one_formatter_for_every_screen() -> None:
    assert format_amount(1_234_567_850_000_000, unit="FLUX", group=",") == "12,345,678.5 FLUX"
    assert format_amount(123_456_789_000, group=".", point=",") == "1.234,56789"
    assert format_amount(150_000_000, plus=True, unit="REG") == "+1.5 REG"
    assert format_amount(-150_000_000, plus=True) == "-1.5"
    assert format_amount(0, plus=True, unit="TESTFLUX") == "0 TESTFLUX"
    assert format_amount(1, unit="FLUX") == "0.00000001 FLUX"

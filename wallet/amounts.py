"""FLUX amounts as text <-> integer satoshis.

Inside the engine every amount is an int of satoshis; Decimal appears only here, where text from a
person or a JSON number from a server is turned into satoshis (and back for display).
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, localcontext
from typing import Final, final

from flux.money import COIN, MAX_MONEY
from wallet.errors import InvalidAmount

DECIMALS: Final = 8
# Longest text worth looking at: 9 integer digits + dot + 8 decimals + a unit, with room to spare.
_MAX_TEXT = 40
_NUMBER = re.compile(r"(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?")
_MAX_FLUX = Decimal(MAX_MONEY) / COIN
# Enough digits for every satoshi amount up to MAX_MONEY with room for trailing zeros.
_PRECISION = 40


@final
class MaxAmount:
    """The "send everything" request; the fee is taken from the total when the tx is built."""

    _instance: MaxAmount | None = None

    def __new__(cls) -> MaxAmount:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MAX"


MAX: Final = MaxAmount()
SendAmount = int | MaxAmount


def parse_amount(
    text: str, *, allow_max: bool = False, allow_zero: bool = False, unit: str = "FLUX"
) -> SendAmount:
    """Parse what a person typed ("12.5", "0.00000001", "3 FLUX", "max") into satoshis or MAX.

    `unit` is the network's word (Network.currency_unit): messages name it, and a typed amount
    may end with it (or with FLUX).
    """
    if not isinstance(text, str):
        raise InvalidAmount("The amount must be text such as 12.5.")
    cleaned = text.strip()
    if len(cleaned) > _MAX_TEXT:
        raise InvalidAmount(
            f"That is too long to be an amount of {unit}. Type a number such as 12.5."
        )
    cleaned = _strip_unit(cleaned, unit)
    if cleaned.lower() == "max":
        if not allow_max:
            raise InvalidAmount('"max" is not allowed here. Type a number such as 12.5.')
        return MAX
    if not cleaned:
        raise InvalidAmount("Enter an amount, for example 12.5.")
    if cleaned.startswith("-"):
        raise InvalidAmount("The amount cannot be negative.")
    if "," in cleaned:
        raise InvalidAmount(
            "Use a dot as the decimal separator and no thousands separator, for example 1250.5."
        )
    satoshis = _digits_to_satoshis(cleaned, unit)
    if satoshis == 0 and not allow_zero:
        raise InvalidAmount("The amount must be more than 0.")
    return satoshis


def parse_satoshis_text(text: str, *, unit: str = "FLUX") -> int:
    """Parse an amount that must be a number (never "max"), zero allowed — e.g. a fee field."""
    value = parse_amount(text, allow_max=False, allow_zero=True, unit=unit)
    assert isinstance(value, int)
    return value


def _strip_unit(text: str, unit: str) -> str:
    # Longest first: "TESTFLUX" also ends with "FLUX".
    for word in sorted({"flux", unit.lower()}, key=len, reverse=True):
        if len(text) >= len(word) and text[-len(word):].lower() == word:
            return text[: -len(word)].rstrip()
    return text


def _digits_to_satoshis(cleaned: str, unit: str) -> int:
    match = _NUMBER.fullmatch(cleaned)
    if match is None or not (match.group("int") or match.group("frac")):
        raise InvalidAmount(
            f"{cleaned!r} is not an amount. Type digits with an optional dot, for example 12.5."
        )
    whole = match.group("int") or "0"
    frac = (match.group("frac") or "").rstrip("0")
    if len(frac) > DECIMALS:
        raise InvalidAmount(
            f"Amounts of {unit} have at most {DECIMALS} decimals (smallest "
            f"{format_amount(1, unit=unit)}); this amount has {len(frac)}. Round it to 8 "
            "decimals."
        )
    satoshis = int(whole) * COIN + int(frac.ljust(DECIMALS, "0") or "0")
    _check_range(satoshis, unit)
    return satoshis


def _check_range(satoshis: int, unit: str = "FLUX") -> None:
    if satoshis < 0:
        raise InvalidAmount("The amount cannot be negative.")
    if satoshis > MAX_MONEY:
        raise InvalidAmount(
            f"The amount is more than the {format_amount(MAX_MONEY, unit=unit)} that can ever "
            "exist."
        )


def satoshis_from_decimal(value: Decimal) -> int:
    """Exact Decimal FLUX -> satoshis; anything that is not exact to 8 decimals is refused."""
    if not value.is_finite():
        raise InvalidAmount("The amount is not a finite number.")
    if abs(value) > _MAX_FLUX:
        # Checked first so that "1e999999" is neither multiplied nor turned into a huge int.
        _check_range(-1 if value < 0 else MAX_MONEY + 1)
    try:
        # The default context would round a 29th significant digit away without a word.
        with localcontext(Context(prec=_PRECISION, traps=[Inexact, Overflow, InvalidOperation])):
            scaled = value * COIN
            exact = scaled == scaled.to_integral_value()
    except ArithmeticError:
        exact = False
    if not exact:
        raise InvalidAmount(f"FLUX has at most {DECIMALS} decimals; {value:.20} has more.")
    satoshis = int(scaled)
    _check_range(satoshis)
    return satoshis


def satoshis_from_json(value: object) -> int:
    """A FLUX amount as a JSON number or numeric string from a server (e.g. 12.5) -> satoshis.

    Floats are read through their shortest repr, which gives back the exact decimal for every
    amount below 10 000 000 FLUX (15 significant digits fit a double); prefer a server's satoshi
    fields where it has them, because larger floats cannot carry 8 decimals.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidAmount(f"Expected a FLUX amount, got {type(value).__name__}.")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InvalidAmount(f"{value!r} is not a FLUX amount.") from None
    return satoshis_from_decimal(number)


def satoshis_to_decimal(satoshis: int) -> Decimal:
    return Decimal(satoshis).scaleb(-DECIMALS)


def format_amount(
    satoshis: int, *, trim: bool = True, unit: str | None = None, group: str = "",
    point: str = ".", plus: bool = False,
) -> str:
    """Satoshis -> coin text: 1250000000 -> "12.5" (or "12.50000000" with trim=False).

    The one formatter for every amount a person reads (GUI, CLI, messages): up to 8 decimals
    without trailing zeros, then the network's unit word (`Network.currency_unit`: FLUX,
    TESTFLUX, REG). The GUI passes its locale's `group` (thousands) separator and decimal
    `point`; text meant to be parsed back or read by programs keeps the defaults. Negative values
    are allowed (history shows outgoing amounts with a minus sign); `plus` marks incoming ones.
    """
    if isinstance(satoshis, bool) or not isinstance(satoshis, int):
        raise InvalidAmount(f"Amounts are whole satoshis, got {type(satoshis).__name__}.")
    sign = "-" if satoshis < 0 else "+" if plus and satoshis > 0 else ""
    whole, frac = divmod(abs(satoshis), COIN)
    frac_text = f"{frac:0{DECIMALS}d}"
    if trim:
        frac_text = frac_text.rstrip("0")
    whole_text = f"{whole:,}".replace(",", group) if group else str(whole)
    text = f"{sign}{whole_text}{point}{frac_text}" if frac_text else f"{sign}{whole_text}"
    return f"{text} {unit}" if unit else text

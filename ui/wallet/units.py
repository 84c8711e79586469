"""Amounts on screen: wallet.amounts.format_amount with this computer's number format (thousands
separator and decimal point from the Qt locale) and the network's unit word."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QLocale

from wallet.amounts import format_amount


def money(satoshis: int, unit: str | None = None, *, plus: bool = False) -> str:
    """1234567800000 -> "12,345.678 FLUX" (in an English locale)."""
    group, point = separators()
    return format_amount(satoshis, unit=unit, group=group, point=point, plus=plus)


@cache
def separators() -> tuple[str, str]:
    """(thousands separator, decimal point) of the locale, read once: history tables format
    tens of thousands of amounts."""
    locale = QLocale()
    return locale.groupSeparator(), locale.decimalPoint()

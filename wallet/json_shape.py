"""Strict shape checks for JSON read back from a cache or a server: each returns the value typed
or raises TypeError (wrong kind) / ValueError (number out of range), which the readers catch and
turn into "not usable"."""

from __future__ import annotations

from typing import Any


def as_int(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{value!r:.20} is not a number in {low}..{high}")
    return value


def as_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r:.20} is not text")
    return value


def as_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r:.20} is not true or false")
    return value


def as_dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not an object")
    return value


def as_list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value

"""Block times as people read them: the local time zone, minutes, one format everywhere (GUI
history, CSV export, details dialog, CLI)."""

from __future__ import annotations

import time


def local_date(timestamp: int) -> str:
    """Unix seconds -> "2026-12-05 14:03" in this computer's time zone."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def when_text(timestamp: int | None, height: int | None, confirmations: int) -> str:
    """The date of a transaction's block; its height when the server gave no time."""
    if timestamp:
        return local_date(timestamp)
    if confirmations > 0 and height is not None:
        return f"block {height}"
    return "pending"

"""Units of FLUX: amounts are integers in satoshis (fluxd src/amount.h)."""

from __future__ import annotations

COIN = 100_000_000
MAX_MONEY = 440_000_000 * COIN

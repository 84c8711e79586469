"""Fee policy as data: rates, the hard cap, dust thresholds and transaction limits.

Rates are held as integer satoshis per 1 000 bytes so that 0.1 sat/B (fluxd's minimum relay fee)
is exact. Sources: fluxd main.h, amount.cpp, transaction.h; SSP blockchains.ts
(docs/protocol-wallet.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    Context,
    Decimal,
    DecimalException,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from flux.money import COIN
from wallet.amounts import format_amount
from wallet.errors import FeeError
from wallet.script import OP_RETURN

# fluxd DEFAULT_MIN_RELAY_TX_FEE: 100 sat/kB = 0.1 sat/B, the lowest rate we let anyone pick.
MIN_RELAY_SAT_PER_KB = 100
# SSP's static 1 sat/B; ten times the relay minimum, so it always relays.
DEFAULT_SAT_PER_KB = 1000
# sendrawtransaction refuses fees above 10 000 × the relay fee ("absurdly high fees").
ABSURD_SAT_PER_KB = MIN_RELAY_SAT_PER_KB * 10_000
DEFAULT_MAX_FEE = 10 * COIN
# Change below this goes to the fee (SSP dustLimit); fluxd's own dust threshold is lower (54 sat).
CHANGE_DUST_LIMIT = 546
MAX_TX_SIZE = 2_000_000
MAX_STANDARD_TX_SIGOPS = 4000
COINBASE_MATURITY = 100


@dataclass(frozen=True, order=True)
class FeeRate:
    sat_per_kb: int

    @classmethod
    def from_sat_per_byte(cls, value: int | str | Decimal | float) -> FeeRate:
        """A rate in sat/B (0.1 … 1000, at most 3 decimals); FeeError otherwise."""
        try:
            rate = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise FeeError(f"fee rate {value!r} is not a number") from None
        if not rate.is_finite():
            raise FeeError("the fee rate must be a finite number")
        if abs(rate) > ABSURD_SAT_PER_KB:
            # Far outside any rate; refused before "1e999999" reaches arithmetic or int().
            raise FeeError(
                f"fee rate {value!s:.20} sat/B is above the {ABSURD_SAT_PER_KB // 1000} sat/B "
                "nodes refuse as absurd"
            )
        try:
            with localcontext(Context(prec=40, traps=[Inexact, Overflow, InvalidOperation])):
                per_kb = rate * 1000
                exact = per_kb == per_kb.to_integral_value()
        except DecimalException:
            exact = False
        if not exact:
            raise FeeError("the fee rate can have at most 3 decimals (0.001 sat/B)")
        return cls.from_sat_per_kb(int(per_kb))

    @classmethod
    def from_sat_per_kb(cls, per_kb: int) -> FeeRate:
        if per_kb < MIN_RELAY_SAT_PER_KB:
            raise FeeError(
                f"fee rate {per_kb / 1000:g} sat/B is below the {MIN_RELAY_SAT_PER_KB / 1000:g} "
                "sat/B nodes relay; choose at least 0.1 sat/B"
            )
        if per_kb > ABSURD_SAT_PER_KB:
            raise FeeError(
                f"fee rate {per_kb / 1000:g} sat/B is above the {ABSURD_SAT_PER_KB // 1000} sat/B "
                "nodes refuse as absurd"
            )
        return cls(per_kb)

    @property
    def sat_per_byte(self) -> Decimal:
        return Decimal(self.sat_per_kb) / 1000

    def fee(self, size: int) -> int:
        """Fee in satoshis for ``size`` bytes, rounded up (never below the chosen rate)."""
        return -(-size * self.sat_per_kb // 1000)


DEFAULT_FEE_RATE = FeeRate(DEFAULT_SAT_PER_KB)


def node_dust_threshold(script_pubkey: bytes) -> int:
    """fluxd GetDustThreshold at the default relay fee (54 sat for P2PKH/P2SH, 0 for OP_RETURN)."""
    if script_pubkey[:1] == bytes((OP_RETURN,)):
        return 0
    output_size = 8 + 1 + len(script_pubkey)
    fee = MIN_RELAY_SAT_PER_KB * (output_size + 148) // 1000
    return 3 * (fee or MIN_RELAY_SAT_PER_KB)


def check_fee(
    fee: int, size: int, *, unit: str, rate: FeeRate | None = None,
    max_fee: int = DEFAULT_MAX_FEE,
) -> None:
    """Refuse a fee under the relay minimum (or under ``rate``) or above the hard cap; amounts
    in messages are in ``unit``, the network's word (Network.currency_unit)."""
    floor = (rate or FeeRate(MIN_RELAY_SAT_PER_KB)).fee(size)
    if fee < 0:
        raise FeeError("the outputs spend more than the inputs hold")
    if fee < floor:
        raise FeeError(
            f"the fee {format_amount(fee, unit=unit)} is below the "
            f"{format_amount(floor, unit=unit)} nodes need for {size} bytes; choose a higher "
            "fee rate"
        )
    check_fee_cap(fee, unit=unit, max_fee=max_fee)


def check_fee_cap(
    fee: int, *, unit: str, max_fee: int = DEFAULT_MAX_FEE,
    next_step: str = "check the amounts (an input may be much larger than intended)",
) -> None:
    """The hard fee cap every transaction this wallet builds or signs passes."""
    if fee > max_fee:
        raise FeeError(
            f"the fee would be {format_amount(fee, unit=unit)}, above the "
            f"{format_amount(max_fee, unit=unit)} safety cap; {next_step}"
        )

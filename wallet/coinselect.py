"""Coin selection, "send max" and consolidation plans for transparent P2PKH wallets.

A plan lists the coins to spend and the outputs in ``build_signed_transaction`` form, with a fee
computed from an upper bound of the signed size, so the real fee rate is never below the chosen
one. Locked outpoints (fluxnode collateral) are never selected; coinbase outputs (node rewards)
need 100 confirmations; the 2 MB size and 4 000 sigops limits bound the number of inputs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flux.networks import Network
from wallet.amounts import format_amount
from wallet.errors import InsufficientFunds, InvalidTransaction, TooManyInputs
from wallet.fees import (
    CHANGE_DUST_LIMIT,
    COINBASE_MATURITY,
    DEFAULT_FEE_RATE,
    DEFAULT_MAX_FEE,
    MAX_STANDARD_TX_SIGOPS,
    MAX_TX_SIZE,
    FeeRate,
    check_fee_cap,
    node_dust_threshold,
)
from wallet.script import OP_CHECKSIG
from wallet.signing import output_size, p2pkh_input_size
from wallet.txbuild import OP_RETURN_MARKER, make_output
from wallet.txreader import compact_size

P2PKH_INPUT_SIZE = p2pkh_input_size(compressed=True)
# A consolidation transaction of this many inputs is ~74 kB: quick to sign, relay and mine.
DEFAULT_CONSOLIDATION_INPUTS = 500
# nVersion, nVersionGroupId, nLockTime, nExpiryHeight, valueBalance and three empty vectors.
_FIXED_SIZE = 4 + 4 + 4 + 4 + 8 + 1 + 1 + 1

Outpoint = tuple[str, int]


@dataclass(frozen=True)
class Utxo:
    """An unspent output the wallet can sign for. ``input_size``/``sigops`` describe its spend."""

    txid: str
    vout: int
    satoshis: int
    confirmations: int
    coinbase: bool = False
    address: str = ""
    input_size: int = P2PKH_INPUT_SIZE
    sigops: int = 0

    @property
    def outpoint(self) -> Outpoint:
        return (self.txid, self.vout)


@dataclass(frozen=True)
class SpendPlan:
    inputs: tuple[Utxo, ...]
    outputs: tuple[tuple[str, Any], ...]
    fee: int
    change: int
    size: int

    @property
    def total_in(self) -> int:
        return sum(u.satoshis for u in self.inputs)

    @property
    def fee_rate(self) -> float:
        return self.fee / self.size


def spendable_utxos(
    utxos: Iterable[Utxo], *, locked: Collection[Outpoint] = (), min_confirmations: int = 1
) -> list[Utxo]:
    """Coins spendable now: unlocked, confirmed enough, mature if coinbase, no duplicates."""
    seen: set[Outpoint] = set()
    out: list[Utxo] = []
    for u in utxos:
        if u.outpoint in seen or u.outpoint in locked or u.satoshis <= 0:
            continue
        if u.confirmations < min_confirmations:
            continue
        if u.coinbase and u.confirmations < COINBASE_MATURITY:
            continue
        seen.add(u.outpoint)
        out.append(u)
    return out


def payment_size(inputs: int = 1, outputs: int = 2) -> int:
    """Signed size in bytes of a payment spending `inputs` P2PKH coins to `outputs` P2PKH
    outputs (one payee and change by default): what a fee preset costs for a typical send."""
    p2pkh_script = bytes(25)
    return (
        _FIXED_SIZE
        + len(compact_size(inputs)) + inputs * P2PKH_INPUT_SIZE
        + len(compact_size(outputs)) + outputs * output_size(p2pkh_script)
    )


def _excluded_note(
    utxos: Sequence[Utxo], locked: Collection[Outpoint], min_conf: int, unit: str
) -> str:
    locked_sum = sum(u.satoshis for u in utxos if u.outpoint in locked)
    immature = sum(
        u.satoshis for u in utxos
        if u.outpoint not in locked and u.coinbase and u.confirmations < COINBASE_MATURITY
    )
    pending = sum(
        u.satoshis for u in utxos
        if u.outpoint not in locked and not u.coinbase and u.confirmations < min_conf
    )
    parts = []
    if locked_sum:
        parts.append(f"{format_amount(locked_sum, unit=unit)} is locked (node collateral)")
    if immature:
        parts.append(
            f"{format_amount(immature, unit=unit)} are rewards with fewer than 100 "
            "confirmations"
        )
    if pending:
        parts.append(f"{format_amount(pending, unit=unit)} is not confirmed yet")
    return (" Not counted: " + "; ".join(parts) + ".") if parts else ""


class _Shape:
    """Size and sigops of a transaction with the given outputs as inputs are added."""

    def __init__(self, output_scripts: list[bytes]) -> None:
        self.scripts = output_scripts

    def size(self, inputs: Sequence[Utxo], extra_scripts: Sequence[bytes] = ()) -> int:
        scripts = [*self.scripts, *extra_scripts]
        return (
            _FIXED_SIZE
            + len(compact_size(len(inputs))) + sum(u.input_size for u in inputs)
            + len(compact_size(len(scripts))) + sum(output_size(s) for s in scripts)
        )

    def sigops(self, inputs: Sequence[Utxo], extra_scripts: Sequence[bytes] = ()) -> int:
        outs = sum(s.count(bytes((OP_CHECKSIG,))) for s in [*self.scripts, *extra_scripts])
        return sum(u.sigops for u in inputs) + outs


def _check_limits(shape: _Shape, inputs: Sequence[Utxo], extra: Sequence[bytes],
                  max_size: int, max_sigops: int) -> bool:
    return shape.size(inputs, extra) <= max_size and shape.sigops(inputs, extra) <= max_sigops


def _too_many(count: int, amount: int, unit: str) -> TooManyInputs:
    return TooManyInputs(
        f"sending {format_amount(amount, unit=unit)} needs more than {count} coins, more "
        "than one transaction can carry (2 MB / 4 000 signature operations). Consolidate your "
        "small coins first (send them to yourself in a few batches), then send again."
    )


def _cap(fee: int, max_fee: int, unit: str) -> None:
    check_fee_cap(fee, unit=unit, max_fee=max_fee,
                  next_step="lower the fee rate or consolidate small coins first")


def _accumulate(
    coins: list[Utxo],
    shape: _Shape,
    amount: int,
    fee_rate: FeeRate,
    change_script: bytes,
    max_size: int,
    max_sigops: int,
    unit: str,
) -> list[Utxo]:
    """Largest coins first until amount + fee is covered, within the size and sigops limits.

    Size and sigops are tracked incrementally so thousands of small coins stay linear.
    """
    base_size = shape.size([], [change_script]) - 1  # minus the 1-byte empty vin count
    sigops = shape.sigops([], [change_script])
    chosen: list[Utxo] = []
    total = inputs_size = 0
    for coin in sorted(coins, key=lambda u: (-u.satoshis, u.outpoint)):
        count = len(chosen) + 1
        size = base_size + len(compact_size(count)) + inputs_size + coin.input_size
        if size > max_size or sigops + coin.sigops > max_sigops:
            if sum(u.satoshis for u in coins) < amount:
                return chosen
            raise _too_many(len(chosen), amount, unit)
        chosen.append(coin)
        total += coin.satoshis
        inputs_size += coin.input_size
        sigops += coin.sigops
        no_change_size = size - output_size(change_script) - (
            len(compact_size(len(shape.scripts) + 1)) - len(compact_size(len(shape.scripts)))
        )
        if total >= amount + fee_rate.fee(no_change_size):
            return chosen
    return chosen


def select_coins(
    utxos: Sequence[Utxo],
    outputs: Sequence[tuple[str, Any]],
    *,
    change_address: str,
    network: Network,
    fee_rate: FeeRate = DEFAULT_FEE_RATE,
    locked: Collection[Outpoint] = (),
    min_confirmations: int = 1,
    max_fee: int = DEFAULT_MAX_FEE,
    max_size: int = MAX_TX_SIZE,
    max_sigops: int = MAX_STANDARD_TX_SIGOPS,
) -> SpendPlan:
    """Pick coins paying ``outputs`` (builder form) plus the fee; change (≥ 546 sat) goes last.

    The smallest single coin that covers everything is preferred; otherwise coins are added
    largest first, which needs the fewest inputs.
    """
    if not outputs:
        raise InvalidTransaction("nothing to send: give at least one output")
    txouts = [make_output(o, network) for o in outputs]
    amount = sum(o.value for o in txouts)
    change_script = make_output((change_address, CHANGE_DUST_LIMIT), network).script_pubkey
    shape = _Shape([o.script_pubkey for o in txouts])
    coins = spendable_utxos(utxos, locked=locked, min_confirmations=min_confirmations)

    def covers(chosen: Sequence[Utxo]) -> bool:
        return sum(u.satoshis for u in chosen) >= amount + fee_rate.fee(shape.size(chosen))

    single = [u for u in sorted(coins, key=lambda u: u.satoshis) if covers([u])]
    chosen: list[Utxo] = single[:1]
    if not chosen:
        chosen = _accumulate(coins, shape, amount, fee_rate, change_script, max_size, max_sigops,
                             network.currency_unit)
    if not covers(chosen):
        total = sum(u.satoshis for u in coins)
        need = amount + fee_rate.fee(shape.size(chosen or coins[:1]))
        raise InsufficientFunds(
            f"spendable balance {format_amount(total, unit=network.currency_unit)} does not "
            f"cover {format_amount(need, unit=network.currency_unit)} (amount plus fee)."
            + _excluded_note(utxos, locked, min_confirmations, network.currency_unit)
        )
    total = sum(u.satoshis for u in chosen)
    size = shape.size(chosen, [change_script])
    change = total - amount - fee_rate.fee(size)
    plan_outputs: list[tuple[str, Any]] = [(o[0], o[1]) for o in outputs]
    if change >= CHANGE_DUST_LIMIT:
        plan_outputs.append((change_address, change))
    else:
        change, size = 0, shape.size(chosen)
    fee = total - amount - change
    _cap(fee, max_fee, network.currency_unit)
    return SpendPlan(tuple(chosen), tuple(plan_outputs), fee, change, size)


def send_max(
    utxos: Sequence[Utxo],
    address: str,
    *,
    network: Network,
    fee_rate: FeeRate = DEFAULT_FEE_RATE,
    locked: Collection[Outpoint] = (),
    memo: bytes | None = None,
    min_confirmations: int = 1,
    max_fee: int = DEFAULT_MAX_FEE,
    max_size: int = MAX_TX_SIZE,
    max_sigops: int = MAX_STANDARD_TX_SIGOPS,
) -> SpendPlan:
    """Everything spendable to ``address``, minus the fee (no change output)."""
    coins = sorted(
        spendable_utxos(utxos, locked=locked, min_confirmations=min_confirmations),
        key=lambda u: (-u.satoshis, u.outpoint),
    )
    if not coins:
        raise InsufficientFunds(
            "there is nothing spendable to send."
            + _excluded_note(utxos, locked, min_confirmations, network.currency_unit)
        )
    dest = make_output((address, CHANGE_DUST_LIMIT), network).script_pubkey
    extra: list[tuple[str, Any]] = []
    scripts = [dest]
    if memo is not None:
        memo_out = make_output((OP_RETURN_MARKER, memo), network)
        scripts.append(memo_out.script_pubkey)
        extra.append((OP_RETURN_MARKER, bytes(memo)))
    shape = _Shape(scripts)
    if not _check_limits(shape, coins, (), max_size, max_sigops):
        raise _too_many(len(coins), sum(u.satoshis for u in coins), network.currency_unit)
    size = shape.size(coins)
    fee = fee_rate.fee(size)
    amount = sum(u.satoshis for u in coins) - fee
    if amount < max(node_dust_threshold(dest), 1):
        raise InsufficientFunds("the spendable balance does not cover the fee of sending it")
    _cap(fee, max_fee, network.currency_unit)
    return SpendPlan(tuple(coins), ((address, amount), *extra), fee, 0, size)


def plan_consolidation(
    utxos: Sequence[Utxo],
    address: str,
    *,
    network: Network,
    fee_rate: FeeRate = DEFAULT_FEE_RATE,
    locked: Collection[Outpoint] = (),
    max_inputs_per_tx: int = DEFAULT_CONSOLIDATION_INPUTS,
    min_confirmations: int = 1,
    max_fee: int = DEFAULT_MAX_FEE,
) -> list[SpendPlan]:
    """Batches that merge many small coins (e.g. node rewards) into few, smallest coins first.

    Each batch is a send-to-self of up to ``max_inputs_per_tx`` coins. Batches whose value would
    not cover their own fee are left out; nothing is planned when there is at most one coin.
    """
    if max_inputs_per_tx < 2:
        raise TooManyInputs("a consolidation batch needs room for at least 2 inputs")
    coins = sorted(
        spendable_utxos(utxos, locked=locked, min_confirmations=min_confirmations),
        key=lambda u: (u.satoshis, u.outpoint),
    )
    if len(coins) < 2:
        return []
    plans: list[SpendPlan] = []
    for start in range(0, len(coins), max_inputs_per_tx):
        batch = coins[start : start + max_inputs_per_tx]
        if len(batch) < 2:
            break
        try:
            plans.append(
                send_max(batch, address, network=network, fee_rate=fee_rate, max_fee=max_fee,
                         min_confirmations=min_confirmations)
            )
        except InsufficientFunds:
            continue
    return plans

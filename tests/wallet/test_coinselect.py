"""Coin selection, send max and consolidation plans, checked against real signed transactions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.money import COIN
from flux.networks import MAINNET
from wallet.address import p2pkh_address
from wallet.coinselect import (
    SpendPlan,
    Utxo,
    plan_consolidation,
    select_coins,
    send_max,
    spendable_utxos,
)
from wallet.errors import FeeError, InsufficientFunds, InvalidTransaction, TooManyInputs
from wallet.fees import CHANGE_DUST_LIMIT, DEFAULT_FEE_RATE, FeeRate
from wallet.keys import PrivateKey
from wallet.tx import Transaction, build_signed_transaction

KEY = PrivateKey(b"\x11" * 32)
ME = p2pkh_address(KEY.public_key(), MAINNET)
OTHER = p2pkh_address(PrivateKey(b"\x22" * 32).public_key(), MAINNET)


def utxo(n: int, sats: int, conf: int = 10, coinbase: bool = False) -> Utxo:
    return Utxo(f"{n:064x}", n % 7, sats, conf, coinbase, ME)


def build(plan: SpendPlan, expiry: int = 1000) -> Transaction:
    return build_signed_transaction(
        [(u.txid, u.vout, u.satoshis, KEY) for u in plan.inputs], list(plan.outputs),
        locktime=0, expiry_height=expiry, network=MAINNET,
    )


def test_prefers_smallest_single_covering_coin() -> None:
    coins = [utxo(1, 5 * COIN), utxo(2, 2 * COIN), utxo(3, 3 * COIN)]
    plan = select_coins(coins, [(OTHER, COIN)], change_address=ME, network=MAINNET)
    assert [u.satoshis for u in plan.inputs] == [2 * COIN]
    assert plan.outputs[0] == (OTHER, COIN)
    assert plan.outputs[1][0] == ME
    assert plan.total_in == COIN + plan.change + plan.fee


def test_accumulates_largest_first() -> None:
    coins = [utxo(i, COIN) for i in range(1, 6)] + [utxo(9, 3 * COIN)]
    plan = select_coins(coins, [(OTHER, 4 * COIN + 1)], change_address=ME, network=MAINNET)
    assert plan.inputs[0].satoshis == 3 * COIN
    assert len(plan.inputs) == 3


def test_change_below_dust_goes_to_fee() -> None:
    fee_1in_1out = DEFAULT_FEE_RATE.fee(29 + 148 + 34)
    coins = [utxo(1, COIN + fee_1in_1out + CHANGE_DUST_LIMIT - 1)]
    plan = select_coins(coins, [(OTHER, COIN)], change_address=ME, network=MAINNET)
    assert plan.change == 0
    assert len(plan.outputs) == 1
    assert plan.fee == fee_1in_1out + CHANGE_DUST_LIMIT - 1
    bigger = [utxo(1, COIN + fee_1in_1out + 34 + CHANGE_DUST_LIMIT)]
    plan = select_coins(bigger, [(OTHER, COIN)], change_address=ME, network=MAINNET)
    assert plan.change == CHANGE_DUST_LIMIT


def test_locked_immature_and_unconfirmed_are_skipped() -> None:
    collateral = utxo(1, 1000 * COIN)
    coins = [collateral, utxo(2, 10 * COIN, conf=99, coinbase=True), utxo(3, 10 * COIN, conf=0),
             utxo(4, COIN, conf=100, coinbase=True)]
    usable = spendable_utxos(coins, locked={collateral.outpoint})
    assert [u.txid for u in usable] == [utxo(4, 0).txid]
    with pytest.raises(InsufficientFunds, match="locked") as info:
        select_coins(coins, [(OTHER, 5 * COIN)], change_address=ME, network=MAINNET,
                     locked={collateral.outpoint})
    assert "100 confirmations" in str(info.value)
    assert "not confirmed" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(1000, 50 * COIN), min_size=1, max_size=30),
    locked_mask=st.lists(st.booleans(), min_size=30, max_size=30),
    amount=st.integers(600, 100 * COIN),
    rate=st.sampled_from(["0.1", "1", "2.5", "20"]),
)
def test_plans_never_use_locked_coins_and_pay_the_rate(
    values: list[int], locked_mask: list[bool], amount: int, rate: str
) -> None:
    coins = [utxo(i + 1, v) for i, v in enumerate(values)]
    locked = {c.outpoint for c, m in zip(coins, locked_mask, strict=False) if m}
    fee_rate = FeeRate.from_sat_per_byte(rate)
    try:
        plan = select_coins(coins, [(OTHER, amount)], change_address=ME, network=MAINNET,
                            fee_rate=fee_rate, locked=locked)
    except InsufficientFunds:
        free = sum(c.satoshis for c in coins if c.outpoint not in locked)
        assert free < amount + fee_rate.fee(29 + 34 + 148 * max(1, len(coins)))
        return
    assert not {u.outpoint for u in plan.inputs} & locked
    tx = build(plan)
    assert tx.size() <= plan.size
    assert plan.fee >= fee_rate.fee(tx.size())
    assert plan.change == 0 or plan.change >= CHANGE_DUST_LIMIT
    assert sum(o.value for o in tx.outputs) + plan.fee == plan.total_in


def test_send_max_spends_everything_minus_fee() -> None:
    coins = [utxo(i, 10_000 + i) for i in range(1, 40)]
    plan = send_max(coins, OTHER, network=MAINNET, memo=b"all")
    assert len(plan.inputs) == 39 and plan.change == 0
    assert plan.outputs[0][1] == plan.total_in - plan.fee
    assert plan.outputs[1] == ("OP_RETURN", b"all")
    tx = build(plan)
    assert tx.size() <= plan.size and plan.fee >= tx.size()
    with pytest.raises(InsufficientFunds):
        send_max([utxo(1, 100)], OTHER, network=MAINNET)
    with pytest.raises(InsufficientFunds):
        send_max([], OTHER, network=MAINNET)


def test_too_many_inputs_suggests_consolidation() -> None:
    coins = [utxo(i, 1000) for i in range(1, 15_001)]
    with pytest.raises(TooManyInputs, match="Consolidate"):
        select_coins(coins, [(OTHER, 12_000_000)], change_address=ME, network=MAINNET)
    with pytest.raises(TooManyInputs, match="Consolidate"):
        send_max(coins, OTHER, network=MAINNET)


def test_sigops_bound_for_multisig_style_inputs() -> None:
    coins = [Utxo(f"{i:064x}", 0, 100_000, 10, sigops=2, input_size=260) for i in range(1, 2100)]
    with pytest.raises(TooManyInputs):
        select_coins(coins, [(OTHER, 205_000_000)], change_address=ME, network=MAINNET)
    plan = select_coins(coins, [(OTHER, 150_000_000)], change_address=ME, network=MAINNET)
    assert sum(u.sigops for u in plan.inputs) + 2 <= 4000


def test_fee_cap() -> None:
    coins = [utxo(i, 100_000) for i in range(1, 200)]
    with pytest.raises(FeeError, match="cap"):
        select_coins(coins, [(OTHER, 10_000_000)], change_address=ME, network=MAINNET,
                     fee_rate=FeeRate.from_sat_per_byte(100), max_fee=COIN // 100)


def test_rejects_bad_outputs() -> None:
    with pytest.raises(InvalidTransaction):
        select_coins([utxo(1, COIN)], [], change_address=ME, network=MAINNET)
    with pytest.raises(InvalidTransaction, match="dust"):
        select_coins([utxo(1, COIN)], [(OTHER, 10)], change_address=ME, network=MAINNET)


def test_consolidation_planner_batches_small_rewards() -> None:
    rewards = [utxo(i, 1_000_000 + i, coinbase=True, conf=200) for i in range(1, 1202)]
    collateral = utxo(5000, 1000 * COIN)
    plans = plan_consolidation([*rewards, collateral], ME, network=MAINNET,
                               locked={collateral.outpoint})
    assert [len(p.inputs) for p in plans] == [500, 500, 201]
    assert all(p.outputs[0][0] == ME and len(p.outputs) == 1 for p in plans)
    used = [u.outpoint for p in plans for u in p.inputs]
    assert len(set(used)) == len(used) == 1201
    assert collateral.outpoint not in used
    first = build(plans[0])
    assert first.size() <= plans[0].size
    assert plan_consolidation([utxo(1, COIN)], ME, network=MAINNET) == []
    # A batch worth less than its own fee is left out.
    dust = [utxo(i, 60) for i in range(1, 4)]
    assert plan_consolidation(dust, ME, network=MAINNET) == []


def test_amounts_in_messages_are_exact_to_the_satoshi() -> None:
    # 17 significant digits: a float would print 440000000.00000000.
    large = 43_999_999_999_999_999
    coins = [utxo(1, large), utxo(2, COIN)]
    with pytest.raises(InsufficientFunds) as info:
        select_coins(coins, [(OTHER, 5 * COIN)], change_address=ME, network=MAINNET,
                     locked={coins[0].outpoint})
    assert "439999999.99999999 FLUX is locked" in str(info.value)
    assert "1 FLUX does not cover 5.0000" in str(info.value)

"""The simulator refuses what fluxd refuses, with fluxd's codes and texts, and accepts a correct
wallet-built transaction."""

from __future__ import annotations

import json

import pytest

from flux.money import COIN, MAX_MONEY
from flux.networks import REGTEST
from tests.paths import VECTORS_DIR
from tests.sim import testkit as kit
from tests.sim.faucet import Funded
from tests.sim.params import SimParams
from tests.sim.reject import SimReject
from tests.sim.server import SimNetwork
from wallet.keys import PrivateKey
from wallet.script import OP_RETURN, multisig_script, push_data
from wallet.tx import build_signed_transaction

ALICE = kit.key("alice")
BOB = kit.key("bob")
FEE = 1000


def reject(sim: SimNetwork, raw: str, **kwargs: bool) -> SimReject:
    with pytest.raises(SimReject) as info:
        sim.submit(raw, **kwargs)
    return info.value


def funded(sim: SimNetwork, sats: int = COIN, **kwargs: int | bool):  # type: ignore[no-untyped-def]
    return sim.fund(kit.address(ALICE), sats, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def sim() -> SimNetwork:
    return SimNetwork()


def test_accepts_wallet_built_transaction_and_mining_confirms_it(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = build_signed_transaction(
        [(coin.txid, coin.vout, coin.satoshis, ALICE)],
        [(kit.address(BOB), 60_000_000), (kit.address(ALICE), 40_000_000 - FEE)],
        locktime=0, expiry_height=sim.height + 30, network=REGTEST,
    )
    txid = sim.submit(tx.serialize().hex())
    assert txid == tx.txid
    assert sim.chain.txs[txid].height is None and txid in sim.chain.mempool
    assert sim.submit(tx.serialize().hex()) == txid  # already in mempool: fluxd returns txid
    sim.mine(1)
    assert sim.chain.txs[txid].height == sim.height
    assert txid not in sim.chain.mempool
    assert sim.chain.balance([kit.address(BOB)])[0] == 60_000_000
    sim.mine(2)
    assert sim.chain.confirmations(sim.chain.txs[txid].height) == 3
    error = reject(sim, tx.serialize().hex())
    assert (error.code, error.message) == (-27, "transaction already in block chain")


def test_bad_signature(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = kit.unsigned([coin], [(kit.address(BOB), coin.satoshis - FEE)], expiry=sim.height + 30)
    kit.sign_p2pkh(tx, [(BOB, coin.satoshis)])  # BOB signs...
    tx.inputs[0].script_sig = tx.inputs[0].script_sig[:-34] + push_data(ALICE.public_key())
    error = reject(sim, tx.serialize().hex())  # ...under ALICE's key
    assert error.code == -26
    assert error.message == (
        "16: mandatory-script-verify-flag-failed (Script evaluated without error but finished "
        "with a false/empty top stack element)"
    )


def test_wrong_key_for_address_fails_equalverify(sim: SimNetwork) -> None:
    coin = funded(sim)
    error = reject(sim, kit.raw_spend(sim, coin, BOB, [(kit.address(BOB), coin.satoshis - FEE)]))
    assert error.message == (
        "16: mandatory-script-verify-flag-failed (Script failed an OP_EQUALVERIFY operation)"
    )


def test_wrong_amount_in_sighash(sim: SimNetwork) -> None:
    coin = funded(sim)
    for wrong in (coin.satoshis + 1, coin.satoshis - 1):
        raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - FEE)],
                            amount=wrong)
        assert reject(sim, raw).reason.startswith("mandatory-script-verify-flag-failed")
    sim.submit(kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - FEE)]))


def test_wrong_branch_id(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = kit.unsigned([coin], [(kit.address(BOB), coin.satoshis - FEE)], expiry=sim.height + 30)
    kit.sign_p2pkh(tx, [(ALICE, coin.satoshis)], branch_id=0x5BA81B19)  # Overwinter's id
    assert reject(sim, tx.serialize().hex()).reason.startswith(
        "mandatory-script-verify-flag-failed"
    )


def test_spent_input_and_missing_input(sim: SimNetwork) -> None:
    coin = funded(sim)  # the funding tx also pays change back to the faucet
    first = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - FEE)])
    sim.submit(first)
    sim.mine(1)
    again = kit.raw_spend(sim, coin, ALICE, [(kit.address(ALICE), coin.satoshis - 2 * FEE)])
    error = reject(sim, again)
    assert (error.code, error.message) == (-26, "18: bad-txns-inputs-spent")
    unknown = Funded("ab" * 32, 0, kit.address(ALICE), COIN)
    error = reject(sim, kit.raw_spend(sim, unknown, ALICE, [(kit.address(BOB), COIN - FEE)]))
    assert (error.code, error.message) == (-25, "Missing inputs")


def test_double_spend_against_mempool(sim: SimNetwork) -> None:
    coin = funded(sim)
    sim.submit(kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - FEE)]))
    rival = kit.raw_spend(sim, coin, ALICE, [(kit.address(ALICE), coin.satoshis - 5 * FEE)])
    error = reject(sim, rival)
    assert (error.code, error.message) == (-25, "")  # fluxd: no replacement, no reason


def test_spending_unconfirmed_output_is_allowed(sim: SimNetwork) -> None:
    coin = funded(sim)
    parent = kit.unsigned([coin], [(kit.address(ALICE), coin.satoshis - FEE)],
                          expiry=sim.height + 30)
    kit.sign_p2pkh(parent, [(ALICE, coin.satoshis)])
    sim.submit(parent.serialize().hex())
    child_coin = Funded(parent.txid, 0, kit.address(ALICE), coin.satoshis - FEE)
    child = kit.raw_spend(sim, child_coin, ALICE, [(kit.address(BOB), coin.satoshis - 2 * FEE)])
    child_txid = sim.submit(child)
    sim.mine(1)
    assert sim.chain.txs[child_txid].height == sim.height


def test_immature_coinbase(sim: SimNetwork) -> None:
    coin = sim.fund(kit.address(ALICE), 5 * COIN, coinbase=True, confirmations=99)
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), 5 * COIN - FEE)])
    assert reject(sim, raw).message == "16: bad-txns-premature-spend-of-coinbase"
    sim.mine(1)  # 100 confirmations: spendable in the next block
    assert sim.submit(raw)


def test_expiring_soon_and_expired(sim: SimNetwork) -> None:
    coin = funded(sim)
    outputs: list[tuple[str | bytes, int]] = [(kit.address(BOB), coin.satoshis - FEE)]
    for delta in (3, 0, -5):
        error = reject(sim, kit.raw_spend(sim, coin, ALICE, outputs, expiry_delta=delta))
        assert error.code == -26
        assert error.message == (
            f"tx-expiring-soon: expiryheight is {sim.height + delta} but should be at least "
            f"{sim.height + 4} to avoid transaction expiring soon"
        )
    assert sim.submit(kit.raw_spend(sim, coin, ALICE, outputs, expiry_delta=4))


def test_unmined_transaction_expires_and_frees_its_inputs(sim: SimNetwork) -> None:
    coin = funded(sim)
    outputs: list[tuple[str | bytes, int]] = [(kit.address(BOB), coin.satoshis - FEE)]
    txid = sim.submit(kit.raw_spend(sim, coin, ALICE, outputs, expiry_delta=4))
    expiry = sim.chain.txs[txid].tx.expiry_height
    sim.mine(4, include_mempool=False)
    assert sim.height == expiry and txid in sim.chain.mempool
    sim.mine(1, include_mempool=False)
    assert txid not in sim.chain.mempool and txid not in sim.chain.txs
    assert sim.submit(kit.raw_spend(sim, coin, ALICE, outputs))


def test_never_expiring_transaction(sim: SimNetwork) -> None:
    coin = funded(sim)
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - FEE)],
                        expiry_delta=-sim.height)  # expiry height 0
    txid = sim.submit(raw)
    sim.mine(30, include_mempool=False)
    assert txid in sim.chain.mempool


def test_dust_output(sim: SimNetwork) -> None:
    coin = funded(sim)
    change = coin.satoshis - FEE
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), 53), (kit.address(ALICE), change - 53)])
    assert reject(sim, raw).message == "64: dust"
    ok = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), 54), (kit.address(ALICE), change - 54)])
    assert sim.submit(ok)


def test_op_return_rules(sim: SimNetwork) -> None:
    coin = funded(sim)
    value = coin.satoshis - FEE
    data = bytes((OP_RETURN,)) + push_data(b"x" * 80)
    two = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), value), (data, 0), (data, 0)])
    assert reject(sim, two).message == "64: multi-op-return"
    big = bytes((OP_RETURN,)) + push_data(b"x" * 81)
    too_big = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), value), (big, 0)])
    assert reject(sim, too_big).message == "64: scriptpubkey"
    assert sim.submit(kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), value), (data, 0)]))


def test_fee_floor_and_absurd_fee(sim: SimNetwork) -> None:
    coin = funded(sim)
    zero = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis)])
    assert reject(sim, zero).message == "66: insufficient fee"
    size = len(zero) // 2
    floor = size * 100 // 1000  # 0.1 sat/B
    low = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis - floor + 1)])
    assert reject(sim, low).message == "66: insufficient fee"
    huge = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis // 2)])
    error = reject(sim, huge)
    assert error.code == -25 and "absurdly high fees" in error.message
    assert sim.submit(huge, allow_high_fees=True)


def test_fee_floor_can_be_relaxed_like_sendrawtransaction() -> None:
    sim = SimNetwork(SimParams(enforce_min_relay_fee=False))
    coin = sim.fund(kit.address(ALICE), COIN)
    assert sim.submit(kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis)]))


def test_outputs_above_inputs(sim: SimNetwork) -> None:
    coin = funded(sim)
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), coin.satoshis + 1)])
    assert reject(sim, raw).message == "16: bad-txns-in-belowout"


def test_format_rules(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = kit.unsigned([coin], [(kit.address(BOB), coin.satoshis - FEE)], expiry=sim.height + 30)
    kit.sign_p2pkh(tx, [(ALICE, coin.satoshis)])
    raw = tx.serialize()
    other_group = raw[:4] + (0x12345678).to_bytes(4, "little") + raw[8:]
    assert (reject(sim, other_group.hex()).code, reject(sim, other_group.hex()).message) == (
        -22, "TX decode failed")
    overwinter = bytes.fromhex("03000080") + (0x03C48270).to_bytes(4, "little") + raw[8:-11] + b"\x00"
    assert reject(sim, overwinter.hex()).message == "16: bad-sapling-tx-version-group-id"
    sprout = (1).to_bytes(4, "little") + raw[8:-15]  # v1: vin, vout, locktime
    assert reject(sim, sprout.hex()).message == "16: tx-sapling-active"
    assert reject(sim, "zz").code == -22
    assert reject(sim, raw.hex() + "00").message == "TX decode failed"


def test_signature_encoding_rules(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = kit.unsigned([coin], [(kit.address(BOB), coin.satoshis - FEE)], expiry=sim.height + 30)
    kit.sign_p2pkh(tx, [(ALICE, coin.satoshis)])
    script_sig = tx.inputs[0].script_sig
    sig = script_sig[1 : 1 + script_sig[0]]
    der, hashtype = sig[:-1], sig[-1:]
    r_len = der[3]
    r = der[4 : 4 + r_len]
    s = int.from_bytes(der[6 + r_len :], "big")
    order = int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)
    high = (order - s).to_bytes(33, "big")
    body = b"\x02" + bytes((len(r),)) + r + b"\x02\x21" + high
    high_sig = b"\x30" + bytes((len(body),)) + body + hashtype
    tx.inputs[0].script_sig = push_data(high_sig) + push_data(ALICE.public_key())
    assert reject(sim, tx.serialize().hex()).message == (
        "64: non-mandatory-script-verify-flag (Non-canonical signature: S value is "
        "unnecessarily high)"
    )
    padded = b"\x30" + bytes((len(der) - 1,)) + der[2:] + b"\x00" + hashtype
    tx.inputs[0].script_sig = push_data(padded) + push_data(ALICE.public_key())
    assert reject(sim, tx.serialize().hex()).message == (
        "16: mandatory-script-verify-flag-failed (Non-canonical DER signature)"
    )


def test_p2sh_multisig(sim: SimNetwork) -> None:
    ms = kit.multisig(2, ["m1", "m2", "m3"])
    coin = sim.fund(ms.address, 3 * COIN)
    outputs: list[tuple[str | bytes, int]] = [(kit.address(BOB), 3 * COIN - FEE)]

    def spend(signers: list[PrivateKey], incomplete: bool = False) -> str:
        tx = kit.unsigned([coin], outputs, expiry=sim.height + 30)
        kit.sign_multisig(tx, 0, ms, signers, coin.satoshis, allow_incomplete=incomplete)
        return tx.serialize().hex()

    assert reject(sim, spend([ms.keys[0]], incomplete=True)).code == -25  # too few items
    wrong = kit.multisig(2, ["m1", "m2", "x9"])
    tx = kit.unsigned([coin], outputs, expiry=sim.height + 30)
    kit.sign_multisig(tx, 0, wrong, wrong.keys[:2], coin.satoshis)
    assert reject(sim, tx.serialize().hex()).message.startswith(
        "16: mandatory-script-verify-flag-failed"
    )
    assert sim.submit(spend([ms.keys[2], ms.keys[0]]))


def test_fluxnode_start_is_refused_with_a_reason(sim: SimNetwork) -> None:
    vectors = json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())
    start = next(v for v in vectors["official_vectors"] if v["name"].startswith("startFluxNode v5"))
    error = reject(sim, start["expected_hex"])
    assert error.code == -26 and "sim-fluxnode-tx-unsupported" in error.message


def test_value_ranges_duplicates_and_size(sim: SimNetwork) -> None:
    coin = funded(sim)
    for value, reason in ((-1, "bad-txns-vout-negative"),
                          (MAX_MONEY + 1, "bad-txns-vout-toolarge")):
        raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), value)])
        assert reject(sim, raw).message == f"16: {reason}"
    tx = kit.unsigned([coin, coin], [(kit.address(BOB), COIN)], expiry=sim.height + 30)
    assert reject(sim, tx.serialize().hex()).message == "16: bad-txns-inputs-duplicate"
    tx = kit.unsigned([coin], [(kit.address(BOB), COIN - FEE)], expiry=sim.height + 30)
    tx.inputs[0].script_sig = push_data(b"x" * 200) * 10_000
    assert reject(sim, tx.serialize().hex()).message == "16: bad-txns-oversize"


def test_standardness_rules(sim: SimNetwork) -> None:
    coin = funded(sim)
    tx = kit.unsigned([coin], [(kit.address(BOB), COIN - FEE)], expiry=sim.height + 30)
    kit.sign_p2pkh(tx, [(ALICE, coin.satoshis)])
    signed = tx.inputs[0].script_sig
    tx.inputs[0].script_sig = signed + b"\x76"  # OP_DUP
    assert reject(sim, tx.serialize().hex()).message == "64: scriptsig-not-pushonly"
    tx.inputs[0].script_sig = signed
    odd = bytes.fromhex("51")  # OP_TRUE: not a standard output template
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), COIN - FEE), (odd, 1000)])
    assert reject(sim, raw).message == "64: scriptpubkey"
    bare = multisig_script(1, [BOB.public_key()])
    many = [(bare, 1000)] * 201  # 201 x 20 legacy sigops > 4000
    raw = kit.raw_spend(sim, coin, ALICE, [(kit.address(BOB), COIN // 2), *many])
    assert reject(sim, raw).message == "64: bad-txns-too-many-sigops"
    late = kit.unsigned([coin], [(kit.address(BOB), COIN - FEE)], expiry=sim.height + 30,
                        lock_time=sim.height + 10)
    late.inputs[0].sequence = 0
    kit.sign_p2pkh(late, [(ALICE, coin.satoshis)])
    assert reject(sim, late.serialize().hex()).message == "64: non-final"
    late.inputs[0].sequence = 0xFFFFFFFF
    kit.sign_p2pkh(late, [(ALICE, coin.satoshis)])
    assert sim.submit(late.serialize().hex())


def test_op_return_output_cannot_be_spent(sim: SimNetwork) -> None:
    coin = funded(sim)
    data = bytes((OP_RETURN,)) + push_data(b"memo")
    parent = kit.unsigned([coin], [(data, 0), (kit.address(ALICE), COIN - FEE)],
                          expiry=sim.height + 30)
    kit.sign_p2pkh(parent, [(ALICE, coin.satoshis)])
    sim.submit(parent.serialize().hex())
    memo = Funded(parent.txid, 0, kit.address(ALICE), 0)
    raw = kit.raw_spend(sim, memo, ALICE, [(kit.address(BOB), 1000)])
    assert reject(sim, raw).message == "18: bad-txns-inputs-spent"

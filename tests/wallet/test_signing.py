"""P2PKH building/signing and P2SH multisig partial signing against the Flux vectors."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import coincurve
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux.networks import MAINNET, TESTNET
from tests.paths import VECTORS_DIR
from wallet.address import p2pkh_address
from wallet.encoding import hash160
from wallet.errors import (
    DecodeError,
    FeeError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidTransaction,
    SigningError,
    WalletError,
)
from wallet.keys import PrivateKey
from wallet.script import p2pkh_script, parse_script
from wallet.signing import (
    finalize_p2sh_multisig_input,
    multisig_signature_count,
    p2pkh_input_size,
    p2sh_multisig_input_size,
    sign_p2sh_multisig_input,
    v4_transparent_size,
)
from wallet.tx import SighashContext, Transaction, build_signed_transaction, signature_hash

SIGNING = json.loads((VECTORS_DIR / "flux-tx-signing.json").read_text())
SSP_IN = SIGNING["ssp_fixture_inputs_PUBLISHED"]
SSP_OUT = SIGNING["ssp_fixture_outputs_DERIVED"]
KEY1 = PrivateKey.from_wif(SSP_IN["key1_wif"])
KEY2 = PrivateKey.from_wif(SSP_IN["key2_wif"])
UTXO = SSP_IN["utxo"]
TXID = "9649b8ddc0e69237606bea21b886696bb90d7fa2afca1f318490054e69c5af2f"


def test_p2pkh_vector_byte_for_byte() -> None:
    vec = SSP_OUT["p2pkh_single_sig"]
    assert p2pkh_address(KEY1.public_key(), MAINNET) == vec["from_address"]
    tx = build_signed_transaction(
        [(TXID, 0, 100_000_000, KEY1)],
        [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 99_990_000)],
        locktime=0, expiry_height=1_500_030, network=MAINNET,
    )
    assert tx.serialize().hex() == vec["signed"]
    assert tx.txid == vec["txid"]
    assert tx.size() == vec["size_bytes"] == v4_transparent_size([p2pkh_input_size()], [bytes(25)])


def _multisig_from_vector(published: dict[str, Any]) -> tuple[Transaction, bytes, list[PrivateKey], int]:
    final = Transaction.parse(bytes.fromhex(published["txHex"]))
    for txin in final.inputs:
        txin.script_sig = b""
    inp = published["inputs"][0]
    keys = [PrivateKey.from_wif(s["keyPair"]) for s in inp["signs"]]
    return final, bytes.fromhex(inp["redeemScriptHex"]), keys, inp["signs"][0]["value"]


def test_utxo_lib_2of3_multisig_partial_then_final() -> None:
    published = SIGNING["published"][0]
    tx, redeem, keys, value = _multisig_from_vector(published)
    ctx = SighashContext(tx)
    for key, sign in zip(keys, published["inputs"][0]["signs"], strict=True):
        sign_p2sh_multisig_input(ctx, 0, key, redeem, value)
        ops = parse_script(tx.inputs[0].script_sig)
        words = ["OP_0" if not op.data else op.data.hex() for op in ops]
        assert " ".join(words) == sign["scriptSig"]
    assert multisig_signature_count(tx.inputs[0].script_sig, redeem) == 2
    finalize_p2sh_multisig_input(tx, 0, redeem)
    assert tx.serialize().hex() == published["txHex"]


def test_ssp_2of2_sign_in_two_steps() -> None:
    redeem = bytes.fromhex(SSP_OUT["redeemScript"])
    amount = int(UTXO["satoshis"])
    tx = Transaction.parse(bytes.fromhex(SSP_OUT["unsigned_no_message"]))
    sign_p2sh_multisig_input(SighashContext(tx), 0, KEY1, redeem, amount)
    assert tx.serialize().hex() == SSP_OUT["partially_signed_by_key1"]
    with pytest.raises(SigningError, match="1 of the 2"):
        finalize_p2sh_multisig_input(tx, 0, redeem)
    # The co-signer receives the partial hex, signs and finalises.
    cosigned = Transaction.parse(tx.serialize())
    sign_p2sh_multisig_input(SighashContext(cosigned), 0, KEY2, redeem, amount)
    finalize_p2sh_multisig_input(cosigned, 0, redeem)
    assert cosigned.serialize().hex() == SSP_OUT["fully_signed"]
    assert cosigned.txid == SSP_OUT["fully_signed_txid"]
    outs = [o.script_pubkey for o in cosigned.outputs]
    assert cosigned.size() <= v4_transparent_size([p2sh_multisig_input_size(redeem)], outs)


def test_ssp_expiry_variant() -> None:
    redeem = bytes.fromhex(SSP_OUT["redeemScript"])
    variant = SSP_OUT["with_expiry_1500030"]
    tx = Transaction.parse(bytes.fromhex(variant["unsigned"]))
    ctx = SighashContext(tx)
    for key in (KEY2, KEY1):  # order of signing does not matter
        sign_p2sh_multisig_input(ctx, 0, key, redeem, int(UTXO["satoshis"]))
    finalize_p2sh_multisig_input(tx, 0, redeem)
    assert tx.serialize().hex() == variant["fully_signed"]


def test_ssp_published_finalise_drops_placeholders() -> None:
    published = SIGNING["published"][1]
    tx = Transaction.parse(bytes.fromhex(published["rawTx"]))
    assert tx.size() == published["expected_getSizeOfRawTransaction"]
    redeem = parse_script(tx.inputs[0].script_sig)[-1].data
    assert redeem is not None
    finalize_p2sh_multisig_input(tx, 0, redeem, allow_incomplete=True)
    assert tx.serialize().hex() == published["expected_finaliseTransaction"]


def test_multisig_rejects_foreign_key() -> None:
    redeem = bytes.fromhex(SSP_OUT["redeemScript"])
    tx = Transaction.parse(bytes.fromhex(SSP_OUT["unsigned_no_message"]))
    with pytest.raises(SigningError, match="not one of"):
        sign_p2sh_multisig_input(SighashContext(tx), 0, PrivateKey(b"\x07" * 32), redeem, 1)
    with pytest.raises(SigningError):
        sign_p2sh_multisig_input(SighashContext(tx), 0, KEY1, b"\x51", 1)


def test_ssp_size_rule() -> None:
    redeem = bytes.fromhex(SSP_OUT["redeemScript"])
    one_sig = Transaction.parse(bytes.fromhex(SSP_OUT["partially_signed_by_key1"]))
    assert one_sig.size() + 72 == SSP_OUT["partially_signed_size_plus_72"]
    # Our upper bound for the finalised input is never below the real one.
    estimated = v4_transparent_size([p2sh_multisig_input_size(redeem)],
                                    [o.script_pubkey for o in one_sig.outputs])
    assert estimated >= SSP_OUT["fully_signed_size_bytes"]
    assert estimated - SSP_OUT["fully_signed_size_bytes"] <= 2


def test_op_return_minimal_push_and_limits() -> None:
    to = p2pkh_address(KEY2.public_key(), MAINNET)
    base: dict[str, Any] = {"locktime": 0, "expiry_height": 100, "network": MAINNET}
    tx = build_signed_transaction([(TXID, 0, 10_000, KEY1)],
                                  [(to, 5000), ("OP_RETURN", b"hi")], **base)
    assert tx.outputs[1].script_pubkey == bytes.fromhex("6a026869")
    assert tx.outputs[1].value == 0
    one = build_signed_transaction([(TXID, 0, 10_000, KEY1)], [("OP_RETURN", b"\x05")], **base)
    assert one.outputs[0].script_pubkey == bytes.fromhex("6a55")
    long = build_signed_transaction([(TXID, 0, 10_000, KEY1)], [("OP_RETURN", bytes(80))], **base)
    assert long.outputs[0].script_pubkey[:3] == bytes.fromhex("6a4c50")
    with pytest.raises(InvalidTransaction, match="at most 80"):
        build_signed_transaction([(TXID, 0, 10_000, KEY1)], [("OP_RETURN", bytes(81))], **base)
    with pytest.raises(InvalidTransaction, match="one OP_RETURN"):
        build_signed_transaction([(TXID, 0, 10_000, KEY1)],
                                 [("OP_RETURN", b"a"), ("OP_RETURN", b"b")], **base)


@pytest.mark.parametrize(
    ("inputs", "outputs", "error"),
    [
        ([], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)], InvalidTransaction),
        ([(TXID, 0, 10_000, KEY1)], [], InvalidTransaction),
        ([(TXID, 0, 10_000, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 20_000)],
         InsufficientFunds),
        ([(TXID, 0, 2_000_000_000, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)],
         FeeError),
        ([(TXID, 0, 10_000, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 53)],
         InvalidTransaction),
        ([(TXID, 0, 10_000, KEY1)], [("tmKBPqa8qqKA7vrGq1AaXHSAr9vqa3GczzK", 1000)],
         InvalidAddress),
        ([(TXID, 0, 10_000, KEY1), (TXID, 0, 10_000, KEY1)],
         [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)], InvalidTransaction),
        ([(TXID, 0, -1, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)], InvalidAmount),
        ([("zz", 0, 10_000, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)], DecodeError),
        ([(TXID, 0, 10_000, "not a key")], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)],
         SigningError),
    ],
)
def test_builder_rejections(
    inputs: list[Any], outputs: list[Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        build_signed_transaction(inputs, outputs, locktime=0, expiry_height=0, network=MAINNET)


def test_builder_rejects_bad_heights() -> None:
    args = ([(TXID, 0, 10_000, KEY1)], [("t1UMukPYoA7hUn9GftBmHYF78Nwx6KErRBC", 1000)])
    with pytest.raises(InvalidTransaction):
        build_signed_transaction(*args, locktime=-1, expiry_height=0, network=MAINNET)
    with pytest.raises(InvalidTransaction):
        build_signed_transaction(*args, locktime=0, expiry_height=500_000_000, network=MAINNET)


secrets = st.integers(min_value=1, max_value=2**256 - 2**129).map(lambda n: n.to_bytes(32, "big"))


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(st.tuples(secrets, st.booleans()), min_size=1, max_size=5),
    values=st.lists(st.integers(min_value=20_000, max_value=10**12), min_size=5, max_size=5),
    locktime=st.integers(0, 2**32 - 1),
    expiry=st.integers(0, 499_999_999),
    memo=st.none() | st.binary(max_size=80),
)
def test_every_signature_verifies(
    keys: list[tuple[bytes, bool]], values: list[int], locktime: int, expiry: int,
    memo: bytes | None,
) -> None:
    privs = [PrivateKey(s, compressed=c) for s, c in keys]
    inputs = [(bytes([i]).hex() * 32, i, values[i], k) for i, k in enumerate(privs)]
    total = sum(values[: len(privs)])
    outputs: list[Any] = [(p2pkh_address(privs[0].public_key(), TESTNET), total - 10_000)]
    if memo is not None:
        outputs.append(("OP_RETURN", memo))
    tx = build_signed_transaction(inputs, outputs, locktime=locktime, expiry_height=expiry,
                                  network=TESTNET)
    assert Transaction.parse(tx.serialize()) == tx
    for i, key in enumerate(privs):
        ops = parse_script(tx.inputs[i].script_sig)
        sig, pubkey = ops[0].data, ops[1].data
        assert sig is not None and pubkey == key.public_key()
        assert sig[-1] == 1
        code = p2pkh_script(hash160(pubkey))
        digest = signature_hash(tx, i, code, values[i])
        assert coincurve.PublicKey(pubkey).verify(sig[:-1], digest, hasher=None)
        assert tx.inputs[i].sequence == 0xFFFFFFFF
        assert len(tx.inputs[i].script_sig) + 41 <= p2pkh_input_size(key.compressed)


def test_errors_are_wallet_errors() -> None:
    with pytest.raises(WalletError):
        build_signed_transaction("garbage", [], locktime=0, expiry_height=0, network=MAINNET)


@settings(max_examples=300, deadline=None)
@given(script_sig=st.binary(max_size=300), allow=st.booleans())
def test_garbage_script_sigs_give_signing_errors(script_sig: bytes, allow: bool) -> None:
    redeem = bytes.fromhex(SSP_OUT["redeemScript"])
    tx = Transaction.parse(bytes.fromhex(SSP_OUT["unsigned_no_message"]))
    tx.inputs[0].script_sig = script_sig
    for action in (
        lambda: sign_p2sh_multisig_input(SighashContext(tx), 0, KEY1, redeem, 1),
        lambda: finalize_p2sh_multisig_input(tx, 0, redeem, allow_incomplete=allow),
        lambda: multisig_signature_count(script_sig, redeem),
    ):
        with contextlib.suppress(SigningError):
            action()

"""Agreement with @runonflux/utxo-lib (the library SSP wallet uses) on random cases.

Test-time oracle only: needs node and the packages of tests/wallet/oracle
(``npm ci --prefix tests/wallet/oracle``, shared with the key/address oracle); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flux.networks import MAINNET
from wallet.address import p2pkh_address, p2sh_address
from wallet.keys import PrivateKey
from wallet.script import multisig_script
from wallet.signing import finalize_p2sh_multisig_input, sign_p2sh_multisig_input
from wallet.tx import (
    SighashContext,
    Transaction,
    TxIn,
    TxOut,
    build_signed_transaction,
    build_unsigned,
    signature_hash,
)
from wallet.txmodel import OutPoint

JS_DIR = Path(__file__).resolve().parent / "js"
MODULES = Path(__file__).resolve().parent / "oracle" / "node_modules"
LIB = MODULES / "@runonflux" / "utxo-lib"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not LIB.is_dir(),
    reason="utxo-lib oracle not installed (npm ci --prefix tests/wallet/oracle)",
)


def _oracle(cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(JS_DIR / "utxolib_oracle.js")], input=json.dumps(cases), capture_output=True,
        text=True, check=True, timeout=120, env={**os.environ, "NODE_PATH": str(MODULES)},
    )
    answers: list[dict[str, str]] = json.loads(done.stdout)
    return answers


def _key(rng: random.Random, compressed: bool = True) -> PrivateKey:
    return PrivateKey(rng.randbytes(31).rjust(32, b"\x01"), compressed=compressed)


def _outputs(rng: random.Random) -> list[tuple[str, Any]]:
    outs: list[tuple[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            addr = p2pkh_address(_key(rng).public_key(), MAINNET)
        else:
            redeem = multisig_script(1, [_key(rng).public_key()])
            addr = p2sh_address(redeem, MAINNET)
        outs.append((addr, rng.randint(546, 10**9)))
    if rng.random() < 0.5:
        size = rng.choice([0, 1, 1, 2, 20, 75, 76, 80])
        data = bytes([rng.choice([0, 1, 5, 16, 17, 0x81, 0xFF])]) if size == 1 else rng.randbytes(size)
        outs.insert(rng.randint(0, len(outs)), ("OP_RETURN", data))
    return outs


def _js_outputs(outs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"data": v.hex()} if a == "OP_RETURN" else {"address": a, "value": v} for a, v in outs
    ]


def test_p2pkh_signing_matches_utxo_lib() -> None:
    rng = random.Random(20240601)
    cases, ours = [], []
    for _ in range(40):
        keys = [_key(rng, rng.random() < 0.8) for _ in range(rng.randint(1, 5))]
        inputs = [(rng.randbytes(32).hex(), rng.randint(0, 5), rng.randint(1000, 10**5), k)
                  for k in keys]
        outs = _outputs(rng)
        fund = sum(v for a, v in outs if a != "OP_RETURN")
        inputs[0] = (*inputs[0][:2], fund + rng.randint(0, 10**6), inputs[0][3])
        locktime, expiry = rng.randint(0, 2**32 - 1), rng.randint(0, 499_999_999)
        tx = build_signed_transaction(inputs, outs, locktime=locktime, expiry_height=expiry,
                                      network=MAINNET)
        ours.append(tx.serialize().hex())
        cases.append({
            "kind": "p2pkh", "locktime": locktime, "expiry": expiry, "outputs": _js_outputs(outs),
            "inputs": [{"txid": t, "vout": v, "value": s, "wif": k.to_wif(MAINNET)}
                       for t, v, s, k in inputs],
        })
    answers = _oracle(cases)
    for mine, theirs in zip(ours, answers, strict=True):
        assert theirs == {"ok": mine}


def test_multisig_partial_and_final_match_utxo_lib() -> None:
    rng = random.Random(7)
    cases, ours = [], []
    for _ in range(20):
        n = rng.randint(2, 3)
        m = rng.randint(1, n)
        keys = [_key(rng) for _ in range(n)]
        redeem = multisig_script(m, [k.public_key() for k in keys], sort=rng.random() < 0.5)
        signers = rng.sample(keys, rng.randint(1, m))
        complete = len(signers) == m
        raw_inputs = [(rng.randbytes(32).hex(), rng.randint(0, 3), rng.randint(10**6, 10**9))
                      for _ in range(rng.randint(1, 3))]
        outs = [(p2pkh_address(keys[0].public_key(), MAINNET), 600_000)]
        tx, _ = build_unsigned([(*i, keys[0]) for i in raw_inputs], outs, locktime=0,
                               expiry_height=123_456, network=MAINNET)
        ctx = SighashContext(tx)
        for index, (_, _, value) in enumerate(raw_inputs):
            for key in signers:
                sign_p2sh_multisig_input(ctx, index, key, redeem, value)
            if complete:
                finalize_p2sh_multisig_input(tx, index, redeem)
        ours.append(tx.serialize().hex())
        cases.append({
            "kind": "multisig", "locktime": 0, "expiry": 123_456, "outputs": _js_outputs(outs),
            "redeem": redeem.hex(), "signers": [k.to_wif(MAINNET) for k in signers],
            "complete": complete,
            "inputs": [{"txid": t, "vout": v, "value": s} for t, v, s in raw_inputs],
        })
    answers = _oracle(cases)
    for mine, theirs in zip(ours, answers, strict=True):
        assert theirs == {"ok": mine}


def test_sighash_all_hash_types_match_utxo_lib() -> None:
    rng = random.Random(99)
    cases, ours = [], []
    for _ in range(60):
        tx = Transaction(
            inputs=[TxIn(OutPoint(rng.randbytes(32), rng.randint(0, 9)), rng.randbytes(rng.randint(0, 30)),
                         rng.choice([0xFFFFFFFF, 0, rng.randint(0, 2**32 - 1)]))
                    for _ in range(rng.randint(1, 4))],
            outputs=[TxOut(rng.randint(0, 10**12), rng.randbytes(rng.randint(0, 40)))
                     for _ in range(rng.randint(0, 4))],
            lock_time=rng.randint(0, 2**32 - 1), expiry_height=rng.randint(0, 499_999_999),
        )
        index = rng.randrange(len(tx.inputs))
        script = rng.randbytes(rng.randint(0, 60))
        amount = rng.randint(0, 10**12)
        hash_type = rng.choice([1, 2, 3, 0x81, 0x82, 0x83])
        ours.append(signature_hash(tx, index, script, amount, hash_type).hex())
        cases.append({"kind": "sighash", "tx": tx.serialize().hex(), "index": index,
                      "script": script.hex(), "amount": amount, "hashType": hash_type})
    answers = _oracle(cases)
    for mine, theirs in zip(ours, answers, strict=True):
        assert theirs == {"ok": mine}

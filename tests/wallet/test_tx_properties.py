"""Property tests: parse(serialize(tx)) == tx for every format; hostile bytes raise typed errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.paths import VECTORS_DIR
from wallet.errors import WalletError
from wallet.tx import Transaction
from wallet.txmodel import (
    OVERWINTER_VERSION_GROUP_ID,
    SAPLING_VERSION_GROUP_ID,
    DelegateData,
    FluxnodeConfirm,
    FluxnodeStart,
    JoinSplit,
    OutPoint,
    OutputDescription,
    SpendDescription,
    TxIn,
    TxOut,
)

u32 = st.integers(0, 2**32 - 1)
i64 = st.integers(-(2**63), 2**63 - 1)
i8 = st.integers(-128, 127)
h32 = st.binary(min_size=32, max_size=32)
script = st.binary(max_size=300)
compressed = st.tuples(st.sampled_from([2, 3]), st.binary(min_size=32, max_size=32)).map(
    lambda t: bytes([t[0]]) + t[1]
)
uncompressed = st.binary(min_size=64, max_size=64).map(lambda b: b"\x04" + b)
pubkey = compressed | uncompressed
outpoint = st.builds(OutPoint, h32, u32)
txin = st.builds(TxIn, outpoint, script, u32)
txout = st.builds(TxOut, i64, script)


def fixed(n: int) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=n, max_size=n)


spend = st.builds(SpendDescription, h32, h32, h32, h32, fixed(192), fixed(64))
shielded_output = st.builds(OutputDescription, h32, h32, h32, fixed(580), fixed(80), fixed(192))


def joinsplit(proof_size: int) -> st.SearchStrategy[JoinSplit]:
    pair = st.tuples(h32, h32)
    return st.builds(JoinSplit, i64, i64, h32, pair, pair, h32, h32, pair, fixed(proof_size),
                     st.tuples(fixed(601), fixed(601)))


@st.composite
def transparent_and_shielded(draw: st.DrawFn) -> Transaction:
    kind = draw(st.sampled_from(["v1", "v2", "v3", "v4"]))
    tx = Transaction(
        inputs=draw(st.lists(txin, max_size=4)),
        outputs=draw(st.lists(txout, max_size=4)),
        lock_time=draw(u32),
    )
    if kind in ("v1", "v2"):
        tx.version, tx.overwintered, tx.version_group_id = (1 if kind == "v1" else 2), False, 0
    elif kind == "v3":
        tx.version, tx.version_group_id = 3, OVERWINTER_VERSION_GROUP_ID
    else:
        tx.version, tx.version_group_id = 4, SAPLING_VERSION_GROUP_ID
    if kind in ("v3", "v4"):
        tx.expiry_height = draw(u32)
    if kind == "v4":
        tx.value_balance = draw(i64)
        tx.shielded_spends = draw(st.lists(spend, max_size=2))
        tx.shielded_outputs = draw(st.lists(shielded_output, max_size=2))
        if tx.shielded_spends or tx.shielded_outputs:
            tx.binding_sig = draw(fixed(64))
    if kind != "v1":
        tx.joinsplits = draw(st.lists(joinsplit(192 if kind == "v4" else 296), max_size=2))
        if tx.joinsplits:
            tx.joinsplit_pubkey = draw(h32)
            tx.joinsplit_sig = draw(fixed(64))
    return tx


@st.composite
def fluxnode_tx(draw: st.DrawFn) -> Transaction:
    version = draw(st.sampled_from([5, 6]))
    if draw(st.booleans()):
        payload: FluxnodeStart | FluxnodeConfirm = FluxnodeConfirm(
            draw(outpoint), draw(u32), draw(i8), draw(u32), draw(i8), draw(st.binary(max_size=60)),
            draw(st.binary(max_size=70)), draw(st.binary(max_size=70)),
        )
    elif version == 5:
        payload = FluxnodeStart(draw(outpoint), draw(pubkey), draw(u32), draw(st.binary(max_size=70)),
                                collateral_pubkey=draw(pubkey))
    else:
        p2sh = draw(st.booleans())
        fv = (2 if p2sh else 1) | draw(st.sampled_from([0, 0x100]))
        using = delegates = None
        if fv & 0x100:
            using = draw(st.booleans())
            if using:
                dkind = draw(st.sampled_from([0, 1, 2]))
                keys = tuple(draw(st.lists(compressed, max_size=4))) if dkind == 1 else ()
                delegates = DelegateData(kind=dkind, keys=keys)
        payload = FluxnodeStart(
            draw(outpoint), draw(pubkey), draw(u32), draw(st.binary(max_size=70)),
            collateral_pubkey=b"" if p2sh else draw(pubkey),
            redeem_script=draw(script) if p2sh else b"",
            flux_tx_version=fv, using_delegates=using, delegates=delegates,
        )
    return Transaction(version=version, overwintered=False, version_group_id=0, fluxnode=payload)


any_tx = transparent_and_shielded() | fluxnode_tx()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_tx)
def test_round_trip(tx: Transaction) -> None:
    raw = tx.serialize()
    again = Transaction.parse(raw)
    assert again == tx
    assert again.serialize() == raw
    assert again.txid == tx.txid


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_tx, st.data())
def test_truncated_or_extended_bytes_raise_typed_errors(tx: Transaction, data: st.DataObject) -> None:
    raw = tx.serialize()
    cut = data.draw(st.integers(0, len(raw) - 1))
    for bad in (raw[:cut], raw + data.draw(st.binary(min_size=1, max_size=8))):
        try:
            Transaction.parse(bad)
        except WalletError:
            continue
        raise AssertionError("a truncated or extended transaction parsed")


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_wallet_errors(raw: bytes) -> None:
    try:
        tx = Transaction.parse(raw)
    except WalletError:
        return
    assert tx.serialize() == raw


_VECTORS = [
    bytes.fromhex(r["tx"]) for r in json.loads((VECTORS_DIR / "zip243.json").read_text())["vectors"]
] + [
    bytes.fromhex(v["expected_hex"])
    for v in json.loads((VECTORS_DIR / "fluxnode-start.json").read_text())["derived_vectors"]
]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_VECTORS), st.data())
def test_mutated_real_transactions(raw: bytes, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255))
    mutated = raw[:pos] + bytes([value]) + raw[pos + 1 :]
    try:
        tx = Transaction.parse(mutated)
    except WalletError:
        return
    assert tx.serialize() == mutated


def test_huge_counts_are_refused_without_allocating() -> None:
    # v1 header, then a vin count of 2**25 with nothing behind it.
    raw = bytes.fromhex("01000000") + b"\xfe" + (2**25).to_bytes(4, "little")
    try:
        Transaction.parse(raw)
    except WalletError as exc:
        assert "count" in str(exc)
    else:
        raise AssertionError("parsed")


def test_non_bytes_input_is_refused() -> None:
    for junk in ("0400", None, 5):
        try:
            Transaction.parse(junk)  # type: ignore[arg-type]
        except WalletError:
            continue
        raise AssertionError(f"{junk!r} parsed")

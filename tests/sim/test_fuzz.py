"""Arbitrary bytes or mutated transactions never crash validation: SimReject or acceptance."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flux.money import COIN
from tests.sim import testkit as kit
from tests.sim.reject import SimReject
from tests.sim.server import SimNetwork

ALICE = kit.key("alice")
SIM = SimNetwork()
COIN_ = SIM.fund(kit.address(ALICE), COIN)
VALID = bytes.fromhex(kit.raw_spend(SIM, COIN_, ALICE, [(kit.address(ALICE), COIN - 1000)]))
KNOWN_CODES = {-22, -25, -26, -27}


def _submit(raw: bytes) -> None:
    try:
        txid = SIM.chain.submit(raw.hex())
    except SimReject as exc:
        assert exc.code in KNOWN_CODES
        assert isinstance(exc.message, str)
    else:
        SIM.chain._remove_from_mempool(txid, recursive=True)  # keep the shared chain clean


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(raw: bytes) -> None:
    _submit(raw)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=4))
def test_mutated_valid_transaction(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(VALID)
    for position, value in edits:
        raw[position] = value
    _submit(bytes(raw))

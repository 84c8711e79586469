"""Amounts in fee and send messages use the one formatter with the network's unit: on regtest
"REG", never raw satoshis nor a hard-coded "FLUX"."""

from __future__ import annotations

import re

import pytest

from flux.money import COIN, MAX_MONEY
from flux.networks import REGTEST, TESTNET
from tests.wallet.memchain import MemoryChain
from wallet.amounts import format_amount, parse_amount
from wallet.errors import FeeError, InsufficientFunds, InvalidAmount, InvalidTransaction
from wallet.fees import DEFAULT_MAX_FEE, check_fee
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.send import Review, SendRequest, build_review, sign_review
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import SyncState, WalletSync

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
UNIT = REGTEST.currency_unit
RAW_SATOSHIS = re.compile(r"\d\s*sat\b(?!/)|satoshi", re.IGNORECASE)


def said_in_reg(message: str) -> str:
    assert UNIT == "REG" and f" {UNIT}" in message
    assert "FLUX" not in message and not RAW_SATOSHIS.search(message), message
    return message


def test_check_fee_names_amounts_in_the_network_unit() -> None:
    with pytest.raises(FeeError) as low:
        check_fee(21, 211, unit=UNIT)
    assert said_in_reg(str(low.value)).startswith(
        "the fee 0.00000021 REG is below the 0.00000022 REG nodes need for 211 bytes")
    with pytest.raises(FeeError) as high:
        check_fee(DEFAULT_MAX_FEE + 1, 211, unit=UNIT)
    assert f"{format_amount(DEFAULT_MAX_FEE + 1, unit=UNIT)}, above the 10 REG safety cap" in (
        said_in_reg(str(high.value)))
    with pytest.raises(FeeError, match=re.escape("0.00005 TESTFLUX, above the 0.00004999 TESTFLUX")):
        check_fee(5000, 211, unit=TESTNET.currency_unit, max_fee=4999)


async def regtest_wallet() -> tuple[MemoryChain, Keychain, SyncState]:
    chain = MemoryChain(REGTEST)
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    chain.fund(kc.derive(RECEIVE, 0).address, 5 * COIN)
    return chain, kc, await WalletSync(kc, chain).sync()


def review(kc: Keychain, state: SyncState, request: SendRequest, **kw: object) -> Review:
    return build_review(
        request, keychain=kc, coins=state.utxos, tip=state.tip,
        change_address=kc.derive(CHANGE, 0).address, **kw,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_a_regtest_send_says_every_amount_in_reg() -> None:
    chain, kc, state = await regtest_wallet()
    to = kc.derive(RECEIVE, 5).address
    failures: list[str] = []
    for request, kw, kind in (
        (SendRequest(to, "0.123456789"), {}, InvalidAmount),
        (SendRequest(to, "440000001"), {}, InvalidAmount),
        (SendRequest(to, "0.00000001"), {}, InvalidTransaction),
        (SendRequest(to, "6"), {}, InsufficientFunds),
        (SendRequest(to, "1", fee_rate="5"), {"max_fee": 1000}, FeeError),
    ):
        with pytest.raises(kind) as caught:
            review(kc, state, request, **kw)
        failures.append(said_in_reg(str(caught.value)))
    decimals, too_much, dust, short, cap = failures
    assert "smallest 0.00000001 REG" in decimals and "8 decimals" in decimals
    assert format_amount(MAX_MONEY, unit=UNIT) in too_much
    assert "0.00000001 REG to" in dust and "below 0.00000054 REG" in dust
    assert "does not cover 6.0000" in short and "cap" in cap

    # The cap is checked again when signing, in the same words.
    reviewed = review(kc, state, SendRequest(to, "1"))
    with pytest.raises(FeeError) as signed:
        await sign_review(reviewed, keychain=kc, backend=chain, max_fee=reviewed.fee - 1)
    assert "check the amounts and the change output" in said_in_reg(str(signed.value))


def test_typed_amounts_may_carry_the_network_unit() -> None:
    assert parse_amount("3 REG", unit="REG") == 3 * COIN
    assert parse_amount("2.5 testflux", unit="TESTFLUX") == 250_000_000
    assert parse_amount("1 FLUX", unit="REG") == COIN
    with pytest.raises(InvalidAmount, match="not an amount"):
        parse_amount("3 REG", unit="FLUX")

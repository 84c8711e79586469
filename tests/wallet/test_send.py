"""Send: review, fee presets, change, max, errors, frozen/locked coins, verified signing."""

from __future__ import annotations

import pytest

from flux.money import COIN
from flux.networks import TESTNET
from tests.wallet.memchain import MemoryChain
from wallet.backends.base import Utxo
from wallet.errors import (
    BackendMismatch,
    BroadcastRejected,
    FeeError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidTransaction,
    SigningError,
    StaleReview,
)
from wallet.fees import CHANGE_DUST_LIMIT, FeeRate
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.send import (
    Review,
    SendRequest,
    broadcast,
    build_review,
    fee_rate_for,
    sign_review,
)
from wallet.storage.model import HdSeed, ImportedKeys, WalletDocument, WatchOnly
from wallet.sync import SyncState, WalletSync

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
UNCOMPRESSED_WIF = "92Pg46rUhgTT7romnV7iGW6W1gbGdeezqdbJCzShkCsYNzyyNcc"
OUTSIDE = "tmAjD2oz6p8Lu99uJZsXLwfpoWA26LFcByJ"


def keychain(network: str = "testnet") -> Keychain:
    return Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network=network))


async def funded(*amounts: int) -> tuple[MemoryChain, Keychain, SyncState]:
    chain = MemoryChain(TESTNET)
    kc = keychain()
    for i, amount in enumerate(amounts):
        chain.fund(kc.derive(RECEIVE, i).address, amount)
    state = await WalletSync(kc, chain).sync()
    return chain, kc, state


def review(kc: Keychain, state: SyncState, request: SendRequest, **kw: object) -> Review:
    return build_review(
        request,
        keychain=kc,
        coins=state.utxos,
        tip=state.tip,
        change_address=kc.derive(CHANGE, state.next_unused(CHANGE)).address,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_send_with_change_is_reviewed_signed_and_accepted() -> None:
    chain, kc, state = await funded(5 * COIN, 2 * COIN)
    r = review(kc, state, SendRequest(OUTSIDE, "3.5"))
    assert r.amount == 350_000_000 and len(r.inputs) == 1 and r.inputs[0].satoshis == 5 * COIN
    assert r.change == 5 * COIN - r.amount - r.fee and r.change_address is not None
    assert r.fee == r.size  # 1 sat/B, the normal preset
    assert r.expiry_height == state.tip + 30 and r.total == r.amount + r.fee
    assert [o.role for o in r.outputs] == ["recipient", "change"]
    signed = await sign_review(r, keychain=kc, backend=chain)
    assert signed.tx.size() <= r.size and signed.tx.expiry_height == r.expiry_height
    assert await broadcast(signed, chain) == signed.txid
    chain.mine()
    state = await WalletSync(kc, chain).sync()
    assert sum(u.satoshis for u in state.utxos) == 7 * COIN - r.amount - r.fee
    assert "Send 3.5 TESTFLUX" in r.describe()


@pytest.mark.asyncio
async def test_send_max_spends_everything_without_change() -> None:
    chain, kc, state = await funded(5 * COIN, 2 * COIN, 3)
    r = review(kc, state, SendRequest(OUTSIDE, "max"))
    assert r.is_max and r.change == 0 and len(r.inputs) == 3
    assert r.amount + r.fee == 7 * COIN + 3
    signed = await sign_review(r, keychain=kc, backend=chain)
    await broadcast(signed, chain)
    chain.mine()
    state = await WalletSync(kc, chain).sync()
    assert state.utxos == []


@pytest.mark.asyncio
async def test_plain_errors_for_bad_requests() -> None:
    _chain, kc, state = await funded(1 * COIN)
    with pytest.raises(InsufficientFunds, match="does not cover"):
        review(kc, state, SendRequest(OUTSIDE, "2"))
    with pytest.raises(InvalidAmount, match="at most 8 decimals"):
        review(kc, state, SendRequest(OUTSIDE, "0.123456789"))
    with pytest.raises(InvalidAddress, match="not a Flux address"):
        review(kc, state, SendRequest("tmAjD2oz6p8Lu99uJZsXLwfpoWA26LFcByK", "0.1"))
    mainnet_address = keychain("mainnet").derive(RECEIVE, 0).address
    with pytest.raises(InvalidAddress, match="mainnet address, but you are on testnet"):
        review(kc, state, SendRequest(mainnet_address, "0.1"))
    with pytest.raises(InvalidTransaction, match="at least 4 blocks"):
        review(kc, state, SendRequest(OUTSIDE, "0.1", expiry_delta=3))
    with pytest.raises(InvalidTransaction, match="at most 80"):
        review(kc, state, SendRequest(OUTSIDE, "0.1", message="x" * 81))
    with pytest.raises(FeeError, match="Unknown fee preset"):
        review(kc, state, SendRequest(OUTSIDE, "0.1", fee_preset="turbo"))
    with pytest.raises(InvalidTransaction, match="dust"):
        review(kc, state, SendRequest(OUTSIDE, 10))


def test_fee_presets_follow_the_base_rate_with_a_floor() -> None:
    assert fee_rate_for("slow").sat_per_kb == 1000  # 0.75 sat/B floored at 1
    assert fee_rate_for("normal").sat_per_kb == 1000
    assert fee_rate_for("fast").sat_per_kb == 1500
    assert fee_rate_for("fast", base=FeeRate(4000)).sat_per_kb == 6000
    assert fee_rate_for("normal", "2.5").sat_per_kb == 2500
    with pytest.raises(FeeError):
        fee_rate_for("normal", "5000")


@pytest.mark.asyncio
async def test_frozen_and_locked_coins_are_never_spent() -> None:
    _chain, kc, state = await funded(5 * COIN, 2 * COIN, 1 * COIN)
    by_value = {u.satoshis: u.outpoint for u in state.utxos}
    r = review(
        kc, state, SendRequest(OUTSIDE, "max"),
        frozen={by_value[5 * COIN]}, locked={by_value[2 * COIN]},
    )
    assert [i.satoshis for i in r.inputs] == [1 * COIN]
    with pytest.raises(InsufficientFunds, match="locked"):
        review(kc, state, SendRequest(OUTSIDE, "1.5"), locked={by_value[2 * COIN]},
               frozen={by_value[5 * COIN]})


@pytest.mark.asyncio
async def test_op_return_message_is_carried() -> None:
    chain, kc, state = await funded(5 * COIN)
    r = review(kc, state, SendRequest(OUTSIDE, "1", message="invoice 42"))
    assert [o.role for o in r.outputs] == ["recipient", "message", "change"]
    signed = await sign_review(r, keychain=kc, backend=chain)
    assert b"invoice 42" in signed.tx.outputs[1].script_pubkey


@pytest.mark.asyncio
async def test_a_lying_coin_value_stops_signing_and_broadcast() -> None:
    chain, kc, state = await funded(5 * COIN)
    lie = [
        Utxo(u.txid, u.vout, u.address, u.satoshis + COIN, u.script_pubkey, u.height,
             u.confirmations)
        for u in state.utxos
    ]
    r = build_review(
        SendRequest(OUTSIDE, "max"), keychain=kc, coins=lie, tip=state.tip, change_address=None
    )
    with pytest.raises(BackendMismatch, match="Nothing was signed or sent"):
        await sign_review(r, keychain=kc, backend=chain)
    assert chain.broadcasts == []


@pytest.mark.asyncio
async def test_watch_only_can_review_but_not_sign() -> None:
    chain, kc, state = await funded(5 * COIN)
    xpub = kc.account_xpub
    assert xpub is not None
    watch = Keychain.from_document(WalletDocument(kind=WatchOnly(xpub=xpub), network="testnet"))
    state = await WalletSync(watch, chain).sync()
    r = review(watch, state, SendRequest(OUTSIDE, "1"))
    with pytest.raises(SigningError, match="watch-only"):
        await sign_review(r, keychain=watch, backend=chain)


@pytest.mark.asyncio
async def test_uncompressed_imported_key_spends_with_the_right_size() -> None:
    chain = MemoryChain(TESTNET)
    kc = Keychain.from_document(
        WalletDocument(kind=ImportedKeys([UNCOMPRESSED_WIF]), network="testnet")
    )
    address = kc.fixed_addresses[0].address
    chain.fund(address, 3 * COIN)
    state = await WalletSync(kc, chain).sync()
    r = build_review(
        SendRequest(OUTSIDE, "1"), keychain=kc, coins=state.utxos, tip=state.tip,
        change_address=address,
    )
    signed = await sign_review(r, keychain=kc, backend=chain)
    assert r.size - 2 <= signed.tx.size() <= r.size
    assert await broadcast(signed, chain) == signed.txid


@pytest.mark.asyncio
async def test_broadcast_rejection_is_a_plain_message() -> None:
    chain, kc, state = await funded(5 * COIN)
    r = review(kc, state, SendRequest(OUTSIDE, "1", expiry_delta=4))
    signed = await sign_review(r, keychain=kc, backend=chain)
    chain.mine()  # the tip moved on: expiry is now only tip + 3
    with pytest.raises(BroadcastRejected, match="expire within 3 blocks") as info:
        await broadcast(signed, chain)
    assert info.value.kind == "expiring-soon"


def test_small_change_goes_to_the_fee() -> None:
    kc = keychain()
    address = kc.derive(RECEIVE, 0).address
    coin = Utxo("ab" * 32, 0, address, COIN, kc.derive(RECEIVE, 0).script_pubkey, 10, 5)
    amount = COIN - 226 - CHANGE_DUST_LIMIT + 1
    r = build_review(
        SendRequest(OUTSIDE, amount), keychain=kc, coins=[coin], tip=14,
        change_address=kc.derive(CHANGE, 0).address,
    )
    assert r.change == 0 and r.fee == COIN - amount and len(r.outputs) == 1


@pytest.mark.asyncio
async def test_a_review_whose_expiry_came_too_close_is_not_signed() -> None:
    chain, kc, state = await funded(5 * COIN)
    built = review(kc, state, SendRequest(OUTSIDE, "1", expiry_delta=5))
    chain.mine(1)
    signed = await sign_review(built, keychain=kc, backend=chain)  # tip + 4: still accepted
    assert signed.tx.expiry_height == built.expiry_height
    chain.mine(1)
    with pytest.raises(StaleReview, match="Build the review again"):
        await sign_review(built, keychain=kc, backend=chain)


@pytest.mark.asyncio
@pytest.mark.parametrize("delta", [3, 10_001, 10**9])
async def test_expiry_delta_is_bounded(delta: int) -> None:
    _chain, kc, state = await funded(5 * COIN)
    with pytest.raises(InvalidTransaction, match="expiry"):
        review(kc, state, SendRequest(OUTSIDE, "1", expiry_delta=delta))
    assert review(kc, state, SendRequest(OUTSIDE, "1", expiry_delta=10_000)).expiry_height == (
        state.tip + 10_000
    )

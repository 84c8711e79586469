"""Sending: request -> review (inputs, outputs, change, fee, size, expiry) -> sign -> broadcast.

Nothing is signed from a server's word: before signing, each input's previous transaction is
fetched raw, checked against its txid, and the value and script are taken from it. If they differ
from what the review showed, nothing is signed and nothing is broadcast.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from flux.networks import Network, network_by_name
from wallet.address import decode_address_for
from wallet.amounts import MAX, MaxAmount, format_amount, parse_amount
from wallet.backends.base import ChainBackend, Utxo
from wallet.backends.broadcast_errors import ALREADY_KNOWN
from wallet.backends.verify import fetch_verified_prevouts
from wallet.coinselect import SpendPlan, select_coins, send_max
from wallet.coinselect import Utxo as Coin
from wallet.errors import (
    BackendMismatch,
    BackendResponseError,
    BackendUnavailable,
    BroadcastRejected,
    BroadcastUncertain,
    FeeError,
    InvalidAmount,
    InvalidTransaction,
    SigningError,
    StaleReview,
)
from wallet.fees import (
    DEFAULT_FEE_RATE,
    DEFAULT_MAX_FEE,
    MIN_RELAY_SAT_PER_KB,
    FeeRate,
)
from wallet.keychain import Keychain
from wallet.script import MAX_OP_RETURN_RELAY
from wallet.signing import p2pkh_input_size
from wallet.storage.model import MAX_EXPIRY_DELTA, MIN_EXPIRY_DELTA
from wallet.txbuild import OP_RETURN_MARKER, build_signed_transaction
from wallet.txmodel import Transaction

log = logging.getLogger(__name__)

# SSP presets relative to the base rate (docs/protocol-wallet.md); slow never below 1 sat/B.
FEE_PRESETS: Final[Mapping[str, Fraction]] = {
    "slow": Fraction(3, 4),
    "normal": Fraction(1),
    "fast": Fraction(3, 2),
}
PRESET_FLOOR_SAT_PER_KB: Final = 1000
# SSP's 30 blocks; fluxd refuses expiry below tip + 4 ("tx-expiring-soon", docs/protocol-wallet.md).
DEFAULT_EXPIRY_DELTA: Final = 30
Outpoint = tuple[str, int]


@dataclass(frozen=True)
class SendRequest:
    """What the person asked for. `amount` is FLUX text ("12.5", "max"), satoshis or MAX."""

    to: str
    amount: str | int | MaxAmount
    fee_preset: str = "normal"
    # sat/B as text or a FeeRate; overrides the preset when given.
    fee_rate: str | FeeRate | None = None
    message: str | None = None
    expiry_delta: int = DEFAULT_EXPIRY_DELTA


@dataclass(frozen=True)
class ReviewInput:
    txid: str
    vout: int
    address: str
    satoshis: int


@dataclass(frozen=True)
class ReviewOutput:
    # None for the OP_RETURN message output.
    address: str | None
    satoshis: int
    role: str  # "recipient", "change" or "message"


@dataclass(frozen=True)
class Review:
    """Everything the person confirms before the transaction is signed and broadcast."""

    network: str
    to: str
    amount: int
    is_max: bool
    inputs: tuple[ReviewInput, ...]
    outputs: tuple[ReviewOutput, ...]
    change: int
    change_address: str | None
    fee: int
    fee_rate: FeeRate
    # Upper bound of the signed size in bytes (the fee is computed on it).
    size: int
    tip_height: int
    expiry_height: int
    message: str | None

    @property
    def total(self) -> int:
        """What leaves the wallet: amount plus fee."""
        return self.amount + self.fee

    def describe(self) -> str:
        unit = network_by_name(self.network).currency_unit
        lines = [
            f"Send {format_amount(self.amount, unit=unit)} to {self.to}",
            f"Fee {format_amount(self.fee, unit=unit)} ({self.size} bytes at "
            f"{self.fee_rate.sat_per_byte:g} sat/B)",
            f"Total {format_amount(self.total, unit=unit)} from {len(self.inputs)} coin(s)",
        ]
        if self.change:
            lines.append(
                f"Change {format_amount(self.change, unit=unit)} to {self.change_address}"
            )
        if self.message:
            lines.append(f"Message: {self.message}")
        lines.append(f"Expires after block {self.expiry_height} (tip {self.tip_height})")
        return "\n".join(lines)


@dataclass(frozen=True)
class SignedTransaction:
    review: Review
    tx: Transaction
    raw_hex: str
    txid: str


def fee_rate_for(
    preset: str = "normal", rate: str | FeeRate | None = None, base: FeeRate = DEFAULT_FEE_RATE
) -> FeeRate:
    """The explicit rate if given (sat/B), else the preset applied to `base`."""
    if isinstance(rate, FeeRate):
        return FeeRate.from_sat_per_kb(rate.sat_per_kb)
    if rate is not None and str(rate).strip():
        return FeeRate.from_sat_per_byte(str(rate).strip())
    factor = FEE_PRESETS.get(preset)
    if factor is None:
        raise FeeError(f"Unknown fee preset {preset!r}; choose {', '.join(FEE_PRESETS)}.")
    per_kb = int(base.sat_per_kb * factor)
    return FeeRate.from_sat_per_kb(max(per_kb, PRESET_FLOOR_SAT_PER_KB, MIN_RELAY_SAT_PER_KB))


def parse_send_amount(amount: str | int | MaxAmount, *, unit: str) -> int | MaxAmount:
    if isinstance(amount, MaxAmount):
        return MAX
    if isinstance(amount, bool):
        raise InvalidAmount("The amount must be a number such as 12.5.")
    if isinstance(amount, int):
        if amount <= 0:
            raise InvalidAmount("The amount must be more than 0.")
        return amount
    return parse_amount(amount, allow_max=True, unit=unit)


def _message_bytes(message: str | None) -> bytes | None:
    if message is None or message == "":
        return None
    data = message.encode("utf-8")
    if len(data) > MAX_OP_RETURN_RELAY:
        raise InvalidTransaction(
            f"The message is {len(data)} bytes; the network relays at most "
            f"{MAX_OP_RETURN_RELAY}. Shorten it."
        )
    return data


def build_review(
    request: SendRequest,
    *,
    keychain: Keychain,
    coins: Sequence[Utxo],
    tip: int,
    change_address: str | None,
    locked: Collection[Outpoint] = (),
    frozen: Collection[Outpoint] = (),
    base_rate: FeeRate = DEFAULT_FEE_RATE,
    max_fee: int = DEFAULT_MAX_FEE,
) -> Review:
    """Choose coins and compute fee, change and expiry; nothing is signed here."""
    network = keychain.network
    to = request.to.strip() if isinstance(request.to, str) else request.to
    decode_address_for(to, network)
    amount = parse_send_amount(request.amount, unit=network.currency_unit)
    rate = fee_rate_for(request.fee_preset, request.fee_rate, base_rate)
    if isinstance(request.expiry_delta, bool) or not isinstance(request.expiry_delta, int):
        raise InvalidTransaction("The expiry must be a whole number of blocks.")
    if request.expiry_delta < MIN_EXPIRY_DELTA:
        raise InvalidTransaction(
            f"The expiry must be at least {MIN_EXPIRY_DELTA} blocks after the current block "
            f"(got {request.expiry_delta}); nodes refuse transactions that expire sooner."
        )
    if request.expiry_delta > MAX_EXPIRY_DELTA:
        raise InvalidTransaction(
            f"The expiry can be at most {MAX_EXPIRY_DELTA} blocks after the current block "
            f"(got {request.expiry_delta}); an unconfirmed payment would hold its coins that long."
        )
    memo = _message_bytes(request.message)
    usable = [_coin(u, keychain) for u in coins if u.outpoint not in frozen]
    if isinstance(amount, MaxAmount):
        plan = send_max(
            usable, to, network=network, fee_rate=rate, locked=locked, memo=memo, max_fee=max_fee
        )
        sent = plan.outputs[0][1]
    else:
        if change_address is None:
            raise SigningError("This wallet has no address to send change to.")
        outputs: list[tuple[str, Any]] = [(to, amount)]
        if memo is not None:
            outputs.append((OP_RETURN_MARKER, memo))
        plan = select_coins(
            usable,
            outputs,
            change_address=change_address,
            network=network,
            fee_rate=rate,
            locked=locked,
            max_fee=max_fee,
        )
        sent = amount
    is_max = isinstance(amount, MaxAmount)
    return _review(request, plan, network, to, sent, rate, tip, change_address, is_max)


def _review(
    request: SendRequest,
    plan: SpendPlan,
    network: Network,
    to: str,
    amount: int,
    rate: FeeRate,
    tip: int,
    change_address: str | None,
    is_max: bool,
) -> Review:
    outputs = []
    last = len(plan.outputs) - 1
    for n, (target, value) in enumerate(plan.outputs):
        if target == OP_RETURN_MARKER:
            outputs.append(ReviewOutput(None, 0, "message"))
        elif plan.change and n == last:
            # Coin selection appends the change output last, and only when there is change.
            outputs.append(ReviewOutput(target, value, "change"))
        else:
            outputs.append(ReviewOutput(target, value, "recipient"))
    return Review(
        network=network.name,
        to=to,
        amount=amount,
        is_max=is_max,
        inputs=tuple(ReviewInput(u.txid, u.vout, u.address, u.satoshis) for u in plan.inputs),
        outputs=tuple(outputs),
        change=plan.change,
        change_address=change_address if plan.change else None,
        fee=plan.fee,
        fee_rate=rate,
        size=plan.size,
        tip_height=tip,
        expiry_height=tip + request.expiry_delta,
        message=request.message or None,
    )


def _coin(utxo: Utxo, keychain: Keychain) -> Coin:
    return Coin(
        txid=utxo.txid,
        vout=utxo.vout,
        satoshis=utxo.satoshis,
        confirmations=utxo.confirmations,
        coinbase=utxo.coinbase,
        address=utxo.address,
        input_size=p2pkh_input_size(keychain.is_compressed(utxo.address)),
    )


async def sign_review(
    review: Review, *, keychain: Keychain, backend: ChainBackend, max_fee: int = DEFAULT_MAX_FEE
) -> SignedTransaction:
    """Verify every input against its previous raw transaction, then sign.

    BackendMismatch (nothing signed) when a server's value or script differs from the raw
    transaction; SigningError for a watch-only wallet.
    """
    if not keychain.can_sign:
        raise SigningError("This is a watch-only wallet: it cannot sign transactions.")
    keys = {i.address: keychain.private_key(i.address) for i in review.inputs}
    tip = await backend.tip_height()
    if review.expiry_height < tip + MIN_EXPIRY_DELTA:
        # Checked now, not only when the review was built: the chain may have moved since.
        raise StaleReview(
            f"This review expires at block {review.expiry_height}, but the network is at block "
            f"{tip} and nodes refuse transactions expiring within {MIN_EXPIRY_DELTA} blocks. "
            "Nothing was signed or sent. Build the review again."
        )
    prevouts = await fetch_verified_prevouts(backend, ((i.txid, i.vout) for i in review.inputs))
    inputs = []
    review_unit = network_by_name(review.network).currency_unit
    for item in review.inputs:
        prevout = prevouts[(item.txid.lower(), item.vout)]
        entry = keychain.lookup(item.address)
        if prevout.value != item.satoshis:
            raise BackendMismatch(
                f"The server said coin {item.txid[:16]}…:{item.vout} holds "
                f"{format_amount(item.satoshis, unit=review_unit)}, but the transaction itself "
                f"says {format_amount(prevout.value, unit=review_unit)}. Nothing was signed or "
                "sent. Switch to another server and refresh."
            )
        if entry is None or prevout.script_pubkey != entry.script_pubkey:
            raise BackendMismatch(
                f"Coin {item.txid[:16]}…:{item.vout} does not pay {item.address} as the server "
                "said. Nothing was signed or sent. Switch to another server and refresh."
            )
        inputs.append((item.txid, item.vout, prevout.value, keys[item.address]))
    outputs: list[tuple[str, Any]] = []
    for out in review.outputs:
        if out.role == "message":
            outputs.append((OP_RETURN_MARKER, _message_bytes(review.message) or b""))
        else:
            assert out.address is not None
            outputs.append((out.address, out.satoshis))
    tx = build_signed_transaction(
        inputs,
        outputs,
        locktime=0,
        expiry_height=review.expiry_height,
        network=keychain.network,
        max_fee=max_fee,
    )
    fee = sum(i[2] for i in inputs) - sum(o.value for o in tx.outputs)
    if fee != review.fee or tx.size() > review.size:
        unit = keychain.network.currency_unit
        raise SigningError(
            f"The signed transaction differs from the review (fee {format_amount(fee, unit=unit)}"
            f" vs {format_amount(review.fee, unit=unit)}, size {tx.size()} vs {review.size} "
            "bytes). Nothing was sent; build it again."
        )
    raw = tx.serialize().hex()
    return SignedTransaction(review, tx, raw, tx.txid)


async def broadcast(signed: SignedTransaction, backend: ChainBackend) -> str:
    """Send the signed transaction; BroadcastRejected carries a plain message.

    A node that already has the transaction (mempool or chain) counts as success. When the
    outcome is unknown (no answer after the bytes went out, or a refusal after such a silence)
    BroadcastUncertain is raised: the transaction may be on the network, so the caller must
    treat it as pending and must not let the person send the same payment again.
    """
    try:
        answered = await backend.broadcast(signed.raw_hex)
    except BroadcastRejected as exc:
        if exc.kind in ALREADY_KNOWN:
            log.info("broadcast %s: the node already has it (%s)", signed.txid[:16], exc.kind)
            return signed.txid
        if exc.maybe_sent:
            raise _uncertain(signed, f"a server did not answer, another refused it: "
                             f"{exc.detail[:120] or exc.kind}") from None
        raise
    except (BackendUnavailable, BackendResponseError) as exc:
        raise _uncertain(signed, _first_sentence(str(exc))) from None
    if answered.lower() != signed.txid:
        # The bytes sent define the txid; a server naming another one is broken, not fatal.
        log.warning(
            "%s answered txid %s for transaction %s", backend.name, answered[:16], signed.txid[:16]
        )
    log.info(
        "broadcast %s: %s FLUX + fee %s", signed.txid[:16], format_amount(signed.review.amount),
        format_amount(signed.review.fee),
    )
    return signed.txid



def _uncertain(signed: SignedTransaction, reason: str) -> BroadcastUncertain:
    expiry = signed.review.expiry_height
    return BroadcastUncertain(
        f"Transaction {signed.txid} may have been sent: the servers gave no clear answer "
        f"({reason}). Do not send this payment again yet. The wallet shows it as pending and "
        f"holds its coins until it confirms, or until it expires after block {expiry}; check "
        "the history after a refresh before trying again.",
        txid=signed.txid,
        expiry_height=expiry,
    )


def _first_sentence(text: str) -> str:
    head, _, _ = text.partition(". ")
    return head.rstrip(".")[:200]

"""Helpers for tests that spend simulator coins: keys, addresses and hand-made transactions.

``build_signed_transaction`` (wallet.tx) refuses non-standard things a test must send on
purpose (dust, two OP_RETURNs, wrong amounts); ``raw_spend`` builds such transactions and
signs them with the same ZIP-243 code, so only the intended defect differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flux.networks import REGTEST
from tests.sim.faucet import Funded
from tests.sim.server import SimNetwork
from wallet.address import p2pkh_address, p2sh_address, script_pubkey_for_address
from wallet.encoding import sha256
from wallet.keys import PrivateKey
from wallet.script import multisig_script
from wallet.sighash import SighashContext
from wallet.signing import (
    finalize_p2sh_multisig_input,
    sign_p2pkh_input,
    sign_p2sh_multisig_input,
)
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut


def key(label: str) -> PrivateKey:
    """A deterministic test key."""
    return PrivateKey(sha256(b"fluxdesk sim test key " + label.encode()), compressed=True)


def address(k: PrivateKey) -> str:
    return p2pkh_address(k.public_key(), REGTEST)


@dataclass(frozen=True)
class Multisig:
    keys: tuple[PrivateKey, ...]
    redeem_script: bytes

    @property
    def address(self) -> str:
        return p2sh_address(self.redeem_script, REGTEST)


def multisig(m: int, labels: Sequence[str]) -> Multisig:
    keys = tuple(key(label) for label in labels)
    return Multisig(keys, multisig_script(m, [k.public_key() for k in keys], sort=True))


def unsigned(
    coins: Sequence[Funded], outputs: Sequence[tuple[str | bytes, int]], *, expiry: int,
    lock_time: int = 0,
) -> Transaction:
    """A v4 tx spending ``coins`` to (address or raw scriptPubKey, satoshis) outputs."""
    tx = Transaction(lock_time=lock_time, expiry_height=expiry)
    tx.inputs = [TxIn(OutPoint.from_hex(c.txid, c.vout)) for c in coins]
    for target, value in outputs:
        script = target if isinstance(target, bytes) else script_pubkey_for_address(
            target, REGTEST
        )
        tx.outputs.append(TxOut(value, script))
    return tx


def sign_p2pkh(
    tx: Transaction, signers: Sequence[tuple[PrivateKey, int]], *,
    branch_id: int = REGTEST.branch_id,
) -> Transaction:
    """Sign each input with (key, amount used in the sighash)."""
    ctx = SighashContext(tx, branch_id)
    for index, (k, amount) in enumerate(signers):
        sign_p2pkh_input(ctx, index, k, amount)
    return tx


def sign_multisig(
    tx: Transaction, index: int, ms: Multisig, signers: Sequence[PrivateKey], amount: int,
    *, allow_incomplete: bool = False,
) -> Transaction:
    ctx = SighashContext(tx, REGTEST.branch_id)
    for k in signers:
        sign_p2sh_multisig_input(ctx, index, k, ms.redeem_script, amount)
    finalize_p2sh_multisig_input(tx, index, ms.redeem_script, allow_incomplete=allow_incomplete)
    return tx


def raw_spend(
    sim: SimNetwork, coin: Funded, k: PrivateKey, outputs: Sequence[tuple[str | bytes, int]],
    *, expiry_delta: int = 30, amount: int | None = None,
) -> str:
    """Hex of a P2PKH spend of ``coin`` signed by ``k`` (``amount`` overrides the sighash
    amount), expiring ``expiry_delta`` blocks above the tip."""
    tx = unsigned([coin], outputs, expiry=sim.height + expiry_delta)
    sign_p2pkh(tx, [(k, coin.satoshis if amount is None else amount)])
    return tx.serialize().hex()

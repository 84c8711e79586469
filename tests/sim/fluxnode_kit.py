"""Helpers for fluxnode tests on the simulator: a collateral, a START, a network with nodes."""

from __future__ import annotations

from typing import Any

from tests.sim import testkit
from tests.sim.faucet import Funded
from tests.sim.fluxnodes import FluxnodeModel
from tests.sim.server import SimNetwork
from wallet.fluxnode import build_start_tx, create_identity_key
from wallet.keys import PrivateKey
from wallet.networks import COIN
from wallet.txmodel import Transaction

CUMULUS = 1_000 * COIN
NIMBUS = 12_500 * COIN


def with_nodes(sim: SimNetwork) -> FluxnodeModel:
    return sim.chain.fluxnodes or FluxnodeModel(sim.chain)


def collateral(sim: SimNetwork, owner: PrivateKey, sats: int = CUMULUS,
               confirmations: int = 100) -> Funded:
    """A collateral paid to ``owner``'s P2PKH address with exactly ``confirmations``."""
    return sim.fund(testkit.address(owner), sats, confirmations=confirmations)


def start_tx(sim: SimNetwork, coin: Funded, signer: PrivateKey, *, identity: bytes | None = None,
             sig_time: int | None = None, **kw: Any) -> Transaction:
    ident = identity if identity is not None else create_identity_key().public_key()
    when = sim.chain.now() if sig_time is None else sig_time
    return build_start_tx(coin.txid, coin.vout, signer, ident, when, **kw)


def submit(sim: SimNetwork, tx: Transaction) -> str:
    return sim.submit(tx.serialize().hex())

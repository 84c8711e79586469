"""Money-path attacks and failures against tests/sim: lying coin lists, unclear broadcasts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.backends.base import Utxo
from wallet.backends.insight import InsightBackend
from wallet.errors import BackendMismatch
from wallet.keychain import RECEIVE, Keychain
from wallet.networks import COIN
from wallet.storage.model import HdSeed, WalletDocument
from wallet.sync import WalletSync

from .test_wallet_sim import FAST_RETRY, MNEMONIC, fund_wallet, seed_keychain


def stranger_address() -> str:
    document = WalletDocument(kind=HdSeed(MNEMONIC, "stranger"), network="regtest")
    return Keychain.from_document(document).derive(RECEIVE, 0).address


class StrangerCoinBackend(InsightBackend):
    """Lists a stranger's real, verifiable coin as if it paid the first address asked about."""

    def __init__(self, url: str, stranger: Utxo, *, claim_address: bool) -> None:
        super().__init__([url], retry=FAST_RETRY)
        self.stranger = stranger
        self.claim_address = claim_address

    async def utxos(self, addresses: Sequence[str]) -> list[Utxo]:
        listed = await super().utxos(addresses)
        claimed = addresses[0] if self.claim_address else ""
        return [*listed, replace(self.stranger, address=claimed, script_pubkey=b"")]


@pytest.mark.asyncio
@pytest.mark.parametrize("claim_address", [True, False])
async def test_a_strangers_real_coin_listed_as_ours_is_refused(
    sim: SimNetwork, claim_address: bool  # noqa: F811
) -> None:
    fund_wallet(sim)
    stranger = stranger_address()
    sim.fund(stranger, 50 * COIN)
    honest = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    try:
        (coin,) = await honest.utxos([stranger])
    finally:
        await honest.close()
    backend = StrangerCoinBackend(sim.insight_url, coin, claim_address=claim_address)
    try:
        with pytest.raises(BackendMismatch, match="not in this wallet"):
            await WalletSync(seed_keychain(), backend).sync()
    finally:
        await backend.close()


@pytest.mark.asyncio
async def test_listed_coins_carry_the_address_their_output_pays(
    sim: SimNetwork,  # noqa: F811
) -> None:
    addresses = fund_wallet(sim)
    backend = InsightBackend([sim.insight_url], retry=FAST_RETRY)
    try:
        state = await WalletSync(seed_keychain(), backend).sync()
    finally:
        await backend.close()
    assert sorted(u.address for u in state.listed) == sorted(addresses)
    assert sum(u.satoshis for u in state.utxos) == 8 * COIN

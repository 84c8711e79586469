"""The demo wallet: a fixed, test-only BIP39 mnemonic funded on the simulated network.

Funds sit past receive index 0 and on the change chain, so a restore must scan with a gap
limit to find them: receive 0, 1 and 7 and change 2 of account 0 on the regtest BIP44 path
m/44'/1'/0'/{0|1}/i. Receive 0 also holds a matured block reward (coinbase), receive 1 exactly
one Cumulus collateral (1 000 FLUX). The mnemonic is public; never use it for real coins.
"""

from __future__ import annotations

from dataclasses import dataclass

from flux.money import COIN
from flux.networks import REGTEST
from tests.sim.faucet import Funded
from tests.sim.server import SimNetwork
from wallet.address import p2pkh_address
from wallet.hd import HDKey, default_path

DEMO_MNEMONIC = "expand minute depart later filter lizard uphold alarm fun jazz cabbage crawl"
DEMO_ACCOUNT = 0
RECEIVE, CHANGE = 0, 1


@dataclass(frozen=True)
class DemoCoin:
    chain: int  # 0 receive, 1 change
    index: int
    satoshis: int
    coinbase: bool = False


DEMO_COINS: tuple[DemoCoin, ...] = (
    DemoCoin(RECEIVE, 0, 250 * COIN),
    DemoCoin(RECEIVE, 0, 14 * COIN, coinbase=True),
    DemoCoin(RECEIVE, 1, 1_000 * COIN),
    DemoCoin(RECEIVE, 7, 42 * COIN + 50_000_000),
    DemoCoin(CHANGE, 2, 3 * COIN + 21_000_000),
)


def demo_path(chain: int, index: int) -> str:
    return default_path(REGTEST, DEMO_ACCOUNT, chain, index)


def demo_address(chain: int, index: int, mnemonic: str = DEMO_MNEMONIC) -> str:
    node = HDKey.from_mnemonic(mnemonic, REGTEST).derive(demo_path(chain, index))
    return p2pkh_address(node.public_key, REGTEST)


def fund_demo(sim: SimNetwork) -> list[Funded]:
    """Pay every DEMO_COINS entry; coinbase coins get 100 confirmations so they are mature."""
    funded: list[Funded] = []
    coinbase_coins = [c for c in DEMO_COINS if c.coinbase]
    for coin in coinbase_coins:
        funded.append(sim.fund(demo_address(coin.chain, coin.index), coin.satoshis,
                               coinbase=True, confirmations=1))
    for coin in DEMO_COINS:
        if not coin.coinbase:
            funded.append(sim.faucet.send(demo_address(coin.chain, coin.index), coin.satoshis))
    sim.mine(sim.chain.params.coinbase_maturity if coinbase_coins else 1)
    return funded

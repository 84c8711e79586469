"""Consensus and policy numbers the simulator enforces, as data (each with its fluxd source).

Sources: docs/protocol-wallet.md (fluxd main.h, main.cpp, consensus.h, transaction.h,
amount.cpp); the reward schedule (GetBlockSubsidy / GetFluxnodeSubsidy) is flux.rewards.
The simulated network behaves like mainnet after the PON upgrade from its first block on
(Sapling-format v4 transactions, branch id 0x76b809bb), with regtest address prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flux.money import COIN, MAX_MONEY
from flux.networks import MAINNET, PON_TARGET_SPACING, REGTEST, Network
from flux.rewards import RewardSchedule

# fluxd primitives/transaction.h, main.h, consensus.h, standard.h (docs/protocol-wallet.md).
SAPLING_VERSION_GROUP_ID = 0x892F2085
SAPLING_TX_VERSION = 4
TX_EXPIRY_HEIGHT_THRESHOLD = 500_000_000
TX_EXPIRING_SOON_THRESHOLD = 3
MAX_TX_SIZE = 2_000_000
MAX_BLOCK_SIZE = 2_000_000
MAX_STANDARD_TX_SIGOPS = 4000
MAX_SCRIPTSIG_SIZE = 1650
MAX_OP_RETURN_RELAY = 80
# IsStandard() allows a null-data script of nMaxDatacarrierBytes = MAX_OP_RETURN_RELAY + 3 bytes.
MAX_NULLDATA_SCRIPT = MAX_OP_RETURN_RELAY + 3
MAX_P2SH_SIGOPS = 15
DEFAULT_MIN_RELAY_TX_FEE = 100  # sat per 1000 bytes
ABSURD_FEE_FACTOR = 10_000
COINBASE_MATURITY = 100
LOCKTIME_THRESHOLD = 500_000_000

# The simulated chain runs mainnet's PON reward schedule from ``SimParams.pon_height`` on.
SIM_REWARDS = MAINNET.rewards
# PON block spacing, used for the timestamps of simulated blocks.
BLOCK_SPACING_SECONDS = PON_TARGET_SPACING


def fee_for_size(rate_per_kb: int, size: int) -> int:
    """fluxd CFeeRate::GetFee: rate*size/1000, but never 0 for a positive rate."""
    fee = rate_per_kb * size // 1000
    return rate_per_kb if fee == 0 and rate_per_kb > 0 else fee


def dust_threshold(output_size: int, min_relay_fee: int = DEFAULT_MIN_RELAY_TX_FEE) -> int:
    """fluxd CTxOut::GetDustThreshold for a spendable output of ``output_size`` bytes."""
    return 3 * fee_for_size(min_relay_fee, output_size + 148)


def money_range(value: int) -> bool:
    return 0 <= value <= MAX_MONEY


def reward_schedule(pon_height: int = 0) -> RewardSchedule:
    """Mainnet's PON schedule, started at ``pon_height`` (the simulator has no PoW era)."""
    return replace(SIM_REWARDS, start_height=pon_height)


@dataclass(frozen=True)
class SimParams:
    """Knobs of one simulated network. Defaults are fluxd's mainnet defaults.

    ``enforce_min_relay_fee``: fluxd's ``sendrawtransaction`` calls AcceptToMemoryPool with
    fLimitFree=false, so a node relays a fee below minRelayTxFee (peers then rate-limit it as
    "free"). The simulator refuses such a fee by default with fluxd's own limit-free reason
    ("66: insufficient fee") so a wallet that under-pays is caught; set False to mimic the RPC.
    """

    network: Network = REGTEST
    min_relay_fee: int = DEFAULT_MIN_RELAY_TX_FEE
    enforce_min_relay_fee: bool = True
    coinbase_maturity: int = COINBASE_MATURITY
    expiring_soon_threshold: int = TX_EXPIRING_SOON_THRESHOLD
    pon_height: int = 0
    # Coins the faucet key receives in block 1 (the simulator's genesis allocation; mainnet paid
    # a 13 020 000 FLUX allocation at height 2, insight blocks.js getBlockReward).
    premine: int = 20_000_000 * COIN
    block_spacing: int = BLOCK_SPACING_SECONDS

    @property
    def branch_id(self) -> int:
        return self.network.branch_id

    def absurd_fee(self, size: int) -> int:
        return fee_for_size(self.min_relay_fee, size) * ABSURD_FEE_FACTOR

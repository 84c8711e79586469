"""Consensus and policy numbers the simulator enforces, as data (each with its fluxd source).

Sources: ../shared/specs/wallet-protocol.md §2–3 (fluxd main.h, main.cpp, consensus.h,
transaction.h, amount.cpp) and fluxnode-protocol.md §7 (GetBlockSubsidy / GetFluxnodeSubsidy).
The simulated network behaves like mainnet after the PON upgrade from its first block on
(Sapling-format v4 transactions, branch id 0x76b809bb), with regtest address prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.networks import COIN, MAX_MONEY, REGTEST, Network, Tier

# fluxd primitives/transaction.h, main.h, consensus.h, standard.h (wallet-protocol §2.2, §3.1).
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

# PON rewards (fluxnode-protocol §7): 14 FLUX, -10 % per 1 051 200 blocks, at most 20 cuts.
PON_SUBSIDY = 14 * COIN
PON_BLOCKS_PER_YEAR = 1_051_200
PON_MAX_REDUCTIONS = 20
PON_TIER_BASE = {Tier.CUMULUS: 1 * COIN, Tier.NIMBUS: 35 * COIN // 10, Tier.STRATUS: 9 * COIN}
# PON block spacing (wallet-protocol §2.1), used for the timestamps of simulated blocks.
BLOCK_SPACING_SECONDS = 30


def fee_for_size(rate_per_kb: int, size: int) -> int:
    """fluxd CFeeRate::GetFee: rate*size/1000, but never 0 for a positive rate."""
    fee = rate_per_kb * size // 1000
    return rate_per_kb if fee == 0 and rate_per_kb > 0 else fee


def dust_threshold(output_size: int, min_relay_fee: int = DEFAULT_MIN_RELAY_TX_FEE) -> int:
    """fluxd CTxOut::GetDustThreshold for a spendable output of ``output_size`` bytes."""
    return 3 * fee_for_size(min_relay_fee, output_size + 148)


def money_range(value: int) -> bool:
    return 0 <= value <= MAX_MONEY


def block_subsidy(height: int, pon_height: int = 0) -> int:
    """PON block subsidy at ``height`` in satoshis (integer 9/10 steps, as fluxd)."""
    years = max(0, height - pon_height) // PON_BLOCKS_PER_YEAR
    subsidy = PON_SUBSIDY
    for _ in range(min(years, PON_MAX_REDUCTIONS)):
        subsidy = subsidy * 9 // 10
    return subsidy


def reward_split(height: int, pon_height: int = 0) -> tuple[dict[Tier, int], int]:
    """(payout per tier, dev-fund remainder) of the block at ``height``."""
    subsidy = block_subsidy(height, pon_height)
    tiers = {tier: subsidy * base // PON_SUBSIDY for tier, base in PON_TIER_BASE.items()}
    return tiers, subsidy - sum(tiers.values())


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

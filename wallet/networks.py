"""Network parameters of Flux mainnet, testnet and regtest, as data.

Every value comes from ../shared/specs/wallet-protocol.md §1–2 and fluxnode-protocol.md §1 (which
cite fluxd chainparams.cpp, upgrades.cpp, coins.cpp). Nothing else in the wallet package may
hard-code a prefix, port, branch id or tier amount; it reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from wallet.errors import UnknownNetwork

COIN = 100_000_000
MAX_MONEY = 440_000_000 * COIN

# Every upgrade from LWMA on uses the same branch id; a transparent v4 transaction signed today
# commits to this value (ZIP-243 personalisation).
ACADIA_BRANCH_ID = 0x76B809BB


@dataclass(frozen=True)
class NetworkUpgrade:
    """One consensus upgrade: its branch id and activation heights (None = not active)."""

    name: str
    branch_id: int
    mainnet_height: int | None
    testnet_height: int | None
    protocol_version: int


# fluxd src/consensus/upgrades.cpp + chainparams.cpp (spec §2.1). Regtest activates none of them
# by default, so regtest has no entry column.
NETWORK_UPGRADES: tuple[NetworkUpgrade, ...] = (
    NetworkUpgrade("BASE_SPROUT", 0, 0, 0, 170002),
    NetworkUpgrade("LWMA", ACADIA_BRANCH_ID, 125_000, 70, 170002),
    NetworkUpgrade("EQUI144_5", ACADIA_BRANCH_ID, 125_100, 140, 170002),
    NetworkUpgrade("ACADIA", ACADIA_BRANCH_ID, 250_000, 210, 170007),
    NetworkUpgrade("KAMIOOKA", ACADIA_BRANCH_ID, 372_500, 280, 170012),
    NetworkUpgrade("KAMATA", ACADIA_BRANCH_ID, 558_000, 350, 170016),
    NetworkUpgrade("FLUX", ACADIA_BRANCH_ID, 835_554, 420, 170017),
    NetworkUpgrade("HALVING", ACADIA_BRANCH_ID, 1_076_532, 520, 170018),
    NetworkUpgrade("P2SHNODES", ACADIA_BRANCH_ID, 1_549_500, 600, 170019),
    NetworkUpgrade("PON", ACADIA_BRANCH_ID, 2_020_000, 800, 170020),
)


class Tier(IntEnum):
    """FluxNode tiers with fluxd's enum values."""

    CUMULUS = 1
    NIMBUS = 2
    STRATUS = 3


@dataclass(frozen=True)
class TierSpec:
    """Collateral of one tier in satoshis: the current (V2) amount and the pre-2022 (V1) one."""

    tier: Tier
    collateral: int
    legacy_collateral: int

    @property
    def name(self) -> str:
        return self.tier.name.capitalize()


TIERS: tuple[TierSpec, ...] = (
    TierSpec(Tier.CUMULUS, 1_000 * COIN, 10_000 * COIN),
    TierSpec(Tier.NIMBUS, 12_500 * COIN, 25_000 * COIN),
    TierSpec(Tier.STRATUS, 40_000 * COIN, 100_000 * COIN),
)


@dataclass(frozen=True)
class TierTransition:
    """Heights [begin, end) during which both V1 and V2 collateral of a tier were valid."""

    tier: Tier
    begin: int
    end: int


@dataclass(frozen=True)
class Network:
    """Everything the wallet needs to know about one Flux network."""

    name: str
    p2pkh_prefix: bytes
    p2sh_prefix: bytes
    wif_prefix: int
    xpub_version: int
    xprv_version: int
    coin_type: int
    p2p_port: int
    rpc_port: int
    message_start: bytes
    currency_unit: str
    branch_id: int
    # Only mainnet's transition heights are in the spec; elsewhere V2 amounts alone apply today.
    tier_transitions: tuple[TierTransition, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Network({self.name})"

    @property
    def tiers(self) -> tuple[TierSpec, ...]:
        return TIERS


MAINNET = Network(
    name="mainnet",
    p2pkh_prefix=bytes.fromhex("1cb8"),
    p2sh_prefix=bytes.fromhex("1cbd"),
    wif_prefix=0x80,
    xpub_version=0x0488B21E,
    xprv_version=0x0488ADE4,
    coin_type=19167,
    p2p_port=16125,
    rpc_port=16124,
    message_start=bytes.fromhex("24e92764"),
    currency_unit="FLUX",
    branch_id=ACADIA_BRANCH_ID,
    tier_transitions=(
        TierTransition(Tier.CUMULUS, 1_076_532, 1_086_612),
        TierTransition(Tier.NIMBUS, 1_081_572, 1_092_372),
        TierTransition(Tier.STRATUS, 1_087_332, 1_097_412),
    ),
)

TESTNET = Network(
    name="testnet",
    p2pkh_prefix=bytes.fromhex("1d25"),
    p2sh_prefix=bytes.fromhex("1cba"),
    wif_prefix=0xEF,
    xpub_version=0x043587CF,
    xprv_version=0x04358394,
    coin_type=1,
    p2p_port=26125,
    rpc_port=26124,
    message_start=bytes.fromhex("fa1af9bf"),
    currency_unit="TESTFLUX",
    branch_id=ACADIA_BRANCH_ID,
)

# Regtest shares testnet's address, WIF and BIP32 prefixes, so an address or WIF alone cannot tell
# the two apart; decoders report TESTNET for them (see network_for_p2pkh_prefix).
REGTEST = Network(
    name="regtest",
    p2pkh_prefix=bytes.fromhex("1d25"),
    p2sh_prefix=bytes.fromhex("1cba"),
    wif_prefix=0xEF,
    xpub_version=0x043587CF,
    xprv_version=0x04358394,
    coin_type=1,
    p2p_port=26126,
    rpc_port=26124,
    message_start=bytes.fromhex("aae83f5f"),
    currency_unit="REG",
    branch_id=ACADIA_BRANCH_ID,
)

NETWORKS: tuple[Network, ...] = (MAINNET, TESTNET, REGTEST)

_ALIASES = {"main": "mainnet", "test": "testnet", "testnet3": "testnet", "reg": "regtest"}


def network_by_name(name: str) -> Network:
    """The network called `name` (case-insensitive; "main"/"test"/"reg" accepted)."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    for network in NETWORKS:
        if network.name == key:
            return network
    known = ", ".join(n.name for n in NETWORKS)
    raise UnknownNetwork(f"Unknown network {name!r}; expected one of {known}.")


def same_encoding(a: Network, b: Network) -> bool:
    """True when addresses and keys of `a` and `b` look identical (testnet and regtest)."""
    return (
        a.p2pkh_prefix == b.p2pkh_prefix
        and a.p2sh_prefix == b.p2sh_prefix
        and a.wif_prefix == b.wif_prefix
    )


def tier_spec(tier: Tier) -> TierSpec:
    for spec in TIERS:
        if spec.tier == tier:
            return spec
    raise ValueError(f"unknown tier {tier!r}")


def valid_collateral_amounts(network: Network, height: int | None = None) -> dict[int, Tier]:
    """Collateral amounts (satoshis) accepted at `height` (None = today), mapped to their tier.

    Before a tier's transition only V1 counts, during it both, after it only V2 (fluxd coins.cpp
    GetCoinAmountsByTier).
    """
    amounts: dict[int, Tier] = {}
    transitions = {t.tier: t for t in network.tier_transitions}
    for spec in TIERS:
        transition = transitions.get(spec.tier)
        if height is None or transition is None or height >= transition.end:
            amounts[spec.collateral] = spec.tier
        elif height < transition.begin:
            amounts[spec.legacy_collateral] = spec.tier
        else:
            amounts[spec.collateral] = spec.tier
            amounts[spec.legacy_collateral] = spec.tier
    return amounts


def tier_for_amount(amount: int, network: Network, height: int | None = None) -> Tier | None:
    """The tier whose collateral is exactly `amount` satoshis, or None."""
    return valid_collateral_amounts(network, height).get(amount)


def branch_id_at(network: Network, height: int) -> int:
    """Consensus branch id of the newest upgrade active at `height` (regtest: Sprout, 0)."""
    if network.name == REGTEST.name:
        return 0
    branch = 0
    for upgrade in NETWORK_UPGRADES:
        start = upgrade.mainnet_height if network.name == MAINNET.name else upgrade.testnet_height
        if start is not None and height >= start:
            branch = upgrade.branch_id
    return branch

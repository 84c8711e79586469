"""Network parameters of Flux mainnet, testnet and regtest, as data.

Every value is in docs/protocol-wallet.md (networks, prefixes, upgrades, block spacing) and
docs/protocol-fluxnode.md (tiers, rewards), each with its fluxd source (chainparams.cpp,
chainparamsbase.cpp, consensus/upgrades.cpp, coins.cpp, main.cpp). Nothing else may hard-code a
prefix, port, branch id, upgrade height or tier amount; it reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flux.errors import UnknownNetwork
from flux.ports import MAINNET_PORTS, REGTEST_PORTS, TESTNET_PORTS, NetworkPorts
from flux.rewards import RewardSchedule
from flux.tiers import TIERS, Tier, TierSpec, TierTransition

# Every upgrade from LWMA on uses the same branch id; a transparent v4 transaction signed today
# commits to this value (ZIP-243 personalisation).
ACADIA_BRANCH_ID = 0x76B809BB

# Target block spacing once PON is active (fluxd chainparams.cpp nPonTargetSpacing).
PON_TARGET_SPACING = 30


@dataclass(frozen=True)
class NetworkUpgrade:
    """One consensus upgrade: its branch id and activation heights (None = not active)."""

    name: str
    branch_id: int
    mainnet_height: int | None
    testnet_height: int | None
    protocol_version: int


# fluxd src/consensus/upgrades.cpp + chainparams.cpp. Regtest activates none of them by default,
# so regtest has no column.
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


def _upgrade(name: str) -> NetworkUpgrade:
    for upgrade in NETWORK_UPGRADES:
        if upgrade.name == name:
            return upgrade
    raise KeyError(f"unknown network upgrade {name!r}")


def _activation(upgrade: NetworkUpgrade, network_name: str) -> int | None:
    """Where `upgrade` activates on the named network (regtest: nowhere by default)."""
    if network_name == "mainnet":
        return upgrade.mainnet_height
    return upgrade.testnet_height if network_name == "testnet" else None


@dataclass(frozen=True)
class Network:
    """Everything the code needs to know about one Flux network."""

    name: str
    p2pkh_prefix: bytes
    p2sh_prefix: bytes
    wif_prefix: int
    xpub_version: int
    xprv_version: int
    coin_type: int
    ports: NetworkPorts
    message_start: bytes
    currency_unit: str
    branch_id: int
    # Target spacing before PON (nPowTargetSpacing); after PON every network uses 30 s.
    pow_target_spacing: int
    rewards: RewardSchedule
    # Only mainnet's transition heights are known; elsewhere V2 amounts alone apply today.
    tier_transitions: tuple[TierTransition, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Network({self.name})"

    @property
    def p2p_port(self) -> int:
        return self.ports.p2p

    @property
    def rpc_port(self) -> int:
        return self.ports.rpc

    @property
    def tiers(self) -> tuple[TierSpec, ...]:
        return TIERS

    def upgrade_height(self, name: str) -> int | None:
        """Activation height of the upgrade called `name` here (None: not active by default)."""
        return _activation(_upgrade(name), self.name)


MAINNET = Network(
    name="mainnet",
    p2pkh_prefix=bytes.fromhex("1cb8"),
    p2sh_prefix=bytes.fromhex("1cbd"),
    wif_prefix=0x80,
    xpub_version=0x0488B21E,
    xprv_version=0x0488ADE4,
    coin_type=19167,
    ports=MAINNET_PORTS,
    message_start=bytes.fromhex("24e92764"),
    currency_unit="FLUX",
    branch_id=ACADIA_BRANCH_ID,
    pow_target_spacing=120,
    rewards=RewardSchedule(_activation(_upgrade("PON"), "mainnet"), 1_051_200, 20),
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
    ports=TESTNET_PORTS,
    message_start=bytes.fromhex("fa1af9bf"),
    currency_unit="TESTFLUX",
    branch_id=ACADIA_BRANCH_ID,
    pow_target_spacing=60,
    rewards=RewardSchedule(_activation(_upgrade("PON"), "testnet"), 525_600, 20),
)

# Regtest shares testnet's address, WIF and BIP32 prefixes, so an address or WIF alone cannot tell
# the two apart; decoders report TESTNET for them (see same_encoding). Its pre-PON spacing is not
# in the sources read (unconfirmed): mainnet's value is assumed, as data.
REGTEST = replace(
    TESTNET,
    name="regtest",
    ports=REGTEST_PORTS,
    message_start=bytes.fromhex("aae83f5f"),
    currency_unit="REG",
    pow_target_spacing=120,
    rewards=RewardSchedule(None, 100, 10),
)

NETWORKS: tuple[Network, ...] = (MAINNET, TESTNET, REGTEST)
NETWORK_NAMES: tuple[str, ...] = tuple(n.name for n in NETWORKS)

_ALIASES = {"main": "mainnet", "test": "testnet", "testnet3": "testnet", "reg": "regtest"}


def network_by_name(name: str) -> Network:
    """The network called `name` (case-insensitive; "main"/"test"/"reg" accepted)."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    for network in NETWORKS:
        if network.name == key:
            return network
    known = ", ".join(NETWORK_NAMES)
    raise UnknownNetwork(f"Unknown network {name!r}; expected one of {known}.")


def same_encoding(a: Network, b: Network) -> bool:
    """True when addresses and keys of `a` and `b` look identical (testnet and regtest)."""
    return (
        a.p2pkh_prefix == b.p2pkh_prefix
        and a.p2sh_prefix == b.p2sh_prefix
        and a.wif_prefix == b.wif_prefix
    )


def branch_id_at(network: Network, height: int) -> int:
    """Consensus branch id of the newest upgrade active at `height` (regtest: Sprout, 0)."""
    branch = 0
    for upgrade in NETWORK_UPGRADES:
        start = _activation(upgrade, network.name)
        if start is not None and height >= start:
            branch = upgrade.branch_id
    return branch


def pon_active(network: Network, height: int) -> bool:
    start = network.upgrade_height("PON")
    return start is not None and height >= start


def block_spacing(network: Network, height: int) -> int:
    """Target seconds between blocks at `height`: 30 s from PON on, the PoW spacing before."""
    return PON_TARGET_SPACING if pon_active(network, height) else network.pow_target_spacing

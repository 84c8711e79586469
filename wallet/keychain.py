"""The addresses (and, when the wallet has them, the keys) of one wallet document.

An HD wallet derives m/44'/coin'/account'/chain/index (chain 0 = receive, 1 = change); an xpub
watch-only wallet derives the same two chains from the account xpub; imported keys and watch-only
address lists are a fixed set of addresses. Sync and send only ever ask this object.
"""

from __future__ import annotations

from dataclasses import dataclass

from flux.networks import Network, network_by_name
from wallet.address import decode_address_for, p2pkh_address, script_pubkey_for_address
from wallet.errors import InvalidKey, SigningError
from wallet.hd import HARDENED, HDKey
from wallet.keys import PrivateKey
from wallet.storage.model import HdSeed, ImportedKeys, WalletDocument, WatchOnly

RECEIVE = 0
CHANGE = 1
CHAINS = (RECEIVE, CHANGE)
# BIP32 depth of an account node m/44'/coin'/account'.
ACCOUNT_DEPTH = 3


@dataclass(frozen=True, slots=True)
class WalletAddress:
    """One address of the wallet and where it comes from (chain/index None = not derived)."""

    address: str
    script_pubkey: bytes
    chain: int | None = None
    index: int | None = None

    @property
    def is_change(self) -> bool:
        return self.chain == CHANGE


class Keychain:
    """Addresses of a wallet document; private keys only for spending wallets."""

    def __init__(
        self,
        network: Network,
        *,
        account_node: HDKey | None = None,
        keys: list[PrivateKey] | None = None,
        addresses: list[str] | None = None,
    ) -> None:
        self.network = network
        self._account = account_node
        self._chain_nodes: dict[int, HDKey] = {}
        self._derived: dict[tuple[int, int], WalletAddress] = {}
        self._fixed: dict[str, WalletAddress] = {}
        self._keys: dict[str, PrivateKey] = {}
        self._by_address: dict[str, WalletAddress] = {}
        self._by_script: dict[bytes, WalletAddress] = {}
        for key in keys or []:
            address = p2pkh_address(key.public_key(), network)
            self._keys[address] = key
            self._add_fixed(address)
        for address in addresses or []:
            decode_address_for(address, network)
            self._add_fixed(address.strip())

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def from_document(cls, document: WalletDocument, account: int = 0) -> Keychain:
        """Keychain of `document` (HD seed, imported WIFs or watch-only xpub/addresses)."""
        network = network_by_name(document.network)
        kind = document.kind
        if isinstance(kind, HdSeed):
            master = HDKey.from_mnemonic(kind.mnemonic, network, kind.passphrase)
            account_node = master.derive(f"m/44'/{network.coin_type}'/{account}'")
            return cls(network, account_node=account_node)
        if isinstance(kind, ImportedKeys):
            keys = [_key_for(wif, network) for wif in kind.wifs]
            return cls(network, keys=keys)
        assert isinstance(kind, WatchOnly)
        node: HDKey | None = None
        if kind.xpub:
            node = HDKey.from_extended_key(kind.xpub, network)
            if node.is_private:
                # Only files written before private keys were refused can hold one here; the
                # keychain never keeps it (see watch_only_xpub for new wallets).
                node = node.neutered()
            if node.depth != ACCOUNT_DEPTH or node.child_number < HARDENED:
                raise InvalidKey(
                    "Use the account xpub (path m/44'/coin'/account'); this key is at depth "
                    f"{node.depth}, so its addresses would not match your wallet."
                )
        return cls(network, account_node=node, addresses=list(kind.addresses))

    # --- addresses -------------------------------------------------------------------------

    @property
    def is_hd(self) -> bool:
        return self._account is not None

    @property
    def can_sign(self) -> bool:
        return bool(self._keys) or (self._account is not None and self._account.is_private)

    @property
    def account_xpub(self) -> str | None:
        return self._account.xpub() if self._account is not None else None

    def derive(self, chain: int, index: int) -> WalletAddress:
        """Address `index` of `chain` (0 receive, 1 change); HD and xpub wallets only."""
        cached = self._derived.get((chain, index))
        if cached is not None:
            return cached
        if self._account is None:
            raise InvalidKey("This wallet has no HD account, so it cannot derive new addresses.")
        if chain not in CHAINS:
            raise InvalidKey(f"Unknown address chain {chain}; use 0 (receive) or 1 (change).")
        parent = self._chain_nodes.get(chain)
        if parent is None:
            parent = self._account.child(chain)
            self._chain_nodes[chain] = parent
        address = p2pkh_address(parent.child(index).public_key, self.network)
        entry = WalletAddress(
            address, script_pubkey_for_address(address, self.network), chain, index
        )
        self._derived[(chain, index)] = entry
        self._remember(entry)
        return entry

    def derive_range(self, chain: int, start: int, count: int) -> list[WalletAddress]:
        return [self.derive(chain, i) for i in range(start, start + count)]

    @property
    def fixed_addresses(self) -> list[WalletAddress]:
        """Imported-key and listed watch-only addresses, in the order they were added."""
        return list(self._fixed.values())

    def lookup(self, address: str) -> WalletAddress | None:
        """The wallet's entry for `address` (derived so far or fixed), else None."""
        return self._by_address.get(address)

    def lookup_script(self, script_pubkey: bytes) -> WalletAddress | None:
        """The wallet's entry whose scriptPubKey is `script_pubkey` (derived so far or fixed)."""
        return self._by_script.get(bytes(script_pubkey))

    def is_compressed(self, address: str) -> bool:
        """Whether spending `address` shows a compressed public key (derived keys always do)."""
        key = self._keys.get(address)
        return key.compressed if key is not None else True

    def private_key(self, address: str) -> PrivateKey:
        """Key that signs for `address`; SigningError for watch-only or foreign addresses."""
        key = self._keys.get(address)
        if key is not None:
            return key
        entry = self._by_address.get(address)
        if entry is None or entry.chain is None or entry.index is None:
            raise SigningError(f"{address} is not an address of this wallet.")
        if self._account is None or not self._account.is_private:
            raise SigningError("This is a watch-only wallet: it cannot sign transactions.")
        node = self._account.child(entry.chain).child(entry.index)
        key = node.private_key
        return PrivateKey(key.secret, True, self.network)

    def _add_fixed(self, address: str) -> None:
        if address in self._fixed:
            return
        entry = WalletAddress(address, script_pubkey_for_address(address, self.network))
        self._fixed[address] = entry
        self._remember(entry)

    def _remember(self, entry: WalletAddress) -> None:
        self._by_address[entry.address] = entry
        self._by_script[entry.script_pubkey] = entry

    def __repr__(self) -> str:
        kind = "hd" if self.is_hd else "fixed"
        signing = "spending" if self.can_sign else "watch-only"
        return f"Keychain({self.network.name}, {kind}, {signing}, {len(self._fixed)} fixed)"


def watch_only_xpub(text: str, network: Network) -> str:
    """The xpub a watch-only wallet may store; InvalidKey for a private extended key.

    A pasted xprv would make the "watch-only" file able to spend, so it is refused rather than
    kept anywhere.
    """
    node = HDKey.from_extended_key(text.strip(), network)
    if node.is_private:
        raise InvalidKey(
            "That is a private extended key (xprv), which can spend the coins. A watch-only "
            "wallet needs the account's public key (xpub): export the xpub from the wallet "
            "that holds the coins, or restore from the seed phrase to spend."
        )
    return text.strip()


def _key_for(wif: str, network: Network) -> PrivateKey:
    key = PrivateKey.from_wif(wif)
    if key.network is not None and key.network.wif_prefix != network.wif_prefix:
        raise InvalidKey(
            f"An imported key is for {key.network.name}, but this wallet is on {network.name}."
        )
    return key

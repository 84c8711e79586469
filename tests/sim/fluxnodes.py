"""FluxNodes on the simulated chain: START validation with fluxd's rules and reject strings,
STARTED → CONFIRMED → expired, DOS and its release, and the payout of each tier's front node.

Rules and their order follow fluxd src/main.cpp (CheckTransaction → ContextualCheckTransaction →
AcceptToMemoryPool) and src/coins.cpp CheckFluxnodeTxInput; windows follow fluxnode.h after PON
(start window 240, DOS 720, confirm interval > 500, expiry after 640). Signatures are checked
with coincurve (msgsig.py), not with the wallet's code.

Nodes do not send CONFIRM transactions here: "simulated node software" confirms for the
identity keys it is told about (``run_node``): a started node confirms in the first block after
its START block and re-confirms once tip − last confirmed > 500, for as long as it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.sim.blocks import Block
from tests.sim.chain import Chain
from tests.sim.msgsig import ZELCASH_MAGIC, hash160, recover
from tests.sim.reject import REJECT_DUPLICATE, REJECT_INVALID, RPC_TRANSACTION_ERROR, SimReject
from tests.sim.reject import invalid as reject
from wallet.networks import Tier, tier_for_amount
from wallet.script import ScriptKind, classify_script, parse_multisig
from wallet.txmodel import DELEGATES_SIGNING, DELEGATES_UPDATE, FluxnodeStart, Transaction

Key = tuple[str, int]

MIN_CONFIRMATIONS = 100
START_WINDOW = 240
DOS_BLOCKS = 720
CONFIRM_MIN_INTERVAL = 500
CONFIRM_EXPIRY = 640
MAX_SIG_TIME = 3600
MEMPOOL_LIFETIME = 1800
NORMAL_BIT, P2SH_BIT, DELEGATES_BIT = 0x01, 0x02, 0x0100


@dataclass
class Node:
    key: Key
    tier: Tier
    amount: int
    script: bytes  # the collateral's scriptPubKey: payouts go there
    payment_address: str
    identity: bytes
    added_height: int
    confirmed_height: int = 0
    last_confirmed: int = 0
    last_paid: int = 0
    ip: str = ""


def _p2sh(tx: Transaction, start: FluxnodeStart) -> bool:
    version = start.flux_tx_version
    return tx.version == 6 and version is not None and (
        version == 2 or bool(version & P2SH_BIT)
    )


class FluxnodeModel:
    """Attach with ``FluxnodeModel(chain)``; the chain's servers then serve its lists."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.started: dict[Key, Node] = {}
        self.dos: dict[Key, Node] = {}
        self.confirmed: dict[Key, Node] = {}
        self.delegates: dict[Key, tuple[bytes, ...]] = {}
        self.online: dict[bytes, str] = {}  # identity pubkey -> the node's IP
        self.pending: dict[Key, tuple[str, int]] = {}  # mempool START: (txid, sigTime)
        self.seen: dict[str, int] = {}  # fluxd mapSeenFluxnodeTx: txid -> time first seen
        self.payouts: list[tuple[int, Key, int]] = []  # (height, node, satoshis)
        self._paying: dict[Tier, Key] = {}
        chain.fluxnode_check = self.check
        chain.node_payees = self.payees
        chain.listeners.append(self.on_block)
        chain.fluxnodes = self

    # ------------------------------------------------------------------------ node software

    def run_node(self, identity_pubkey: bytes, ip: str = "127.0.0.1") -> None:
        """A node with this identity key is online: it confirms and re-confirms in time."""
        self.online[bytes(identity_pubkey)] = ip

    def stop_node(self, identity_pubkey: bytes) -> None:
        self.online.pop(bytes(identity_pubkey), None)

    # ------------------------------------------------------------------------------ mempool

    def check(self, tx: Transaction) -> None:
        """fluxd's acceptance of a fluxnode tx into the mempool (SimReject on refusal)."""
        start = tx.fluxnode
        if not isinstance(start, FluxnodeStart):
            raise reject(REJECT_INVALID, "sim-fluxnode-confirm-unsupported (nodes confirm "
                                         "through FluxnodeModel.run_node)")
        txid = tx.txid
        if txid in self.seen:
            raise SimReject(RPC_TRANSACTION_ERROR, "")  # recently seen: dropped silently
        self._check_transaction(tx, start)
        key = (start.collateral.txid_hex, start.collateral.index)
        self._contextual(tx, start, key)
        now = self.chain.now()
        pending = self.pending.get(key)
        if pending is not None and start.sig_time <= pending[1]:
            raise reject(REJECT_DUPLICATE, "fluxnode-tx-outpoint-sigTime-older-cant-replace")
        if now - start.sig_time > MAX_SIG_TIME:
            raise reject(REJECT_DUPLICATE, "fluxnode-tx-sig-to-old")
        self._check_input(key)
        if pending is not None:
            self.chain.drop_from_mempool(pending[0])
        self.pending[key] = (txid, start.sig_time)
        self.seen[txid] = now
        self._expire_seen(now)

    def _expire_seen(self, now: int) -> None:
        """fluxd forgets a seen fluxnode tx after 1800 s and drops it if still unmined."""
        for txid, first in list(self.seen.items()):
            if now - first > MEMPOOL_LIFETIME:
                del self.seen[txid]
                self.chain.drop_from_mempool(txid)
        live = set(self.seen)
        self.pending = {k: v for k, v in self.pending.items() if v[0] in live}

    def _check_transaction(self, tx: Transaction, start: FluxnodeStart) -> None:
        """CheckTransaction: delegate data, redeem script, signature."""
        version = start.flux_tx_version or 0
        if version & DELEGATES_BIT:
            data = start.delegates
            if (not start.using_delegates or data is None
                    or data.kind not in (DELEGATES_UPDATE, DELEGATES_SIGNING)
                    or len(data.keys) > 4 or any(len(k) != 33 for k in data.keys)):
                raise reject(REJECT_INVALID, "bad-txns-fluxnode-tx-delegate-data-invalid")
        if _p2sh(tx, start) and parse_multisig(start.redeem_script) is None:
            raise reject(REJECT_INVALID, "bad-txns-fluxnode-tx-redeemscript-not-multisig")
        key = (start.collateral.txid_hex, start.collateral.index)
        if start.delegates is not None and start.delegates.kind == DELEGATES_SIGNING:
            allowed = set(self.delegates.get(key, ()))
        elif _p2sh(tx, start):
            script = parse_multisig(start.redeem_script)
            allowed = set(script.pubkeys) if script else set()
        else:
            allowed = {start.collateral_pubkey}
        signer = recover(start.sig, tx.txid.encode("ascii"), ZELCASH_MAGIC)
        if signer is None or hash160(signer) not in {hash160(k) for k in allowed}:
            raise reject(REJECT_INVALID, "bad-txns-fluxnode-tx-invalid-signature")

    def _contextual(self, tx: Transaction, start: FluxnodeStart, key: Key) -> None:
        """ContextualCheckTransaction: trackers, coin, script kind, destination."""
        if key in self.started or key in self.dos:
            raise reject(REJECT_INVALID, "fluxnode-tx-already-in-chain-or-waiting-for-dos-unban")
        if key in self.confirmed:
            raise reject(REJECT_INVALID, "fluxnode-tx-already-in-confirm-chain")
        if self.chain.unspent_count.get(key[0], 0) == 0:
            raise reject(REJECT_INVALID, "fluxnode-tx-coins-not-found")
        coin = self.chain.utxos.get(key)
        if coin is None:
            raise reject(REJECT_INVALID, "fluxnode-tx-coins-not-available")
        kind = classify_script(coin.script)
        if kind not in (ScriptKind.P2PKH, ScriptKind.P2SH):
            raise reject(REJECT_INVALID, "fluxnode-tx-failed-to-extract-destination")
        p2sh = _p2sh(tx, start)
        if tx.version == 6 and not p2sh and kind != ScriptKind.P2PKH:
            raise reject(REJECT_INVALID, "fluxnode-tx-normal-version-not-p2pkh-script")
        if p2sh and kind != ScriptKind.P2SH:
            raise reject(REJECT_INVALID, "fluxnode-tx-p2sh-version-not-p2sh-script")
        if kind == ScriptKind.P2SH:
            if not p2sh:
                raise reject(REJECT_INVALID, "fluxnode-tx-p2sh-publickeys-didn't-match")
            if hash160(start.redeem_script) != coin.script[2:22]:
                raise reject(REJECT_INVALID, "fluxnode-tx-p2shnodes-destinations-didn't-match")
        elif hash160(start.collateral_pubkey) != coin.script[3:23]:
            raise reject(REJECT_INVALID, "fluxnode-tx-destinations-didn't-match")

    def _check_input(self, key: Key) -> None:
        """coins.cpp CheckFluxnodeTxInput, for the START going into block tip + 1."""
        prefix = "bad-txns-fluxnode-inputs-invalid-spent-or-bad-value-"
        coin = self.chain.utxos.get(key)
        if coin is None or coin.height is None:
            raise reject(REJECT_INVALID, prefix + "Coins not available")
        if self.chain.tip_height + 1 - coin.height < MIN_CONFIRMATIONS:
            raise reject(REJECT_INVALID, prefix + "Minimum height requirement not met")
        if tier_for_amount(coin.value, self.chain.network, self.chain.tip_height + 1) is None:
            raise reject(REJECT_INVALID, prefix + "Couldn't get coin tier from amount")

    # ------------------------------------------------------------------------------- blocks

    def ordered(self, tier: Tier) -> list[Node]:
        """fluxd's payment queue of a tier: front = paid next."""
        nodes = [n for n in self.confirmed.values() if n.tier == tier]
        return sorted(nodes, key=lambda n: (n.last_paid or n.confirmed_height, n.last_paid > 0,
                                            n.key))

    def payees(self, height: int) -> dict[Tier, bytes]:
        self._paying = {}
        for tier in Tier:
            queue = self.ordered(tier)
            if queue:
                self._paying[tier] = queue[0].key
        return {tier: self.confirmed[key].script for tier, key in self._paying.items()}

    def on_block(self, block: Block) -> None:
        height = block.height
        self._paid(block)
        self._mined_starts(block)
        self._spent_collaterals()
        for key, node in list(self.started.items()):
            if node.identity in self.online and node.added_height < height:
                del self.started[key]
                node.confirmed_height = node.last_confirmed = height
                node.ip = self.online[node.identity]
                self.confirmed[key] = node
            elif height >= node.added_height + START_WINDOW:
                self.dos[self.started.pop(key).key] = node
        for key, node in list(self.confirmed.items()):
            if node.identity in self.online and height - node.last_confirmed > CONFIRM_MIN_INTERVAL:
                node.last_confirmed = height
            elif node.last_confirmed < height - CONFIRM_EXPIRY:
                del self.confirmed[key]
        for key, node in list(self.dos.items()):
            if node.added_height <= height - DOS_BLOCKS:
                del self.dos[key]
        self._expire_seen(self.chain.now())

    def _paid(self, block: Block) -> None:
        coinbase = self.chain.txs[block.txids[0]].tx
        for key in self._paying.values():
            node = self.confirmed.get(key)
            if node is None:
                continue
            paid = [o.value for o in coinbase.outputs[1:] if o.script_pubkey == node.script]
            if paid:
                node.last_paid = block.height
                self.payouts.append((block.height, key, paid[0]))
        self._paying = {}

    def _mined_starts(self, block: Block) -> None:
        for txid in block.txids[1:]:
            tx = self.chain.txs[txid].tx
            start = tx.fluxnode
            if not isinstance(start, FluxnodeStart):
                continue
            key = (start.collateral.txid_hex, start.collateral.index)
            self.pending.pop(key, None)
            coin = self.chain.utxos.get(key)
            tier = None if coin is None else tier_for_amount(
                coin.value, self.chain.network, block.height
            )
            if coin is None or tier is None:
                continue  # collateral spent in the same block: the START is void
            self.started[key] = Node(key, tier, coin.value, coin.script, coin.address or "",
                                     start.identity_pubkey, block.height)
            if start.delegates is not None and start.delegates.kind == DELEGATES_UPDATE:
                self.delegates[key] = start.delegates.keys

    def _spent_collaterals(self) -> None:
        for tracker in (self.started, self.confirmed):
            for key in [k for k in tracker if k not in self.chain.utxos]:
                del tracker[key]

    def count(self) -> dict[str, int]:
        """getfluxnodecount (the legacy basic/super/bamf names count the same tiers)."""
        per_tier = {tier: len(self.ordered(tier)) for tier in Tier}
        total = sum(per_tier.values())
        return {
            "total": total, "stable": total,
            "basic-enabled": per_tier[Tier.CUMULUS], "super-enabled": per_tier[Tier.NIMBUS],
            "bamf-enabled": per_tier[Tier.STRATUS],
            "cumulus-enabled": per_tier[Tier.CUMULUS], "nimbus-enabled": per_tier[Tier.NIMBUS],
            "stratus-enabled": per_tier[Tier.STRATUS],
            "ipv4": total, "ipv6": 0, "onion": 0,
        }

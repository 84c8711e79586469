"""Simulated blocks: coinbase transactions, merkle roots, headers and their hashes.

Blocks carry real serialized transactions; the header follows fluxd's layout (version, prev
hash, merkle root, final sapling root, time, bits, 32-byte nonce, Equihash solution) with an
empty solution, since the simulator does no proof of work. The hash is SHA256d of the header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flux.tiers import Tier
from tests.sim.params import reward_schedule
from wallet.encoding import sha256d, write_varint
from wallet.script import push_data
from wallet.txmodel import SEQUENCE_FINAL, OutPoint, Transaction, TxIn, TxOut

BLOCK_VERSION = 4
SIM_BITS = 0x200F0F0F  # regtest-style easiest target, reported by getblock
COINBASE_TAG = b"/fluxdesk-sim/"


@dataclass
class Block:
    height: int
    hash: str
    prev_hash: str
    time: int
    merkle_root: str
    txids: list[str]
    header: bytes
    size: int
    nonce: str
    bits: int = SIM_BITS
    raw_txs: list[bytes] = field(default_factory=list, repr=False)

    def serialize(self) -> bytes:
        return self.header + write_varint(len(self.raw_txs)) + b"".join(self.raw_txs)


def merkle_root(txids_internal: list[bytes]) -> bytes:
    """Bitcoin merkle root over txids in internal byte order (odd levels repeat the last)."""
    level = list(txids_internal) or [bytes(32)]
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def make_block(
    height: int, prev_hash: str, block_time: int, raw_txs: list[bytes], txids_hex: list[str]
) -> Block:
    """``txids_hex`` are given, not hashed here: a fluxnode txid leaves its signatures out."""
    txids = [bytes.fromhex(t)[::-1] for t in txids_hex]
    root = merkle_root(txids)
    nonce = sha256d(b"sim-nonce" + height.to_bytes(8, "little"))
    header = (
        BLOCK_VERSION.to_bytes(4, "little")
        + bytes.fromhex(prev_hash)[::-1]
        + root
        + bytes(32)
        + block_time.to_bytes(4, "little")
        + SIM_BITS.to_bytes(4, "little")
        + nonce
        + write_varint(0)
    )
    size = len(header) + len(write_varint(len(raw_txs))) + sum(len(r) for r in raw_txs)
    return Block(
        height=height,
        hash=sha256d(header)[::-1].hex(),
        prev_hash=prev_hash,
        time=block_time,
        merkle_root=root[::-1].hex(),
        txids=[t[::-1].hex() for t in txids],
        header=header,
        size=size,
        nonce=nonce[::-1].hex(),
        raw_txs=list(raw_txs),
    )


def coinbase_tx(
    height: int,
    miner_script: bytes,
    fees: int,
    *,
    pon_height: int = 0,
    node_payees: dict[Tier, bytes] | None = None,
    dev_fund_script: bytes | None = None,
    extra_outputs: list[TxOut] | None = None,
) -> Transaction:
    """The coinbase of block ``height``: PON reward split (flux.rewards) plus fees.

    Tiers with a payee in ``node_payees`` are paid their share; the dev-fund remainder goes to
    ``dev_fund_script`` when given. Whatever no node or dev fund takes (in a simulator with no
    fluxnodes: the whole block value) and the fees go to ``miner_script``. ``extra_outputs``
    are the simulator's own funding outputs (tests ask for coinbase coins of a given value).
    """
    tiers, dev = reward_schedule(pon_height).split(height)
    payees = node_payees or {}
    outputs: list[TxOut] = []
    miner_value = fees
    for tier, amount in tiers.items():
        script = payees.get(tier)
        if script is None:
            miner_value += amount
        else:
            outputs.append(TxOut(amount, script))
    if dev_fund_script is None:
        miner_value += dev
    else:
        outputs.append(TxOut(dev, dev_fund_script))
    outputs.insert(0, TxOut(miner_value, miner_script))
    outputs.extend(extra_outputs or [])
    height_num = height.to_bytes(5, "little").rstrip(b"\x00")
    if height_num and height_num[-1] & 0x80:
        height_num += b"\x00"  # CScriptNum: keep the number positive (BIP34 height push)
    script_sig = push_data(height_num)
    script_sig += push_data(COINBASE_TAG)
    coinbase_in = TxIn(OutPoint(bytes(32), 0xFFFFFFFF), script_sig, SEQUENCE_FINAL)
    return Transaction(inputs=[coinbase_in], outputs=outputs, expiry_height=0)

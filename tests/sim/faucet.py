"""The simulator's own coins: a faucet key that funds test and demo addresses.

The faucet receives the genesis allocation (``SimParams.premine``) in block 1 and pays out with
real v4 transactions (1 sat/B fee, change back to itself). ``fund`` signs and validates like any
broadcast; ``fund_many`` builds thousands of funding transactions straight into blocks and, by
default, skips the signature (a placeholder of the right size), because only their bytes and
txids matter to clients and signing is the dominant cost. Either way every transaction is a real
serialization whose txid is the hash of its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tests.sim.chain import Chain, Key
from tests.sim.validate import Coin
from wallet.address import p2pkh_address, script_pubkey_for_address
from wallet.encoding import sha256, sha256d
from wallet.keys import PrivateKey
from wallet.script import p2pkh_script, push_data
from wallet.signing import sign_p2pkh_inputs, v4_transparent_size
from wallet.txmodel import OutPoint, Transaction, TxIn, TxOut

FAUCET_SEED = b"fluxdesk simulator faucet (test-only key)"
# P2PKH scriptSig with a 72-byte DER+hashtype signature and a 33-byte key: what signing adds.
PLACEHOLDER_SIG = b"\x30" + bytes(70) + b"\x01"
FUNDING_FEE_PER_BYTE = 1


@dataclass(frozen=True)
class Funded:
    """One funded output: where it is and what it holds."""

    txid: str
    vout: int
    address: str
    satoshis: int


class Faucet:
    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.key = PrivateKey(sha256(FAUCET_SEED), compressed=True)
        self.address = p2pkh_address(self.key.public_key(), chain.network)
        self.script = p2pkh_script(self.key.pubkey_hash())

    def bootstrap(self) -> None:
        """Genesis, the premine in block 1, then enough blocks for it to mature."""
        chain = self.chain
        if chain.blocks:
            return
        chain.mine_block(self.script)
        premine = TxOut(chain.params.premine, self.script)
        chain.mine_block(self.script, coinbase_outputs=[premine])
        for _ in range(chain.params.coinbase_maturity):
            chain.mine_block(self.script)

    # ------------------------------------------------------------------------------- coins

    def _spendable(self, *, confirmed_only: bool = False) -> tuple[Key, Coin]:
        """The faucet's largest coin that is mature and not spent in the mempool."""
        chain = self.chain
        next_height = chain.tip_height + 1
        best: tuple[Key, Coin] | None = None
        for key, coin in chain.index.utxos.get(self.address, {}).items():
            if (key in chain.mempool_spends) or (
                coin.coinbase and coin.height is not None
                and next_height - coin.height < chain.params.coinbase_maturity
            ):
                continue
            if best is None or coin.value > best[1].value:
                best = (key, coin)
        for entry in () if confirmed_only else chain.mempool.values():
            for n, out in enumerate(entry.tx.outputs):
                if out.script_pubkey == self.script and (entry.txid, n) not in chain.mempool_spends:
                    coin = Coin(out.value, out.script_pubkey, self.address, None, False)
                    if best is None or coin.value > best[1].value:
                        best = ((entry.txid, n), coin)
        if best is None:
            raise RuntimeError("the simulator faucet has no spendable coin; mine more blocks")
        return best

    def payment(
        self, source: tuple[Key, Coin], outputs: list[TxOut], *, sign: bool
    ) -> tuple[Transaction, bytes, int]:
        """A v4 tx spending ``source`` to ``outputs`` plus change; (tx, raw, fee)."""
        (txid, vout), coin = source
        tx = Transaction(inputs=[TxIn(OutPoint.from_hex(txid, vout))], outputs=list(outputs))
        tx.outputs.append(TxOut(0, self.script))
        tx.inputs[0].script_sig = push_data(PLACEHOLDER_SIG) + push_data(self.key.public_key())
        input_size = 32 + 4 + 1 + len(tx.inputs[0].script_sig) + 4
        fee = v4_transparent_size([input_size], [o.script_pubkey for o in tx.outputs])
        fee *= FUNDING_FEE_PER_BYTE
        change = coin.value - sum(o.value for o in outputs) - fee
        if change < 0:
            raise RuntimeError("the simulator faucet cannot cover this amount")
        tx.outputs[-1] = TxOut(change, self.script)
        if sign:
            sign_p2pkh_inputs(tx, [(self.key, coin.value)], branch_id=self.chain.params.branch_id)
        return tx, tx.serialize(), fee

    # ----------------------------------------------------------------------------- funding

    def send(self, address: str, satoshis: int) -> Funded:
        """Broadcast a signed faucet payment through full validation (it lands in the mempool)."""
        script = script_pubkey_for_address(address, self.chain.network)
        _tx, raw, _fee = self.payment(self._spendable(), [TxOut(satoshis, script)], sign=True)
        txid = self.chain.submit(raw.hex())
        return Funded(txid, 0, address, satoshis)

    def fund_many(
        self, outputs: Sequence[tuple[str, int]], *, per_block: int = 100, sign: bool = False
    ) -> list[Funded]:
        """One funding tx per (address, satoshis), mined ``per_block`` to a block, in order."""
        chain = self.chain
        scripts: dict[str, bytes] = {}
        funded: list[Funded] = []
        source = self._spendable(confirmed_only=True)
        batch: list[tuple[Transaction, bytes, list[Coin], int]] = []
        for address, satoshis in outputs:
            script = scripts.get(address)
            if script is None:
                script = scripts[address] = script_pubkey_for_address(address, chain.network)
            tx, raw, fee = self.payment(source, [TxOut(satoshis, script)], sign=sign)
            txid = sha256d(raw)[::-1].hex()
            batch.append((tx, raw, [source[1]], fee))
            funded.append(Funded(txid, 0, address, satoshis))
            change = tx.outputs[-1].value
            source = ((txid, 1), Coin(change, self.script, self.address, None, False))
            if len(batch) >= per_block:
                chain.mine_block(self.script, include_mempool=False, extra=batch)
                batch = []
        if batch:
            chain.mine_block(self.script, include_mempool=False, extra=batch)
        return funded

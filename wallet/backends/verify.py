"""Do not trust the backend: take input values and scripts from the previous transactions.

Before signing, each input's previous transaction is fetched raw, hashed, and compared with the
txid the input spends; value and scriptPubKey are then read from those bytes. A server that lies
about an amount (which would make the ZIP-243 signature commit to a wrong value, or hide a fee)
is caught here, before anything is signed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from wallet.backends import parsing as p
from wallet.backends.base import ChainBackend, Utxo
from wallet.errors import BackendMismatch, BackendResponseError, DecodeError, WalletError
from wallet.tx import Transaction


class PrevOut(NamedTuple):
    value: int
    script_pubkey: bytes
    # The previous transaction is a coinbase (block or node reward): needs 100 confirmations.
    coinbase: bool


def verify_prevout(raw_hex: str, txid: str, vout: int) -> PrevOut:
    """Check `raw_hex` hashes to `txid` and return output `vout` taken from the raw bytes."""
    if not p.is_txid(txid):
        raise BackendMismatch(f"{txid!r:.70} is not a transaction id.")
    if not isinstance(raw_hex, str) or not raw_hex or not p.is_hex(raw_hex):
        raise BackendResponseError(
            f"The server sent something that is not a transaction for {txid[:16]}…; nothing "
            "was signed. Try another server."
        )
    try:
        tx = Transaction.parse(bytes.fromhex(raw_hex))
    except (DecodeError, WalletError):
        raise BackendResponseError(
            f"The server's copy of transaction {txid[:16]}… does not parse; nothing was signed. "
            "Try another server."
        ) from None
    if tx.txid != txid.lower():
        raise BackendMismatch(
            f"The server sent a different transaction than {txid[:16]}… (it hashes to "
            f"{tx.txid[:16]}…). Nothing was signed. Switch to another server."
        )
    if not 0 <= vout < len(tx.outputs):
        raise BackendMismatch(
            f"Transaction {txid[:16]}… has no output {vout}; the server's coin list is wrong. "
            "Nothing was signed. Refresh or switch server."
        )
    output = tx.outputs[vout]
    return PrevOut(output.value, output.script_pubkey, _is_coinbase(tx))


def check_utxo(utxo: Utxo, prevout: PrevOut) -> None:
    """Raise BackendMismatch if what the server listed differs from the verified output."""
    if utxo.satoshis != prevout.value:
        raise BackendMismatch(
            f"The server reported {utxo.satoshis} satoshis for coin {utxo.txid[:16]}…:{utxo.vout}, "
            f"but the transaction itself says {prevout.value}. Nothing was signed or sent. "
            "Switch to another server."
        )
    if utxo.script_pubkey and utxo.script_pubkey != prevout.script_pubkey:
        raise BackendMismatch(
            f"The server reported a different script for coin {utxo.txid[:16]}…:{utxo.vout} than "
            "the transaction contains. Nothing was signed or sent. Switch to another server."
        )


async def fetch_verified_prevouts(
    backend: ChainBackend, outpoints: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], PrevOut]:
    """Fetch each distinct previous transaction once and verify every requested outpoint."""
    wanted = list(dict.fromkeys((txid.lower(), vout) for txid, vout in outpoints))
    raw_by_txid: dict[str, str] = {}
    for txid, _ in wanted:
        if txid not in raw_by_txid:
            raw_by_txid[txid] = await backend.raw_transaction(txid)
    return {(txid, vout): verify_prevout(raw_by_txid[txid], txid, vout) for txid, vout in wanted}


async def verified_utxos(backend: ChainBackend, utxos: Iterable[Utxo]) -> list[Utxo]:
    """The same coins with value and script read from verified raw transactions.

    Raises BackendMismatch when the backend's claim differs (a lie or a broken server).
    """
    coins = list(utxos)
    prevouts = await fetch_verified_prevouts(backend, (u.outpoint for u in coins))
    result = []
    for coin in coins:
        prevout = prevouts[(coin.txid.lower(), coin.vout)]
        check_utxo(coin, prevout)
        result.append(
            Utxo(
                coin.txid.lower(),
                coin.vout,
                coin.address,
                prevout.value,
                prevout.script_pubkey,
                coin.height,
                coin.confirmations,
                coin.coinbase or prevout.coinbase,
            )
        )
    return result


def _is_coinbase(tx: Transaction) -> bool:
    if len(tx.inputs) != 1:
        return False
    prevout = tx.inputs[0].prevout
    return prevout.txid == bytes(32) and prevout.index == 0xFFFFFFFF

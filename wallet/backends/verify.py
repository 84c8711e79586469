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
from wallet.encoding import sha256d
from wallet.errors import BackendMismatch, DecodeError, WalletError
from wallet.tx import Transaction
from wallet.txcodec import MAX_TX_BYTES, parse_transaction


class PrevOut(NamedTuple):
    value: int
    script_pubkey: bytes


def verify_transaction(raw_hex: str, txid: str) -> Transaction:
    """Parse `raw_hex` and check that it hashes to `txid`; the parsed tx is then trustworthy."""
    if not p.is_txid(txid):
        raise BackendMismatch(f"{txid!r:.70} is not a transaction id.")
    if isinstance(raw_hex, str) and len(raw_hex) > 2 * MAX_TX_BYTES:
        raise p.BadReply(
            f"The server's copy of transaction {txid[:16]}… is larger than fluxd allows "
            f"({len(raw_hex) // 2:,} bytes, at most {MAX_TX_BYTES:,}); nothing was signed. "
            "Switch to another server."
        )
    raw = _hex_bytes(raw_hex)
    if not raw:
        raise p.BadReply(
            f"The server sent something that is not a transaction for {txid[:16]}…; nothing "
            "was signed. Try another server."
        )
    try:
        tx = parse_transaction(raw, bounded=True)
    except (DecodeError, WalletError) as exc:
        raise p.BadReply(
            f"The server's copy of transaction {txid[:16]}… does not parse ({exc}); nothing was "
            "signed. Try another server."
        ) from None
    # A txid is the hash of the very bytes (fluxd hashes what it serializes, and a parse that
    # succeeded read all of them); only a fluxnode tx leaves its signatures out of the hash.
    actual = tx.txid if tx.is_fluxnode else sha256d(raw)[::-1].hex()
    if actual != txid.lower():
        raise BackendMismatch(
            f"The server sent a different transaction than {txid[:16]}… (it hashes to "
            f"{actual[:16]}…). Nothing was signed. Switch to another server."
        )
    return tx


def _hex_bytes(value: object) -> bytes:
    """The bytes of plain hex text, b"" for anything else (fromhex alone would skip spaces)."""
    if not isinstance(value, str):
        return b""
    try:
        data = bytes.fromhex(value)
    except ValueError:
        return b""
    return data if 2 * len(data) == len(value) else b""


def output_of(tx: Transaction, vout: int) -> PrevOut:
    if not 0 <= vout < len(tx.outputs):
        raise BackendMismatch(
            f"Transaction {tx.txid[:16]}… has no output {vout}; the server's coin list is wrong. "
            "Nothing was signed. Refresh or switch server."
        )
    output = tx.outputs[vout]
    return PrevOut(output.value, output.script_pubkey)


def verify_prevout(raw_hex: str, txid: str, vout: int) -> PrevOut:
    """Check `raw_hex` hashes to `txid`; return (value, scriptPubKey) of output `vout` from it."""
    return output_of(verify_transaction(raw_hex, txid), vout)


def is_coinbase(tx: Transaction) -> bool:
    """A block or node reward (needs 100 confirmations before it can be spent)."""
    if len(tx.inputs) != 1:
        return False
    prevout = tx.inputs[0].prevout
    return prevout.txid == bytes(32) and prevout.index == 0xFFFFFFFF


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


async def fetch_verified_transactions(
    backend: ChainBackend, txids: Iterable[str]
) -> dict[str, Transaction]:
    """Fetch each distinct transaction once and check it hashes to its txid."""
    result: dict[str, Transaction] = {}
    for txid in dict.fromkeys(t.lower() for t in txids):
        result[txid] = verify_transaction(await backend.raw_transaction(txid), txid)
    return result


async def fetch_verified_prevouts(
    backend: ChainBackend, outpoints: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], PrevOut]:
    """Verified (value, scriptPubKey) for each outpoint, fetching each transaction once."""
    wanted = list(dict.fromkeys((txid.lower(), vout) for txid, vout in outpoints))
    txs = await fetch_verified_transactions(backend, (txid for txid, _ in wanted))
    return {(txid, vout): output_of(txs[txid], vout) for txid, vout in wanted}


async def verified_utxos(backend: ChainBackend, utxos: Iterable[Utxo]) -> list[Utxo]:
    """The same coins with value, script and coinbase flag read from verified transactions.

    Raises BackendMismatch when the backend's claim differs (a lie or a broken server).
    """
    coins = list(utxos)
    txs = await fetch_verified_transactions(backend, (u.txid for u in coins))
    result = []
    for coin in coins:
        tx = txs[coin.txid.lower()]
        prevout = output_of(tx, coin.vout)
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
                coin.coinbase or is_coinbase(tx),
            )
        )
    return result

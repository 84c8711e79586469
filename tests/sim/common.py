"""Pieces both servers share: fluxd RPC errors, hash and address parsing, the fee estimate."""

from __future__ import annotations

from functools import lru_cache
from statistics import median

from flux.money import COIN
from flux.networks import Network, same_encoding
from tests.sim.chain import Chain
from wallet.address import decode_address
from wallet.errors import InvalidAddress

RPC_MISC_ERROR = -1
RPC_TYPE_ERROR = -3
RPC_INVALID_ADDRESS_OR_KEY = -5
RPC_INVALID_PARAMETER = -8
RPC_INVALID_REQUEST = -32600
RPC_METHOD_NOT_FOUND = -32601
RPC_PARSE_ERROR = -32700
FEE_ESTIMATE_BLOCKS = 10


class RpcError(Exception):
    """A fluxd JSON-RPC error object {code, message}."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_hash(value: object, name: str) -> str:
    """fluxd ParseHashV: 64 hex characters, else RPC -8 with fluxd's text."""
    if not isinstance(value, str):
        raise RpcError(RPC_TYPE_ERROR, f"{name} must be a string")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise RpcError(
            RPC_INVALID_PARAMETER, f"{name} must be hexadecimal string (not '{value}')"
        ) from None
    if len(value) != 64:
        raise RpcError(
            RPC_INVALID_PARAMETER, f"{name} must be of length 64 (not {len(value)})"
        )
    return value.lower()


@lru_cache(maxsize=65536)
def address_network(address: str) -> Network | None:
    """The network an address decodes to (testnet for regtest ones), None if invalid."""
    try:
        return decode_address(address)[0]
    except InvalidAddress:
        return None


def address_on_chain(chain: Chain, address: str) -> bool:
    """True if ``address`` decodes and belongs to the simulated network."""
    network = address_network(address)
    return network is not None and same_encoding(network, chain.network)


def estimate_fee(chain: Chain, blocks: int) -> float:
    """FLUX per kB like ``estimatefee``: -1 without recent data, else the median paid rate.

    fluxd's estimator needs many blocks of history; the simulator uses the median fee rate of
    the transactions in the last ten blocks, so a quiet chain answers -1 as fluxd usually does.
    """
    if blocks < 1:
        return -1.0
    rates: list[float] = []
    for block in chain.blocks[-FEE_ESTIMATE_BLOCKS:]:
        for txid in block.txids[1:]:
            entry = chain.txs.get(txid)
            if entry is not None and entry.fee > 0:
                rates.append(entry.fee * 1000 / len(entry.raw))
    if not rates:
        return -1.0
    return round(median(rates)) / COIN

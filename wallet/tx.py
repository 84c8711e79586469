"""Public entry to transactions: the model, its wire format, ZIP-243 hashes and P2PKH signing.

``Transaction.parse(raw)`` reads any Flux transaction (v1-v4 with shielded parts, fluxnode v5/v6);
``signature_hash`` is the ZIP-243 digest fluxd checks; ``build_signed_transaction`` builds and
signs a transparent v4 spend.
"""

from __future__ import annotations

from wallet.sighash import (
    FLUX_BRANCH_ID,
    NOT_AN_INPUT,
    SIGHASH_ALL,
    SIGHASH_ANYONECANPAY,
    SIGHASH_NONE,
    SIGHASH_SINGLE,
    SighashContext,
    signature_hash,
)
from wallet.txbuild import build_signed_transaction, build_unsigned
from wallet.txmodel import (
    SAPLING_VERSION_GROUP_ID,
    JoinSplit,
    OutPoint,
    OutputDescription,
    SpendDescription,
    Transaction,
    TxIn,
    TxOut,
)

__all__ = [
    "FLUX_BRANCH_ID",
    "NOT_AN_INPUT",
    "SAPLING_VERSION_GROUP_ID",
    "SIGHASH_ALL",
    "SIGHASH_ANYONECANPAY",
    "SIGHASH_NONE",
    "SIGHASH_SINGLE",
    "JoinSplit",
    "OutPoint",
    "OutputDescription",
    "SighashContext",
    "SpendDescription",
    "Transaction",
    "TxIn",
    "TxOut",
    "build_signed_transaction",
    "build_unsigned",
    "signature_hash",
]

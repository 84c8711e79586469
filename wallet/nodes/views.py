"""What the CLI and the GUI show of a node and of a START before it is sent, and the
parsing of a collateral outpoint typed by a person."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wallet.fluxid import flux_id_from_mnemonic
from wallet.nodes.errors import NodeInputError
from wallet.nodes.lists import Outpoint
from wallet.nodes.reward_series import RewardSeries
from wallet.nodes.rewards import RewardTotals
from wallet.nodes.start import Maturity
from wallet.nodes.state import NodeStatus, StartRecord
from wallet.storage.model import HdSeed, WalletDocument
from wallet.txmodel import Transaction

_OUTPOINT = re.compile(r"^\s*([0-9a-fA-F]{64})\s*[:\-]\s*(\d{1,10})\s*$")


def parse_outpoint(text: str) -> Outpoint:
    """"TXID:VOUT" (or "TXID-VOUT") -> (lower-case txid, vout); NodeInputError otherwise."""
    match = _OUTPOINT.match(text)
    if match is None or int(match.group(2)) > 0xFFFFFFFF:
        raise NodeInputError(
            f"{text[:80]!r} is not a collateral outpoint. Write it as TXID:VOUT, the 64 hex "
            "characters of the transaction id, a colon and the output number (e.g. …abc:0).")
    return match.group(1).lower(), int(match.group(2))


@dataclass(frozen=True)
class NodeView:
    """One node entry as the CLI and the GUI show it."""

    name: str
    outpoint: Outpoint
    tier: str  # "cumulus", "nimbus", "stratus"; "" when the coin is not (or no longer) ours
    satoshis: int | None  # the collateral coin's amount; None when the wallet has no such coin
    address: str | None  # the collateral's address (payouts go there)
    maturity: Maturity | None
    status: NodeStatus  # state in words with the next step, rank, next payment ETA
    last_start: StartRecord | None
    rewards: RewardTotals
    ip: str
    identity_source: str
    series: RewardSeries  # rewards by local day and month, for the chart

    @property
    def collateral_missing(self) -> bool:
        return self.satoshis is None


@dataclass(frozen=True)
class StartReview:
    """What a START will sign: shown before it is broadcast. A START has no inputs and no fee."""

    name: str
    outpoint: Outpoint
    tier: str
    collateral_address: str
    identity_pubkey_hex: str
    sig_time: int
    version: int
    txid: str
    replaces_pending: bool
    tx: Transaction

    def describe(self) -> str:
        lines = [
            f"START node {self.name} ({self.tier.title()})",
            f"  collateral      {self.outpoint[0]}:{self.outpoint[1]}",
            f"  signed by       the key of {self.collateral_address}",
            f"  identity key    {self.identity_pubkey_hex}",
            f"  signature time  {self.sig_time}",
            f"  transaction     v{self.version} {self.txid}",
            "  no inputs, no fee: a START spends nothing",
        ]
        if self.replaces_pending:
            lines.append("  replaces the START still pending for this node")
        return "\n".join(lines)


def wallet_flux_id(document: WalletDocument) -> str:
    """The Flux ID of an open wallet's document (NodeInputError: a wallet without a seed)."""
    kind = document.kind
    if not isinstance(kind, HdSeed):
        raise NodeInputError("This wallet has no seed phrase, so it has no Flux ID of its "
                             "own. Use a wallet made from a seed phrase.")
    return flux_id_from_mnemonic(kind.mnemonic, kind.passphrase).address

"""The review before a START is broadcast, and how its outcome is told.

A START has no inputs, no outputs and no fee: the review shows what is signed (collateral,
identity key, signature time, network) and no fee row. Only the explicit Broadcast button sends.
A refused START is shown as refused with its next step, never as success.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from PySide6.QtWidgets import QWidget

from ui.wallet.confirm_dialog import ConfirmDialog, mono
from ui.wallet.nodes_widgets import full_outpoint
from wallet.errors import BroadcastRejected
from wallet.nodes.errors import StartMaybeSent, StartRefused
from wallet.nodes.timing import PON_TIMING, blocks_to_seconds, describe_duration
from wallet.nodes.views import StartReview

Outpoint = tuple[str, int]


def _blocks(blocks: int) -> str:
    return describe_duration(blocks_to_seconds(blocks, PON_TIMING))


def hex_lines(text: str, width: int = 66) -> str:
    """Long hex in lines of ``width`` (a 130-character public key would widen the dialog past
    the screen); the tooltip keeps it in one piece."""
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def signed_time(sig_time: int) -> str:
    stamp = datetime.fromtimestamp(sig_time, tz=UTC)
    return f"{sig_time}  ({stamp:%Y-%m-%d %H:%M:%S} UTC)"


class StartReviewDialog(ConfirmDialog):
    """What the START says, field by field; Cancel is the default button."""

    def __init__(self, review: StartReview, *, network: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(review, self.tr("Review node start"), parent)
        add = partial(self.add, wrap=True)

        add("node", self.tr("Node"), f"{review.name} ({review.tier.title()})")
        add("network", self.tr("Network"), network)
        add("collateral", self.tr("Collateral"), full_outpoint(review.outpoint), fixed=True)
        add("signer", self.tr("Signed by"), self.tr("the key of your address %s") %
            review.collateral_address)
        add("identity", self.tr("Identity public key"), hex_lines(review.identity_pubkey_hex),
            fixed=True)
        self.fields["identity"].setToolTip(review.identity_pubkey_hex)
        add("sig_time", self.tr("Signature time"), signed_time(review.sig_time))
        add("version", self.tr("Transaction"), self.tr(
            "FluxNode START, version %d,\nid %s") % (review.version, review.txid))
        add("cost", self.tr("Cost"), self.tr(
            "None: a START spends no coins and pays no fee; the collateral stays in this "
            "wallet."))
        if review.replaces_pending:
            add("replaces", self.tr("Replaces"), self.tr(
                "the START of this node that is still pending (a newer signature time "
                "replaces it)"))
        self.fields["version"].setFont(mono())
        self.finish(self.tr("Check before starting"), self.tr(
            "The node must already run with this identity key and collateral in its flux.conf, "
            "be synced and pass its benchmark: a START that does not confirm within %s puts "
            "the collateral in the DOS list, and it can only start again %s after this "
            "START.") % (_blocks(PON_TIMING.start_window), _blocks(PON_TIMING.dos_blocks)),
            self.tr("Broadcast START"))
        self.resize(640, self.sizeHint().height())


def start_outcome(error: BaseException) -> tuple[str, str]:
    """(state, sentence) for a START that did not plainly succeed; state is "bad" or "warn".

    StartMaybeSent is not a refusal: the node shows as starting and a retry later is safe.
    """
    if isinstance(error, StartMaybeSent):
        return "warn", str(error)
    if isinstance(error, StartRefused):
        # The message already carries the ETA ("start possible in 63 blocks (about 32 min)").
        return "bad", f"Not started: {error}"
    if isinstance(error, BroadcastRejected):
        if error.maybe_sent:
            return "warn", f"START may have been sent: {error}"
        return "bad", f"The network refused the START: {error}"
    return "bad", f"Not started: {error}"

"""The Nodes page's dialogs on their own: add a node, its configuration, the START review and how
a START's outcome is worded (a refusal never reads as success)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from flux.money import COIN
from flux.networks import MAINNET, REGTEST
from flux.tiers import Tier
from ui.wallet.node_dialogs import AddNodeDialog, NodeConfigDialog, check_identity_wif
from ui.wallet.node_review import StartReviewDialog, start_outcome
from ui.wallet.nodes_table import about, compact
from ui.wallet.nodes_widgets import EmptyNodes, FluxIdPanel, short_outpoint, tier_amounts
from ui.wallet.units import money, separators
from wallet.backends.fluxnode_errors import FluxnodeRejectKind
from wallet.errors import BroadcastRejected
from wallet.fluxnode import create_identity_key
from wallet.keys import PrivateKey
from wallet.nodes.collateral import CollateralCoin, Decision
from wallet.nodes.errors import StartMaybeSent, StartRefused
from wallet.nodes.start import Collateral, build_verified_start, maturity
from wallet.nodes.views import StartReview
from wallet.storage.model import NodeEntry

pytestmark = pytest.mark.gui
TXID = "ab" * 32
OTHER = "cd" * 32


def coin(txid: str, height: int | None, *, tip: int = 200, node: str | None = None,
         sats: int = 1_000 * COIN) -> CollateralCoin:
    return CollateralCoin((txid, 1), sats, Tier.CUMULUS, Decision.UNDECIDED, True, node,
                          maturity(height, tip))


def test_add_dialog_shows_maturity_and_refuses_bad_input(qtbot: QtBot) -> None:
    taken = coin("ef" * 32, 10, node="old")
    dialog = AddNodeDialog([coin(TXID, 150), coin(OTHER, 50), taken], REGTEST, ["old"],
                           chosen=(OTHER, 1))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2  # the coin of node "old" is not offered again
    assert dialog.table.item(0, 3).text().startswith("51/100: ready in 49 blocks")
    assert dialog.table.item(1, 3).text() == "Ready"
    chosen = dialog.chosen()
    assert chosen is not None and chosen.outpoint == (OTHER, 1)
    assert not dialog.add_button.isEnabled()
    dialog.name.setText("old")
    assert "already exists" in dialog.problem.text()
    dialog.name.setText("bad name")
    assert "may use" in dialog.problem.text()
    dialog.name.setText("node-1")
    assert dialog.add_button.isEnabled()
    dialog.paste_key.setChecked(True)
    assert not dialog.add_button.isEnabled()
    dialog.wif.setText("not-a-key")
    assert "not a WIF" in dialog.problem.text()
    mainnet_key = create_identity_key().to_wif(MAINNET)
    dialog.wif.setText(mainnet_key)
    assert "mainnet key" in dialog.problem.text()
    wif = create_identity_key().to_wif(REGTEST)
    dialog.wif.setText(wif)
    assert dialog.problem.text() == ""
    with qtbot.waitSignal(dialog.add_requested) as sent:
        dialog.add_button.click()
    assert sent.args == ["node-1", (OTHER, 1), wif]
    assert dialog.wif.text() == ""  # the secret does not linger in the widget


def test_add_dialog_with_no_candidate_says_what_to_do(qtbot: QtBot) -> None:
    dialog = AddNodeDialog([], REGTEST, [])
    qtbot.addWidget(dialog)
    assert not dialog.none_note.isHidden() and dialog.table.isHidden()
    assert "exact tier amount" in dialog.none_note.text()
    assert not dialog.add_button.isEnabled()


def test_identity_check_takes_only_this_networks_keys() -> None:
    assert check_identity_wif(create_identity_key().to_wif(MAINNET), MAINNET) == ""
    assert "regtest" in check_identity_wif(create_identity_key().to_wif(MAINNET), REGTEST)


def test_config_dialog_gives_the_flux_conf_lines_and_the_fluxnode_conf_line(
    qtbot: QtBot,
) -> None:
    wif = create_identity_key().to_wif(MAINNET)
    entry = NodeEntry("alpha", TXID, 1, wif, "203.0.113.5")
    dialog = NodeConfigDialog(entry, MAINNET)
    qtbot.addWidget(dialog)
    assert dialog.flux_conf.toPlainText() == (
        f"zelnode=1\nzelnodeprivkey={wif}\nzelnodeoutpoint={TXID}\nzelnodeindex=1\n")
    assert dialog.conf_line.toPlainText() == f"alpha 203.0.113.5:16125 {wif} {TXID} 1\n"
    dialog.copy_line.click()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text().startswith("alpha 203.0.113.5:16125")


def test_start_review_says_what_is_signed_and_shows_no_fee(qtbot: QtBot) -> None:
    owner = PrivateKey.generate()
    identity = create_identity_key()
    tx = build_verified_start(Collateral(TXID, 1, 1_000 * COIN, 10), owner,
                              identity.public_key(), 1_764_940_000)
    review = StartReview("alpha", (TXID, 1), "cumulus", "tmOwnerAddress",
                         identity.public_key().hex(), 1_764_940_000, tx.version, tx.txid,
                         False, tx)
    dialog = StartReviewDialog(review, network="regtest")
    qtbot.addWidget(dialog)
    assert dialog.fields["node"].text() == "alpha (Cumulus)"
    assert dialog.fields["collateral"].text() == f"{TXID}:1"
    assert dialog.fields["identity"].text().replace("\n", "") == identity.public_key().hex()
    assert "tmOwnerAddress" in dialog.fields["signer"].text()
    assert dialog.fields["sig_time"].text().startswith("1764940000  (2025-12-05 ")
    assert dialog.fields["network"].text() == "regtest"
    assert tx.txid in dialog.fields["version"].text()
    assert "fee" not in dialog.fields and "replaces" not in dialog.fields
    assert dialog.cancel_button.isDefault() and not dialog.broadcast_button.isDefault()
    with qtbot.waitSignal(dialog.broadcast_requested) as sent:
        dialog.broadcast_button.click()
    assert sent.args == [review]


@pytest.mark.parametrize("kind", list(FluxnodeRejectKind))
def test_every_fluxnode_reject_reads_as_refused(kind: FluxnodeRejectKind) -> None:
    state, words = start_outcome(BroadcastRejected("plain words", kind=str(kind), code=-26,
                                                   detail=""))
    assert state == "bad" and words.startswith("The network refused the START")


def test_maybe_sent_and_precheck_refusal_words() -> None:
    state, words = start_outcome(StartMaybeSent("START x may have been sent", txid="x",
                                                sig_time=1))
    assert state == "warn" and "may have been sent" in words
    state, words = start_outcome(StartRefused("37/100 confirmations; start possible in 63 "
                                              "blocks (about 32 min).", reason="maturity",
                                              eta_seconds=1890))
    assert state == "bad" and words.startswith("Not started: 37/100")


def test_empty_state_and_flux_id_panel(qtbot: QtBot) -> None:
    empty = EmptyNodes(MAINNET)
    qtbot.addWidget(empty)
    # The app's one amount format (ui/wallet/units.money: the locale's separators, the unit word).
    assert tier_amounts(MAINNET) == (f"{money(1000 * COIN, 'FLUX')} (Cumulus), "
                                     f"{money(12_500 * COIN, 'FLUX')} (Nimbus) or "
                                     f"{money(40_000 * COIN, 'FLUX')} (Stratus)")
    assert money(40_000 * COIN, "FLUX") == f"40{separators()[0]}000 FLUX"
    assert tier_amounts(MAINNET) in empty.text.text()
    assert empty.setup_button.isHidden()
    empty.set_setup_available(True)
    assert not empty.setup_button.isHidden()
    panel = FluxIdPanel()
    qtbot.addWidget(panel)
    assert not panel.copy_button.isEnabled()
    panel.show_id("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "seed")
    assert panel.qr.text() == panel.address.text() == "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert "Zelcore" in panel.note.text()
    assert short_outpoint((TXID, 3)) == "ababababab…:3"


@pytest.mark.parametrize(("seconds", "compact_text", "about_text"), [
    (0, "<1 min", "<1 min"), (59, "<1 min", "<1 min"), (60, "1 min", "~1 min"),
    (32 * 60, "32 min", "~32 min"), (150 * 60, "2.5 h", "~2.5 h"), (3 * 86400, "3 days", "~3 days"),
])
def test_table_times_are_short_and_never_say_about_less_than(
    seconds: int, compact_text: str, about_text: str
) -> None:
    assert compact(seconds) == compact_text
    assert about(seconds) == about_text

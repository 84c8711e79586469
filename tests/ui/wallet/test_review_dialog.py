"""The review dialog's figures come from integer satoshis, never floats."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from ui.wallet.review import ReviewDialog, sat_per_byte
from wallet.fees import DEFAULT_FEE_RATE
from wallet.send import Review, ReviewInput, ReviewOutput

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("fee", "size", "shown"),
    [(226, 226, "1.0"), (250, 1000, "0.3"), (249, 1000, "0.2"), (15, 10, "1.5"), (0, 0, "0")],
)
def test_sat_per_byte_rounds_half_up_in_integers(fee: int, size: int, shown: str) -> None:
    assert sat_per_byte(fee, size) == shown


def test_dialog_shows_the_rate_and_exact_amounts(qtbot: QtBot) -> None:
    amount = 43_999_999_999_999_999
    review = Review(
        network="mainnet", to="t1abc", amount=amount, is_max=False,
        inputs=(ReviewInput("aa" * 32, 0, "t1own", amount + 250),),
        outputs=(ReviewOutput("t1abc", amount, "recipient"),), change=0, change_address=None,
        fee=250, fee_rate=DEFAULT_FEE_RATE, size=1000, tip_height=100, expiry_height=130,
        message=None,
    )
    dialog = ReviewDialog(review, "FLUX")
    qtbot.addWidget(dialog)
    assert "0.3 sat/byte" in dialog.fields["fee"].text()
    # The locale's separators: grouped thousands, all 8 decimals of this amount kept.
    g, p = QLocale().groupSeparator(), QLocale().decimalPoint()
    assert dialog.fields["amount"].text() == f"439{g}999{g}999{p}99999999 FLUX"
    assert "coins spent: 1" in dialog.fields["fee"].text()
    assert dialog.fields["to1"].text() == f"t1abc\n439{g}999{g}999{p}99999999 FLUX"

"""The review dialog's figures come from integer satoshis, never floats."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ui.wallet.models import Review
from ui.wallet.review import ReviewDialog, sat_per_byte

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("fee", "size", "shown"),
    [(226, 226, "1.0"), (250, 1000, "0.3"), (249, 1000, "0.2"), (15, 10, "1.5"), (0, 0, "0")],
)
def test_sat_per_byte_rounds_half_up_in_integers(fee: int, size: int, shown: str) -> None:
    assert sat_per_byte(fee, size) == shown


def test_dialog_shows_the_rate_and_exact_amounts(qtbot: QtBot) -> None:
    review = Review(
        recipients=(("t1abc", 43_999_999_999_999_999),), amount=43_999_999_999_999_999,
        fee=250, change=0, inputs=1, size=1000, expiry_height=130, tip_height=100,
    )
    dialog = ReviewDialog(review, "FLUX")
    qtbot.addWidget(dialog)
    assert "0.3 sat/byte" in dialog.fields["fee"].text()
    assert dialog.fields["amount"].text() == "439999999.99999999 FLUX"

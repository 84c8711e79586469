"""The collateral's send-to-self, shown for approval in the wallet's own review dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QVBoxLayout, QWidget

from nodesetup.ports import CollateralOffer
from ui.pages.base import hint
from ui.wallet.review import ReviewDialog
from ui.wallet.units import money
from wallet.send import Review


class CollateralReviewDialog(ReviewDialog):
    """Amount, own address, fee and change of the offer; only "Send to myself" sends."""

    def __init__(self, offer: CollateralOffer, unit: str, parent: QWidget | None = None) -> None:
        review = offer.handle
        if not isinstance(review, Review):
            raise TypeError("a collateral offer carries the wallet's review")
        super().__init__(review, unit, parent)
        self.offer = offer
        self.setWindowTitle(self.tr("Approve the collateral"))
        self.broadcast_button.setText(self.tr("Send to myself"))
        # A send to ourselves: what leaves the wallet for good is the fee alone.
        labels = {"to1": self.tr("To your own address"),
                  "total": self.tr("Moved (all of it stays yours but the fee)")}
        for form in self.findChildren(QFormLayout):
            for key, text in labels.items():
                field = self.fields.get(key)
                label = form.labelForField(field) if field is not None else None
                if label is not None:
                    label.setProperty("text", text)
        outer = self.layout()
        if isinstance(outer, QVBoxLayout):
            outer.insertWidget(1, hint(self.tr(
                "The node's collateral: exactly %s in one output to an address of this wallet. "
                "The coins stay yours and are locked as collateral; only the fee leaves the "
                "wallet.") % money(offer.amount, unit)))

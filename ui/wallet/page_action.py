"""The frame of a Nodes page action (Start all, Prepare collateral): it works through the nodes
model on the engine and talks to the person through the page, ``show`` opening its dialogs and
``say`` putting its words in the page's status line."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget

from ui.wallet.nodes_model import NodesModel


class PageAction(QObject):
    def __init__(self, nodes: NodesModel, parent: QWidget,
                 show: Callable[[QDialog], None], say: Callable[[str, str], None]) -> None:
        super().__init__(parent)
        self.nodes = nodes
        self.parent_widget = parent
        self.show = show
        self.say = say

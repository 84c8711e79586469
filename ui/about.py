"""About dialog: version and the licences of the libraries FluxDesk bundles."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

BUNDLED = (
    "PySide6-Essentials",
    "qasync",
    "keyring",
    "cryptography",
    "psutil",
    "coincurve",
    "aiohttp",
    "platformdirs",
)


def _licence(meta: Any) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::")
    ]
    if classifiers:
        return ", ".join(classifiers)
    text = (meta.get("License") or "").strip().splitlines()
    return text[0][:60] if text else "see package"


def bundled_licences() -> list[tuple[str, str, str]]:
    """(name, version, licence) of each runtime library, read from the installed metadata."""
    rows = []
    for name in BUNDLED:
        try:
            meta: Any = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        rows.append((name, meta.get("Version") or "?", _licence(meta)))
    return rows


class AboutDialog(QDialog):
    def __init__(self, version: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About FluxDesk"))
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>FluxDesk {version}</h2>")
        layout.addWidget(title)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Wallet, collateral staking, hardware benchmark and node controller for Flux.\n"
                    "FluxDesk is free software. It bundles these libraries:"
                )
            )
        )
        rows = bundled_licences()
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Library"), self.tr("Version"), self.tr("Licence")]
        )
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(r, c, item)
        # Name and version as wide as they need; the licence takes the rest and wraps, so a
        # long licence expression is read in full without a sideways scroll bar.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 380)

"""Light, dark or system theme: Fusion style plus a palette, and the shared stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

import resources

_DARK = {
    QPalette.ColorRole.Window: "#1f2228",
    QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#16181d",
    QPalette.ColorRole.AlternateBase: "#262a31",
    QPalette.ColorRole.ToolTipBase: "#2b2f36",
    QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2b2f36",
    QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#2f6fde",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea2ff",
    QPalette.ColorRole.PlaceholderText: "#9097a0",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f4f5f7",
    QPalette.ColorRole.WindowText: "#1b1e23",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#e9ecf1",
    QPalette.ColorRole.Text: "#1b1e23",
    QPalette.ColorRole.Button: "#e9ecf1",
    QPalette.ColorRole.ButtonText: "#1b1e23",
    QPalette.ColorRole.Highlight: "#2b61d1",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#2b61d1",
    QPalette.ColorRole.PlaceholderText: "#6b7280",
}


def _palette(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#7a7f87")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply "system", "light" or "dark"."""
    app.setStyle(QStyleFactory.create("Fusion"))
    if theme == "dark":
        app.setPalette(_palette(_DARK))
    elif theme == "light":
        app.setPalette(_palette(_LIGHT))
    else:
        app.setPalette(app.style().standardPalette())
    app.setStyleSheet(stylesheet())


def stylesheet() -> str:
    """The shared stylesheet, its url(@RESOURCES@/…) pointing at the bundled files."""
    folder = resources.base_dir().as_posix()
    return resources.read_text("base.qss").replace("@RESOURCES@", folder)


def is_dark(app: QApplication) -> bool:
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128

"""Dark mode: check boxes are visible (the indicator stands out from the window)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QVBoxLayout, QWidget

from ui.theme import apply_theme

pytestmark = pytest.mark.gui


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    palette, sheet, style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def indicator_contrast(qtbot, checked: bool, enabled: bool) -> float:
    """Largest lightness difference between the indicator area and the window colour."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    box = QCheckBox("Start minimised to the tray")
    box.setChecked(checked)
    box.setEnabled(enabled)
    layout.addWidget(box)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    image = box.grab().toImage()
    window = holder.palette().color(QPalette.ColorRole.Window).lightnessF()
    # The indicator sits at the left edge, vertically centred.
    found = [
        abs(QColor(image.pixel(x, y)).lightnessF() - window)
        for x in range(0, 20)
        for y in range(image.height())
    ]
    return max(found)


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize(("checked", "enabled"), [(False, True), (True, True), (False, False)])
def test_check_boxes_are_visible(themed, qtbot, theme: str, checked: bool, enabled: bool) -> None:
    apply_theme(themed, theme)
    assert indicator_contrast(qtbot, checked, enabled) > 0.3


def test_a_checked_box_shows_its_tick_in_dark_mode(themed, qtbot) -> None:
    apply_theme(themed, "dark")
    box = QCheckBox("x")
    box.setChecked(True)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()
    highlight = box.palette().color(QPalette.ColorRole.Highlight)
    area = [QColor(image.pixel(x, y)) for x in range(0, 20) for y in range(image.height())]
    assert any(c == highlight for c in area)  # the filled box
    assert any(c.lightnessF() > 0.9 for c in area)  # the white tick drawn from check.svg

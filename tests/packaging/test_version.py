import tomllib

import pytest
from PySide6.QtWidgets import QLabel

from app import __version__
from tests.paths import REPO_ROOT
from ui.about import AboutDialog


def test_the_app_version_is_pyprojects():
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        assert __version__ == tomllib.load(f)["project"]["version"]


@pytest.mark.gui
def test_the_about_box_shows_the_version(qtbot):
    dialog = AboutDialog(__version__)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(f"FluxDesk {__version__}" in text for text in texts)

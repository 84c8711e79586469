import tomllib

import pytest
from PySide6.QtWidgets import QLabel

from app import __version__
from tests.paths import REPO_ROOT
from ui.about import AboutDialog


def test_the_app_version_is_pyprojects():
    # Written once in app/__init__.py; pyproject's dynamic version points at it, so the package
    # metadata says the same as `fluxdesk --version` (read by fluxpack: test_project.py).
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        data = tomllib.load(f)
    assert "version" not in data["project"] and "version" in data["project"]["dynamic"]
    assert data["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert __version__.count(".") >= 2


@pytest.mark.gui
def test_the_about_box_shows_the_version(qtbot):
    dialog = AboutDialog(__version__)
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(f"FluxDesk {__version__}" in text for text in texts)

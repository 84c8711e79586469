"""The wizard view drives the app's state machine: create and restore end with a wallet file."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, MNEMONIC_12, Created
from ui.wallet.wizard_view import WizardView
from wallet.storage.store import WalletStore
from wallet.wizard import WalletWizard

pytestmark = pytest.mark.gui


def _view(qtbot: QtBot, wizard: WalletWizard) -> WizardView:
    view = WizardView(wizard)
    qtbot.addWidget(view)
    view.show()
    return view


def _set_password(view: WizardView) -> None:
    view.password_edit.setText(GOOD_PASSWORD)
    assert not view.next_button.isEnabled()
    view.password_again.setText(GOOD_PASSWORD)
    assert view.next_button.isEnabled() and view.next_button.text() == "Create wallet"


def test_create_wallet_through_the_view(
    qtbot: QtBot, wizard: WalletWizard, created: Created,
    qt_loop: asyncio.AbstractEventLoop,
) -> None:
    view = _view(qtbot, wizard)
    view.kind_buttons["create"].setChecked(True)
    view.next_button.click()
    shown = [label.text() for label in view.words_grid.findChildren(QLabel)]
    assert len(shown) == 24 and shown[0].endswith(wizard.words[0])
    assert view.words_grid.words() == list(wizard.words)
    view.next_button.click()
    assert wizard.step == "confirm_words" and not view.next_button.isEnabled()
    for position, edit in view.confirm_edits.items():
        qtbot.keyClicks(edit, wizard.words[position])
    assert view.next_button.isEnabled()
    view.next_button.click()
    _set_password(view)
    done: list[bool] = []
    view.finished.connect(lambda: done.append(True))
    view.next_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    store = WalletStore(created.path)
    assert store.open(GOOD_PASSWORD).document.kind.mnemonic == " ".join(wizard.words)  # type: ignore[union-attr]


def test_restore_with_completion_through_the_view(
    qtbot: QtBot, wizard: WalletWizard, created: Created,
    qt_loop: asyncio.AbstractEventLoop,
) -> None:
    view = _view(qtbot, wizard)
    view.kind_buttons["restore"].setChecked(True)
    view.next_button.click()
    words = MNEMONIC_12.split()
    view.restore_edit.setPlainText(" ".join(words[:-1]) + " yel")
    visible = [b.text() for b in view.candidate_buttons if b.isVisible()]
    assert "yellow" in visible
    assert "so far" in view.feedback.text() and not view.next_button.isEnabled()
    next(b for b in view.candidate_buttons if b.text() == "yellow").click()
    assert view.restore_edit.toPlainText().strip() == MNEMONIC_12
    assert "Checksum correct" in view.feedback.text() and view.next_button.isEnabled()
    view.passphrase_check.setChecked(True)
    view.passphrase_edit.setText("p2")
    view.next_button.click()
    view.back_button.click()
    assert wizard.step == "restore"
    view.next_button.click()
    _set_password(view)
    done: list[bool] = []
    view.finished.connect(lambda: done.append(True))
    view.next_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    [service] = created.services
    assert service.document.kind.passphrase == "p2"  # type: ignore[union-attr]

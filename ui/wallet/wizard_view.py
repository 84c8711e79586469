"""The first-run wizard's view: one widget per step, bound to the pure state machine
wallet/wizard.py (which decides everything; the view only renders it)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from ui.pages.base import heading, hint
from ui.wallet.seedgrid import SeedGrid
from wallet.errors import WalletError
from wallet.wizard import Feedback, WalletWizard

_STEPS = ("start", "show_words", "confirm_words", "restore", "import_key", "watch_only",
          "password")


def _text_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setMaximumHeight(110)
    return box


class WizardView(QWidget):
    """Renders whatever step the flow is in; emits `finished` once the wallet file exists."""

    finished = Signal()

    def __init__(self, flow: WalletWizard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = flow
        self.stack = QStackedWidget()
        self._pages = {
            "start": self._start_page(),
            "show_words": self._show_page(),
            "confirm_words": self._confirm_page(),
            "restore": self._restore_page(),
            "import_key": self._import_page(),
            "watch_only": self._watch_page(),
            "password": self._password_page(),
        }
        for step in _STEPS:
            self.stack.addWidget(self._pages[step])
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setObjectName("wizardFeedback")
        self.back_button = QPushButton(self.tr("Back"))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        self.refresh()

    # --- pages -----------------------------------------------------------------------------

    def _start_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Create or restore a wallet")))
        layout.addWidget(hint(self.tr(
            "FluxDesk keeps your keys on this computer, encrypted with your password.")))
        self.kind_group = QButtonGroup(page)
        choices = (
            ("create", self.tr("Create a new wallet (24 seed words)")),
            ("restore", self.tr("Restore from seed words")),
            ("import_key", self.tr("Import a private key (WIF)")),
            ("watch_only", self.tr("Watch-only: an xpub or addresses, no spending")),
        )
        self.kind_buttons: dict[str, QRadioButton] = {}
        for number, (kind, label) in enumerate(choices):
            button = QRadioButton(label)
            self.kind_group.addButton(button, number)
            self.kind_buttons[kind] = button
            button.toggled.connect(lambda on, k=kind: self._kind_toggled(on, k))
            layout.addWidget(button)
        self.kind_buttons[self.flow.kind].setChecked(True)
        self.network_box = QComboBox()
        for network in self.flow.networks:
            self.network_box.addItem(network.capitalize(), network)
        self.network_box.setCurrentIndex(max(0, self.network_box.findData(self.flow.network)))
        self.network_box.currentIndexChanged.connect(self._network_changed)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("http://127.0.0.1:16127/api")
        self.server_edit.textChanged.connect(lambda text: self._show(self.flow.set_server(text)))
        self.server_label = QLabel(self.tr("Server"))
        form = QFormLayout()
        form.addRow(self.tr("Network"), self.network_box)
        form.addRow(self.server_label, self.server_edit)
        network_hint = hint(self.tr("Testnet and regtest are for testing; their coins have no "
                                    "value."))
        # Mainnet users see no network choice at all.
        if len(self.flow.networks) > 1:
            layout.addSpacing(8)
            layout.addLayout(form)
            layout.addWidget(network_hint)
        else:
            self.network_box.setParent(page)
            self.network_box.hide()
            network_hint.hide()
        layout.addStretch(1)
        self._update_server_row()
        return page

    def _show_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Write down your seed words")))
        layout.addWidget(hint(self.tr(
            "These words are the only backup of your coins. Write them on paper in this order "
            "and never type them into a website. Anyone who has them can spend your coins.")))
        self.words_grid = SeedGrid()
        layout.addWidget(self.words_grid)
        layout.addStretch(1)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Check your copy")))
        layout.addWidget(hint(self.tr("Type these words from your written copy.")))
        self.confirm_form = QFormLayout()
        layout.addLayout(self.confirm_form)
        layout.addStretch(1)
        self.confirm_edits: dict[int, QLineEdit] = {}
        return page

    def _restore_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Restore from seed words")))
        self.restore_edit = _text_box(self.tr("word1 word2 word3 …"))
        self.restore_edit.textChanged.connect(self._restore_changed)
        layout.addWidget(self.restore_edit)
        self.candidate_row = QHBoxLayout()
        self.candidate_label = hint(self.tr("Suggestions:"))
        self.candidate_label.setWordWrap(False)
        self.candidate_row.addWidget(self.candidate_label)
        self.candidate_buttons: list[QPushButton] = []
        for _ in range(8):
            button = QPushButton()
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, b=button: self._complete(b.text()))
            button.hide()
            self.candidate_buttons.append(button)
            self.candidate_row.addWidget(button)
        self.candidate_row.addStretch(1)
        layout.addLayout(self.candidate_row)
        self.passphrase_check = QCheckBox(self.tr("This seed has a passphrase (25th word)"))
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setVisible(False)
        self.passphrase_check.toggled.connect(self.passphrase_edit.setVisible)
        self.passphrase_edit.textChanged.connect(self._passphrase_changed)
        layout.addWidget(self.passphrase_check)
        layout.addWidget(self.passphrase_edit)
        layout.addStretch(1)
        return page

    def _import_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Import private keys")))
        self.wif_edit = _text_box(self.tr("One WIF private key per line"))
        self.wif_edit.textChanged.connect(
            lambda: self._show(self.flow.set_wif_text(self.wif_edit.toPlainText())))
        layout.addWidget(self.wif_edit)
        layout.addStretch(1)
        return page

    def _watch_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Watch-only wallet")))
        layout.addWidget(hint(self.tr("Shows balances and receives; it can never spend.")))
        self.watch_edit = _text_box(self.tr("xpub… or one address per line"))
        self.watch_edit.textChanged.connect(
            lambda: self._show(self.flow.set_watch_text(self.watch_edit.toPlainText())))
        layout.addWidget(self.watch_edit)
        layout.addStretch(1)
        return page

    def _password_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(heading(self.tr("Choose a password")))
        layout.addWidget(hint(self.tr(
            "The password encrypts the wallet file on this computer. It is not a backup: "
            "if you forget it, restore from your seed words.")))
        self.password_edit = QLineEdit()
        self.password_again = QLineEdit()
        for edit in (self.password_edit, self.password_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._password_changed)
        self.strength_bar = QProgressBar()
        self.strength_bar.setRange(0, 4)
        self.strength_bar.setTextVisible(False)
        self.strength_bar.setMaximumHeight(8)
        self.remember_check = QCheckBox(self.tr(
            "Remember on this device (unlock without the password via the system keyring)"))
        self.remember_check.toggled.connect(self._remember_changed)
        form = QFormLayout()
        form.addRow(self.tr("Password"), self.password_edit)
        form.addRow("", self.strength_bar)
        form.addRow(self.tr("Again"), self.password_again)
        layout.addLayout(form)
        layout.addWidget(self.remember_check)
        layout.addStretch(1)
        return page

    # --- reacting --------------------------------------------------------------------------

    def _show(self, feedback: Feedback) -> None:
        self.feedback.setText(feedback.message)
        self.feedback.setProperty("state", "ok" if feedback.ok else "")
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.next_button.setEnabled(feedback.ok)

    def _network_changed(self) -> None:
        self.flow.choose_network(str(self.network_box.currentData()))
        self._update_server_row()
        self._show(self.flow.current_feedback())

    def _update_server_row(self) -> None:
        needed = self.flow.needs_server()
        self.server_edit.setVisible(needed)
        self.server_label.setVisible(needed)

    def _kind_toggled(self, on: bool, kind: str) -> None:
        if on:
            self.flow.choose_kind(kind)

    def _restore_changed(self) -> None:
        feedback = self.flow.set_restore_text(self.restore_edit.toPlainText())
        self._set_candidates(feedback.candidates)
        self._show(feedback)

    def _set_candidates(self, candidates: Sequence[str]) -> None:
        for number, button in enumerate(self.candidate_buttons):
            word = candidates[number] if number < len(candidates) else ""
            button.setText(word)
            button.setVisible(bool(word))
        self.candidate_label.setVisible(bool(candidates))

    def _complete(self, word: str) -> None:
        text = self.flow.complete_word(word)
        self.restore_edit.setPlainText(text)
        self.restore_edit.moveCursor(self.restore_edit.textCursor().MoveOperation.End)
        self.restore_edit.setFocus()

    def _passphrase_changed(self, text: str) -> None:
        self.flow.passphrase = text

    def _password_changed(self) -> None:
        feedback = self.flow.set_password(self.password_edit.text(), self.password_again.text())
        self.strength_bar.setValue(feedback.strength if self.password_edit.text() else 0)
        self._show(feedback)

    def _remember_changed(self, on: bool) -> None:
        self.flow.remember = on

    def _fill_words(self) -> None:
        self.words_grid.set_words(self.flow.words)

    def _fill_confirm(self) -> None:
        while self.confirm_form.rowCount():
            self.confirm_form.removeRow(0)
        self.confirm_edits = {}
        for position in self.flow.confirm_positions:
            edit = QLineEdit()
            edit.textChanged.connect(
                lambda text, p=position: self._show(self.flow.set_confirm_word(p, text)))
            self.confirm_edits[position] = edit
            self.confirm_form.addRow(self.tr("Word %d") % (position + 1), edit)

    def refresh(self) -> None:
        step = self.flow.step
        if step in self._pages:
            self.stack.setCurrentWidget(self._pages[step])
        self.back_button.setEnabled(self.flow.can_back())
        self.next_button.setText(
            self.tr("Create wallet") if self.flow.is_last_step else self.tr("Next"))
        self._show(self.flow.current_feedback())

    def go_back(self) -> None:
        self.flow.back()
        self.refresh()

    def go_next(self) -> None:
        if self.flow.is_last_step:
            self.create_wallet()
            return
        if not self.flow.current_feedback().ok:
            return
        step = self.flow.next()
        if step == "show_words":
            self._fill_words()
        elif step == "confirm_words":
            self._fill_confirm()
        self.refresh()

    @asyncSlot()
    async def create_wallet(self) -> None:
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.feedback.setText(self.tr("Creating the wallet (deriving the encryption key)…"))
        try:
            await self.flow.finish()
        except (WalletError, ValueError, OSError) as exc:
            self.feedback.setText(str(exc))
            self.feedback.setProperty("state", "bad")
            self.refresh_buttons()
            return
        self.password_edit.clear()
        self.password_again.clear()
        self.feedback.setText(self.flow.done_message or self.tr("Wallet created."))
        self.finished.emit()

    def refresh_buttons(self) -> None:
        self.back_button.setEnabled(self.flow.can_back())
        self.next_button.setEnabled(self.flow.current_feedback().ok)

"""Addresses with balances and labels, and the contacts (address book) with CSV import/export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.pages.base import hint
from ui.wallet.gate import WalletPage
from ui.wallet.units import money
from ui.wallet.wallet_model import WalletModel
from wallet.state import ContactInfo

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CSV_HEADER = ("name", "address", "note")


class ContactsError(ValueError):
    """A contacts file that cannot be read; the message names the line."""


def contacts_to_csv(contacts: Sequence[ContactInfo]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for c in contacts:
        writer.writerow((c.name, c.address, c.note))
    return out.getvalue()


def contacts_from_csv(text: str) -> list[ContactInfo]:
    """Rows of name,address[,note]; a header line is optional."""
    found: list[ContactInfo] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        is_header = number == 1 and [c.lower() for c in cells[:2]] == ["name", "address"]
        if not any(cells) or is_header:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise ContactsError(f"Line {number}: expected name,address[,note].")
        found.append(ContactInfo(cells[0], cells[1], cells[2] if len(cells) > 2 else ""))
    return found


def _table(columns: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class AddressesPage(WalletPage):
    page_id: ClassVar[str] = "wallet-addresses"
    order: ClassVar[int] = 150

    def __init__(self, service: WalletModel, parent: QWidget | None = None) -> None:
        super().__init__(service, parent)
        self._filling = False
        self.addresses = _table((self.tr("Address"), self.tr("Kind"), self.tr("Balance"),
                                 self.tr("Label")))
        self.addresses.itemChanged.connect(self._address_label_changed)
        self.contacts = _table((self.tr("Name"), self.tr("Address"), self.tr("Note")))
        self.contacts.itemChanged.connect(self._contacts_edited)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Name"))
        self.contact_address = QLineEdit()
        self.contact_address.setPlaceholderText(self.tr("Address"))
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(self.add_contact)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self.remove_contacts)
        import_button = QPushButton(self.tr("Import CSV…"))
        import_button.clicked.connect(lambda: self._choose_file(save=False))
        export_button = QPushButton(self.tr("Export CSV…"))
        export_button.clicked.connect(lambda: self._choose_file(save=True))
        self.note = hint("")
        self.file_dialog: QFileDialog | None = None
        entry = QHBoxLayout()
        entry.addWidget(self.name)
        entry.addWidget(self.contact_address, 2)
        entry.addWidget(add)
        tools = QHBoxLayout()
        tools.addWidget(remove)
        tools.addStretch(1)
        tools.addWidget(import_button)
        tools.addWidget(export_button)
        contacts_tab = QWidget()
        contacts_layout = QVBoxLayout(contacts_tab)
        contacts_layout.addLayout(entry)
        contacts_layout.addWidget(self.contacts, 1)
        contacts_layout.addLayout(tools)
        contacts_layout.addWidget(self.note)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.addresses, self.tr("My addresses"))
        self.tabs.addTab(contacts_tab, self.tr("Contacts"))
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.tabs)
        self.finish_setup()

    def title(self) -> str:
        return self.tr("Addresses")

    def refresh(self) -> None:
        snapshot = self.service.snapshot
        if snapshot is None:
            return
        unit = self.service.currency
        self._filling = True
        rows = snapshot.addresses
        self.addresses.setRowCount(len(rows))
        for number, row in enumerate(rows):
            kind = {"receive": self.tr("Receiving"), "change": self.tr("Change")}.get(
                row.chain, self.tr("Imported"))
            if not row.used:
                kind += self.tr(" · unused")
            cells = (row.address, kind, money(row.balance, unit), row.label)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != 3:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == 2:
                    item.setTextAlignment(RIGHT)
                self.addresses.setItem(number, column, item)
        contacts = snapshot.contacts
        self.contacts.setRowCount(len(contacts))
        for number, contact in enumerate(contacts):
            for column, text in enumerate((contact.name, contact.address, contact.note)):
                self.contacts.setItem(number, column, QTableWidgetItem(text))
        self._filling = False

    def _known_contacts(self) -> tuple[ContactInfo, ...]:
        return self.service.snapshot.contacts if self.service.snapshot else ()

    def _address_label_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 3:
            return
        address = self.addresses.item(item.row(), 0)
        if address is not None:
            self.service.set_label(address.text(), item.text().strip())

    def _read_contacts(self) -> list[ContactInfo]:
        rows = []
        for number in range(self.contacts.rowCount()):
            cells = [self.contacts.item(number, c) for c in range(3)]
            name, address, note = (c.text().strip() if c is not None else "" for c in cells)
            if name and address:
                rows.append(ContactInfo(name, address, note))
        return rows

    def _contacts_edited(self) -> None:
        if not self._filling:
            self.service.set_contacts(self._read_contacts())

    def add_contact(self) -> None:
        name, address = self.name.text().strip(), self.contact_address.text().strip()
        if not name or not address:
            self.note.setText(self.tr("Give the contact a name and an address."))
            return
        ok, problem = self.service.check_address(address)
        if not ok:
            self.note.setText(problem)
            return
        self.service.set_contacts([*self._known_contacts(), ContactInfo(name, address)])
        self.name.clear()
        self.contact_address.clear()
        self.note.setText("")

    def remove_contacts(self) -> None:
        rows = {i.row() for i in self.contacts.selectionModel().selectedRows()}
        keep = [c for n, c in enumerate(self._known_contacts()) if n not in rows]
        self.service.set_contacts(keep)

    def _choose_file(self, *, save: bool) -> None:
        title = self.tr("Export contacts") if save else self.tr("Import contacts")
        self.file_dialog = QFileDialog(self, title, "contacts.csv", self.tr("CSV files (*.csv)"))
        if save:
            self.file_dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            self.file_dialog.fileSelected.connect(self.export_contacts)
        else:
            self.file_dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self.file_dialog.fileSelected.connect(self.import_contacts)
        self.file_dialog.open()

    def export_contacts(self, path: str) -> None:
        try:
            Path(path).write_text(contacts_to_csv(self._known_contacts()), "utf-8")
        except OSError as exc:
            self.note.setText(self.tr("Could not write %s: %s") % (path, exc.strerror or exc))
            return
        self.note.setText(self.tr("Contacts exported to %s") % path)

    def import_contacts(self, path: str) -> None:
        try:
            found = contacts_from_csv(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ContactsError) as exc:
            self.note.setText(self.tr("Could not import %s: %s") % (path, exc))
            return
        bad = [c.name for c in found if not self.service.check_address(c.address)[0]]
        if bad:
            self.note.setText(self.tr("Not imported: these contacts have addresses of another "
                                      "network or typos: %s") % ", ".join(bad))
            return
        known = {c.address for c in self._known_contacts()}
        new = [c for c in found if c.address not in known]
        self.service.set_contacts([*self._known_contacts(), *new])
        self.note.setText(self.tr("Imported %d contacts (%d already known).")
                          % (len(new), len(found) - len(new)))

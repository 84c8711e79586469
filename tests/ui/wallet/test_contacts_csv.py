"""Contacts CSV round trip and the errors a broken file gives."""

from __future__ import annotations

import pytest

from ui.wallet.addresses import ContactsError, contacts_from_csv, contacts_to_csv
from wallet.state import ContactInfo


def test_round_trip_keeps_commas_and_quotes() -> None:
    contacts = [ContactInfo("Alice, Inc.", "t1abc", 'the "cold" one'), ContactInfo("Bob", "t1def")]
    assert contacts_from_csv(contacts_to_csv(contacts)) == contacts


def test_header_is_optional_and_blank_lines_skipped() -> None:
    assert contacts_from_csv("Carol,t1xyz\n\n") == [ContactInfo("Carol", "t1xyz")]


def test_broken_line_names_the_line() -> None:
    with pytest.raises(ContactsError, match="Line 2"):
        contacts_from_csv("name,address\nonly-a-name\n")

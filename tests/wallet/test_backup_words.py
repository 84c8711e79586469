"""Seed words numbered for a terminal, read down the columns like the GUI's grid."""

from wallet.backup import numbered_words

MNEMONIC_12 = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def test_numbered_words_in_three_columns_read_down() -> None:
    text = numbered_words(MNEMONIC_12)
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["1.", "legal", "5.", "wave", "9.", "legal"]
    assert lines[3].split() == ["4.", "year", "8.", "useful", "12.", "yellow"]
    # Every word once, in order by its number.
    cells = text.split()
    numbered = {int(cells[i].rstrip(".")): cells[i + 1] for i in range(0, len(cells), 2)}
    assert [numbered[n] for n in range(1, 13)] == MNEMONIC_12.split()


def test_no_words_no_text() -> None:
    assert numbered_words("") == ""

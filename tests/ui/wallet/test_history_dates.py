"""History: the Date column from the block time (local time zone) in the table, CSV and details;
the on-chain message in its own column, never as the private label; the unit in the header;
empty states that say what to do."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.ui.wallet.conftest import GOOD_PASSWORD, SimWallet
from ui.wallet.history import HistoryDetails, HistoryPage
from ui.wallet.history_model import (
    AMOUNT,
    DATE,
    LABEL,
    MESSAGE,
    HistoryModel,
    HistoryRow,
    export_csv,
    rows_from_history,
)
from wallet.history import HistoryEntry, TxType

pytestmark = pytest.mark.gui
BLOCK_TIME = 1_764_950_400  # 2025-12-05 16:00 UTC


@pytest.fixture
def kolkata() -> Iterator[None]:
    """A time zone with a half-hour offset, so a UTC date cannot pass for a local one."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def entry(message: str | None) -> HistoryEntry:
    return HistoryEntry("ab" * 32, TxType.RECEIVED, 150_000_000, None, 100, 3, 0, ("t1x",),
                        message=message, time=BLOCK_TIME)


def test_date_is_the_local_block_time_and_the_message_is_its_own_column(
    qtbot: QtBot, kolkata: None, tmp_path: Path
) -> None:
    rows = rows_from_history([entry("invoice 42")], {})
    model = HistoryModel("REG")
    model.set_rows(rows)
    assert model.data(model.index(0, DATE)) == "2025-12-05 21:30"
    assert model.data(model.index(0, MESSAGE)) == "invoice 42"
    assert model.data(model.index(0, LABEL)) == ""  # the message is public, not the label
    assert model.headerData(AMOUNT, Qt.Orientation.Horizontal) == "Amount (REG)"
    target = tmp_path / "h.csv"
    export_csv(target, rows, unit=model.unit)
    header, line = list(csv.reader(target.open(encoding="utf-8")))
    assert line[header.index("date")] == "2025-12-05 21:30"
    assert line[header.index("message")] == "invoice 42"
    assert line[header.index("label")] == ""
    assert line[header.index("amount_reg")] == "1.50000000"


def test_a_label_does_not_replace_the_message(qtbot: QtBot) -> None:
    (row,) = rows_from_history([entry("on-chain words")], {"ab" * 32: "my note"})
    row.prepare()
    assert (row.texts[LABEL], row.texts[MESSAGE]) == ("my note", "on-chain words")


def test_details_dialog_shows_date_and_message(sim_wallet: SimWallet, qtbot: QtBot,
                                               kolkata: None) -> None:
    row = HistoryRow("ab" * 32, "received", 5, 3, timestamp=BLOCK_TIME, height=100,
                     message="hello")
    row.prepare()
    dialog = HistoryDetails(row, "REG", "", sim_wallet.ui.model)
    qtbot.addWidget(dialog)
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert "2025-12-05 21:30" in labels and "hello" in labels
    assert dialog.label.text() == ""  # the message is not the private label


def test_synced_history_carries_block_times_and_empty_states(
    sim_wallet: SimWallet, qtbot: QtBot
) -> None:
    sw = sim_wallet
    page = next(p for p in sw.ui.pages if isinstance(p, HistoryPage))
    qtbot.addWidget(page)
    page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    sw.run(lambda: page.model.rowCount() == 3)
    for row in page.model.visible_rows():
        assert row.height is not None and row.timestamp == sw.sim.chain.blocks[row.height].time
        expected = datetime.fromtimestamp(row.timestamp).strftime("%Y-%m-%d %H:%M")
        assert row.texts[DATE] == expected
    assert page.table.isVisible() and not page.empty.isVisible()
    page.search.setText("no such thing")
    page.apply_filter()
    assert page.empty.isVisible() and "All types" in page.empty.text()


def test_csv_export_names_the_network_unit(
    sim_wallet: SimWallet, qtbot: QtBot, tmp_path: Path
) -> None:
    sw = sim_wallet
    page = next(p for p in sw.ui.pages if isinstance(p, HistoryPage))
    qtbot.addWidget(page)
    page.show()
    sw.complete(sw.ui.model.unlock(GOOD_PASSWORD))
    sw.complete(sw.ui.model.wait_synced())
    sw.run(lambda: page.model.rowCount() == 3)
    target = tmp_path / "history.csv"
    page.export_to(str(target))
    sw.run(lambda: page.count.text().startswith("Exported 3"))
    header, *lines = list(csv.reader(target.open(encoding="utf-8")))
    # Regtest's unit, the word the table header and every amount on screen use.
    assert sw.ui.model.currency == "REG"
    assert header[2:4] == ["amount_reg", "fee_reg"]
    assert page.model.headerData(AMOUNT, Qt.Orientation.Horizontal) == "Amount (REG)"
    assert sorted(line[2] for line in lines) == ["20.00000000", "30.00000000", "40.00000000"]
    assert "FLUX" not in target.read_text(encoding="utf-8")

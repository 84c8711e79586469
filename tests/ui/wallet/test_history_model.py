"""History model: display strings, filtering (also while typing), sorting, CSV export."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.wallet.history_model import (
    AMOUNT,
    HistoryModel,
    HistoryRow,
    export_csv,
    history_table,
    prepare_rows,
)

pytestmark = pytest.mark.gui


def rows() -> list[HistoryRow]:
    return [
        HistoryRow("aa" * 32, "received", 150_000_000, 12, height=100, label="rent"),
        HistoryRow("bb" * 32, "sent", -2_500_000_001, 3, height=109, fee=1000,
                   addresses=("t1Other",)),
        HistoryRow("cc" * 32, "node_reward", 37_500_000, 0),
        HistoryRow("dd" * 32, "fluxnode_start", 0, 40, height=72),
    ]


def test_display_strings_and_pending_first(qtbot: QtBot) -> None:
    model = HistoryModel()
    model.set_rows(rows())
    texts = [model.data(model.index(r, 0)) for r in range(4)]
    assert texts == ["pending", "block 109", "block 100", "block 72"]
    sent = model.row_at(1)
    assert sent.texts[1:4] == ("Sent", "-25.00000001", "3")
    assert model.row_at(0).texts[3] == "unconfirmed"
    assert model.data(model.index(1, AMOUNT), Qt.ItemDataRole.ForegroundRole) is not None


def test_filter_by_text_kind_and_narrowing(qtbot: QtBot) -> None:
    model = HistoryModel()
    model.set_rows(rows())
    model.set_filter("RENT")
    assert [r.txid for r in model.visible_rows()] == ["aa" * 32]
    model.set_filter("t1oth")
    assert model.rowCount() == 1 and model.row_at(0).kind == "sent"
    model.set_filter("t1othx")  # narrowing from the shown rows
    assert model.rowCount() == 0
    model.set_filter("", "node_reward")
    assert [r.kind for r in model.visible_rows()] == ["node_reward"]
    model.set_filter("", "pending")
    assert [r.confirmations for r in model.visible_rows()] == [0]
    model.set_filter("", "")
    assert model.rowCount() == 4


def test_header_click_sorts_in_the_model(qtbot: QtBot) -> None:
    model = HistoryModel()
    table, proxy = history_table(model)
    qtbot.addWidget(table)
    model.set_rows(rows())
    table.horizontalHeader().setSortIndicator(AMOUNT, Qt.SortOrder.AscendingOrder)
    assert [proxy.row_at(r).amount for r in range(4)] == [-2_500_000_001, 0, 37_500_000,
                                                         150_000_000]


def test_prepare_rows_yields_and_export_csv(tmp_path: Path) -> None:
    data = rows()
    asyncio.run(prepare_rows(data, chunk=1))
    assert all(r.texts for r in data)
    target = tmp_path / "history.csv"
    assert export_csv(target, data, unit="FLUX") == 4
    lines = list(csv.reader(target.open(encoding="utf-8")))
    assert lines[0][:3] == ["date", "type", "amount_flux"]
    assert lines[2][2:4] == ["-25.00000001", "0.00001000"]

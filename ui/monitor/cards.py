"""The dashboard's cards: one fact each, with a colour and plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from nodectl.monitor.dashboard import Dashboard, Level
from nodectl.monitor.snapshot import Snapshot

GIB = 1024**3
LEVEL_WORDS = {Level.OK: "OK", Level.WARN: "Attention", Level.BAD: "Problem",
               Level.UNKNOWN: "Unknown"}
_WORST = (Level.BAD, Level.WARN, Level.UNKNOWN, Level.OK)
CARD_STYLE = """
QFrame#monitorCard { border: 1px solid palette(mid); border-left-width: 5px; border-radius: 4px; }
QFrame#monitorCard[level="ok"] { border-left-color: #2e9d4f; }
QFrame#monitorCard[level="warn"] { border-left-color: #c98a10; }
QFrame#monitorCard[level="bad"] { border-left-color: #d0403a; }
QFrame#monitorCard[level="unknown"] { border-left-color: palette(mid); }
QLabel#cardTitle { font-weight: 600; }
"""


STANDARD_TITLES = ("Sync", "Node state", "Confirmation window", "Safe maintenance window",
                   "Next payment", "Benchmark", "Versions", "Public IP", "Clock drift",
                   "Watchdog", "Flux ID")


@dataclass(frozen=True)
class CardData:
    title: str
    level: Level
    words: str


def worst(levels: list[Level]) -> Level:
    return next((lvl for lvl in _WORST if lvl in levels), Level.UNKNOWN)


def _split_confirm(words: str) -> tuple[str, str]:
    """The core's confirmation words are two sentences: the window, then the maintenance one."""
    parts = re.split(r"(?<=\.) (?=Safe to stop|Do not stop)", words, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (words, "")


def cards(board: Dashboard, snap: Snapshot) -> list[CardData]:
    """What each card says, in order; pure, so tests read it without widgets."""
    rows = [CardData("Sync", board.sync.level, board.sync.words),
            CardData("Node state", board.state.level, board.state.words)]
    if board.confirm is not None:
        window, safe = _split_confirm(board.confirm.words)
        rows.append(CardData("Confirmation window", Level.OK, window))
        rows.append(CardData("Safe maintenance window", board.confirm.level, safe))
    else:
        rows.append(CardData("Confirmation window", Level.UNKNOWN,
                             "Known once the node is confirmed."))
        rows.append(CardData("Safe maintenance window", Level.UNKNOWN,
                             "Known once the node is confirmed."))
    if board.payout is not None:
        paid = (f" Last paid at block {board.payout.last_paid_height}."
                if board.payout.last_paid_height else " Not paid yet.")
        rows.append(CardData("Next payment", Level.OK if board.payout.rank is not None
                             else Level.UNKNOWN, board.payout.words + paid))
    else:
        rows.append(CardData("Next payment", Level.UNKNOWN,
                             "Only a confirmed node is in the payment queue."))
    bench = board.bench
    figures = []
    if bench.eps is not None:
        need = f" (needs {bench.needed.min_eps:,.0f})" if bench.needed else ""
        figures.append(f"EPS {bench.eps:,.0f}{need}")
    if bench.dws is not None:
        need = f" (needs {bench.needed.min_dws_mib_s:,.0f})" if bench.needed else ""
        figures.append(f"disk write {bench.dws:,.0f} MB/s{need}")
    tier = f" Collateral tier: {bench.needed.title}." if bench.needed else ""
    rows.append(CardData("Benchmark", bench.level, bench.words + tier +
                         (" " + ", ".join(figures) + "." if figures else "")))
    rows.append(CardData("Versions", worst([v.level for v in board.versions]), " ".join(
        f"{v.component} {v.installed or 'unknown'} (needs {v.minimum}+)." for v in
        board.versions)))
    ip_level = Level.UNKNOWN if not board.public_ip else (
        Level.OK if board.ip_changes_20h < 2 else Level.BAD)
    rows.append(CardData("Public IP", ip_level, f"{board.public_ip or 'Unknown'}; "
                         f"{board.ip_changes_20h} change(s) in the last 20 h."))
    rows.append(CardData("Clock drift", *board.clock))
    rows.append(CardData("Watchdog", *board.watchdog))
    rows.append(CardData("Flux ID", *board.flux_id))
    if snap.metrics is not None:
        m = snap.metrics
        disks = ", ".join(f"{d.path}: {d.free / GIB:,.0f} GiB free" for d in m.disks)
        temps = (", " + ", ".join(f"{name} {c:.0f} °C" for name, c in m.temperatures_c[:2])
                 if m.temperatures_c else "")
        rows.append(CardData("This machine", Level.OK, f"CPU {m.cpu_percent:.0f} %, RAM "
                             f"{m.ram_percent_used:.0f} % used, {disks}{temps}."))
    return rows


class StatusCard(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorCard")
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.level = QLabel("")
        self.words = QLabel("")
        self.words.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        top = QGridLayout()
        top.addWidget(self.title, 0, 0)
        top.addWidget(self.level, 0, 1)
        top.setColumnStretch(0, 1)
        layout.addLayout(top)
        layout.addWidget(self.words)
        layout.addStretch(1)

    def set_data(self, data: CardData) -> None:
        self.words.setText(data.words)
        self.level.setText(LEVEL_WORDS[data.level])
        state = "" if data.level is Level.UNKNOWN else data.level.value
        for widget, name, value in ((self, "level", data.level.value),
                                    (self.level, "state", state)):
            if widget.property(name) != value:
                widget.setProperty(name, value)
                widget.style().unpolish(widget)
                widget.style().polish(widget)


class CardGrid(QWidget):
    """Cards in two columns, built once per title and updated in place."""

    COLUMNS = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(CARD_STYLE)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        for column in range(self.COLUMNS):
            self.grid.setColumnStretch(column, 1)
        self.cards: dict[str, StatusCard] = {}
        # Built with the page, so the first poll only fills in words (no widget creation then).
        for title in STANDARD_TITLES:
            self._add(title)
            self.cards[title].set_data(CardData(title, Level.UNKNOWN, "Not checked yet."))

    def show_cards(self, rows: list[CardData]) -> None:
        """Update cards in place; a card not built yet is added at the end (only the optional
        last one, "This machine", ever is), a card without data is hidden."""
        present = {row.title for row in rows}
        for row in rows:
            if row.title not in self.cards:
                self._add(row.title)
            self.cards[row.title].set_data(row)
            self.cards[row.title].show()
        for title, card in self.cards.items():
            card.setVisible(title in present)

    def _add(self, title: str) -> None:
        index = len(self.cards)
        card = StatusCard(title)
        self.grid.addWidget(card, index // self.COLUMNS, index % self.COLUMNS)
        self.cards[title] = card

    def text_of(self, title: str) -> str:
        return self.cards[title].words.text()

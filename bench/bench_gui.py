"""GUI responsiveness: the history table with 100 000 rows, and event-loop stalls during a sync.

Prints one JSON document. The stall probe is a 5 ms QTimer on the GUI thread: the longest gap
between two of its ticks, minus the interval, is the longest time the GUI could not react.
Run: python -m bench.bench_gui [--rows N] [--no-sync]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from ui.wallet.history_model import (
    HistoryModel,
    HistoryRow,
    history_table,
    prepare_rows,
)

PROBE_MS = 5
KINDS = ("received", "sent", "self", "node_reward")
LABELS = ("", "", "", "rent", "exchange", "node rewards", "Alice", "savings")


class CallbackTimer:
    """Longest single asyncio callback run on the GUI thread: the part of a stall that is our own
    code, as opposed to the OS not scheduling the process (the timer probe sees both)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._gui = threading.get_ident()
        self._original = asyncio.events.Handle._run

    def __enter__(self) -> CallbackTimer:
        original, timer = self._original, self

        def timed_run(handle: asyncio.events.Handle) -> None:
            if threading.get_ident() != timer._gui:
                original(handle)
                return
            began = time.perf_counter()
            original(handle)
            timer.longest = max(timer.longest, time.perf_counter() - began)

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]


class StallProbe:
    """Records the longest gap between ticks of a fast timer on the running Qt loop."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.gaps: list[float] = []

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = 0.0
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        stalls = [max(0.0, g * 1000 - PROBE_MS) for g in self.gaps] or [0.0]
        return {
            "max_stall_ms": round(max(stalls), 1),
            "p99_stall_ms": round(sorted(stalls)[int(len(stalls) * 0.99)], 1),
            "ticks": len(self.gaps),
        }


def fake_history(count: int, seed: int = 5) -> list[HistoryRow]:
    rnd = random.Random(seed)
    start = 1_600_000_000
    return [
        HistoryRow(
            txid=rnd.randbytes(32).hex(),
            kind=rnd.choice(KINDS),
            amount=rnd.randint(-5_000 * 10**8, 5_000 * 10**8),
            confirmations=count - i,
            timestamp=start + i * 120,
            height=i + 1,
            fee=rnd.randint(200, 5000),
            label=rnd.choice(LABELS),
            addresses=(f"t1{rnd.randbytes(16).hex()}",),
        )
        for i in range(count)
    ]


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    QApplication.processEvents()
    return round((time.perf_counter() - began) * 1000, 1)


def bench_history(loop: asyncio.AbstractEventLoop, count: int) -> dict[str, Any]:
    rows = fake_history(count)
    probe = StallProbe()
    probe.start()
    began = time.perf_counter()
    loop.run_until_complete(prepare_rows(rows))
    prepare_ms = (time.perf_counter() - began) * 1000
    prepare_probe = probe.stop()
    model = HistoryModel()
    view, _ = history_table(model)
    view.resize(1000, 700)
    view.show()
    load_ms = timed(lambda: model.set_rows(rows))
    filters = {
        query: timed(lambda q=query: model.set_filter(q))  # type: ignore[misc]
        for query in ("rent", "ab", "t1ff", "zzzz-no-match", "")
    }
    kind_ms = timed(lambda: model.set_filter("", "node_reward"))
    timed(lambda: model.set_filter("", ""))
    sort_ms = timed(
        lambda: view.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)
    )
    bar = view.verticalScrollBar()
    steps = []
    for position in range(0, bar.maximum(), max(1, bar.maximum() // 200)):
        steps.append(timed(lambda p=position: bar.setValue(p)))  # type: ignore[misc]
    steps.append(timed(lambda: bar.setValue(bar.maximum())))
    view.close()
    return {
        "rows": count,
        "prepare_ms_total": round(prepare_ms, 1),
        "prepare_max_stall_ms": prepare_probe["max_stall_ms"],
        "load_ms": load_ms,
        "filter_ms": filters,
        "filter_kind_ms": kind_ms,
        "sort_ms": sort_ms,
        "scroll_step_ms_median": round(statistics.median(steps), 2),
        "scroll_step_ms_max": max(steps),
        "scroll_steps": len(steps),
    }


def run_probed(loop: asyncio.AbstractEventLoop,
               work: Callable[[], Coroutine[Any, Any, Any]]) -> dict[str, float]:
    probe = StallProbe()
    probe.start()
    began = time.perf_counter()
    with CallbackTimer() as callbacks:
        loop.run_until_complete(work())
    result = probe.stop()
    result["seconds"] = round(time.perf_counter() - began, 2)
    result["longest_gui_callback_ms"] = round(callbacks.longest * 1000, 1)
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-sync", action="store_true", help="skip the simulator sync part")
    parser.add_argument("--txs", type=int, default=10_000, help="transactions in the sync part")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    report: dict[str, Any] = {"gui_history": bench_history(loop, args.rows)}
    report["gui_history"]["load_average_1min"] = round(os.getloadavg()[0], 2)
    if not args.no_sync:
        from bench.bench_gui_sync import bench_sync

        report["gui_sync"] = bench_sync(loop, run_probed, args.txs)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

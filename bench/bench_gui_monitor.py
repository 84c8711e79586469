"""GUI responsiveness while the node monitor polls: the longest event-loop stall during a poll.

The simulated node (fluxd, FluxOS, fluxbench on 127.0.0.1 plus systemctl/pm2 stand-ins) runs in
its own thread and loop, so only the monitor's own work lands on the GUI thread: the clients'
I/O, the fluxbench-cli subprocesses, file reads in workers, and drawing the dashboard from the
result. Each round builds the service afresh, so every poll asks every source (no reply cache).
Prints one JSON document. Run: python -m bench.bench_gui_monitor [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtWidgets import QApplication

from app.monitor_backend import AppMonitorBackend
from app.settings import Settings
from bench.bench_gui import run_probed
from tests.sim.nodeapi.localnode import LocalSimNode, local_node
from tests.sim.nodeapi.states import scripted
from ui.monitor.dashboard import NodeDashboard
from ui.monitor_service import MonitorService


class SimThread:
    """The simulated node served from a thread of its own until ``stop``."""

    def __init__(self, root: Path, state: str) -> None:
        self.root, self.state = root, state
        self.ready = threading.Event()
        self.node: LocalSimNode | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with local_node(self.root, scripted(self.state)) as node:
            self.node = node
            self.ready.set()
            await self._stop.wait()

    def __enter__(self) -> LocalSimNode:
        self._thread.start()
        if not self.ready.wait(30) or self.node is None:
            raise RuntimeError("the simulated node did not start")
        return self.node

    def __exit__(self, *_exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def one_round(loop: asyncio.AbstractEventLoop, node: LocalSimNode) -> dict[str, Any]:
    settings = Settings()
    settings.node_monitor.update({"local_api": node.fluxos_address})
    service = MonitorService(AppMonitorBackend(settings, node.data_dir, lambda: None))
    board = NodeDashboard(service)
    board.resize(770, 560)
    board.show()
    service.load_nodes()
    try:
        result = run_probed(loop, service.poll_all)
        result["findings"] = len(service.results["local"].findings)
    finally:
        loop.run_until_complete(service.close())
        board.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--state", default="bench_failed")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as folder, SimThread(Path(folder), args.state) as node:
        os.environ.update({k: v for k, v in node.env.items() if v})
        for key in (k for k, v in node.env.items() if not v):
            os.environ.pop(key, None)
        rounds = [one_round(loop, node) for _ in range(args.rounds)]
    report = {
        "state": args.state,
        "rounds": len(rounds),
        "max_stall_ms": max(r["max_stall_ms"] for r in rounds),
        "longest_gui_callback_ms": max(r["longest_gui_callback_ms"] for r in rounds),
        "poll_seconds_max": max(r["seconds"] for r in rounds),
        "per_round": rounds,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps({"gui_monitor": report}))
    with loop:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

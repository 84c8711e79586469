"""Event-loop stalls while the GUI's wallet does a full sync against the simulator.

The simulator runs in its own process (like a real server would), serving a regtest wallet with
TXS funding transactions spread over ADDRESSES receive addresses. The GUI process unlocks the
wallet through the Qt service (as the unlock form does) and a 5 ms timer probe measures the
longest time the GUI thread could not react, until the history table shows every transaction.
Run alone: python -m bench.bench_gui_sync [--txs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "bench-password-1"  # noqa: S105 - a throw-away wallet in a temp folder
ADDRESSES = 50
TXS = 10_000

Probed = Callable[[asyncio.AbstractEventLoop, Callable[[], Coroutine[Any, Any, Any]]],
                  dict[str, float]]


def wallet_addresses(count: int) -> list[str]:
    from wallet.keychain import Keychain
    from wallet.storage.model import HdSeed, WalletDocument

    keychain = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    return [keychain.derive(0, i).address for i in range(count)]


async def serve(state_file: Path, txs: int) -> None:
    """Child process: the simulator with the bench wallet's history."""
    from flux.money import COIN
    from tests.sim.server import SimNetwork

    addresses = wallet_addresses(ADDRESSES)
    async with SimNetwork() as sim:
        sim.fund_many([(addresses[i % ADDRESSES], COIN + i) for i in range(txs)])
        state_file.write_text(json.dumps({"insight_url": sim.insight_url, "tip": sim.height}))
        await asyncio.Event().wait()


def start_server(txs: int, state_file: Path) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    child = subprocess.Popen(  # the sim gets its own CPU time, as a remote server would
        [sys.executable, "-m", "bench.bench_gui_sync", "--serve", str(state_file),
         "--txs", str(txs)],
    )
    deadline = time.monotonic() + 300
    while not state_file.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the simulator did not start")
        time.sleep(0.1)
    time.sleep(0.1)
    return child, json.loads(state_file.read_text())


def bench_sync(
    loop: asyncio.AbstractEventLoop, run_probed: Probed, txs: int = TXS
) -> dict[str, Any]:
    from app import settings
    from app.context import AppContext
    from app.services import Services
    from app.wallet_wiring import build_wallet_ui
    from ui.concurrency import Engine
    from ui.wallet.history import HistoryPage
    from wallet.storage.model import HdSeed, WalletDocument
    from wallet.storage.store import WalletStore

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        child, state = start_server(txs, data_dir / "sim.json")
        try:
            document = WalletDocument(kind=HdSeed(MNEMONIC), network="regtest")
            loaded = settings.load(data_dir)
            loaded.servers.insight["regtest"] = [state["insight_url"]]
            loaded.servers.use_local_node = False
            ctx = AppContext(data_dir=data_dir, network="regtest", settings=loaded,
                             log_path=data_dir / "log", logger=logging.getLogger("bench"))
            services = Services(ctx)
            WalletStore(services.wallet_path()).create(document, PASSWORD).lock()
            engine = Engine()
            ui = build_wallet_ui(services, engine)
            history = next(p for p in ui.pages if isinstance(p, HistoryPage))
            history.resize(1000, 700)
            history.show()

            async def unlock_and_sync() -> None:
                # The real KDF (Argon2id in a worker thread) is part of what is measured.
                await ui.model.unlock(PASSWORD)
                await ui.model.wait_synced()

            result: dict[str, Any] = dict(run_probed(loop, unlock_and_sync))
            result.update(
                transactions=len(ui.model.history_rows),
                history_rows_shown=history.proxy.rowCount(),
                requests=loop.run_until_complete(engine.run(
                    lambda: getattr(ui.service.backend, "requests_made", None))),
            )
            loop.run_until_complete(ui.model.close())
            engine.stop()
            return result
        finally:
            child.terminate()
            child.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--txs", type=int, default=TXS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.txs))
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from bench.bench_gui import run_probed

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    print(json.dumps({"gui_sync": bench_sync(loop, run_probed, args.txs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make demo`: a funded regtest wallet in the GUI within a minute, no real coins involved.

Starts the simulator (`python -m tests.sim`), makes a fresh regtest data folder whose wallet file
restores the simulator's public demo seed and points at its Insight API, prints the demo password,
then runs FluxDesk on it. Quitting FluxDesk stops the simulator.

`--screenshots DIR` instead unlocks the wallet in-process and saves every wallet page as PNG
(with QT_SCALE_FACTOR and --theme, to review the pages at other scales and in dark mode).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from app import settings as app_settings
from app.paths import DataPaths
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore

# Public, test-only: anyone reading this file knows it, exactly like the demo seed.
DEMO_PASSWORD = "demo-password-123"  # noqa: S105
SIM_START_TIMEOUT = 60.0


def start_sim(state_file: Path, block_interval: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.sim", "--state-file", str(state_file)]
    if block_interval:
        command += ["--block-interval", str(block_interval)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


def wait_for_state(state_file: Path, sim: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + SIM_START_TIMEOUT
    while time.monotonic() < deadline:
        if sim.poll() is not None:
            raise RuntimeError(f"the simulator exited with code {sim.returncode}")
        if state_file.exists():
            data: dict[str, Any] = json.loads(state_file.read_text("utf-8"))
            return data
        time.sleep(0.1)
    raise RuntimeError(f"the simulator did not start within {SIM_START_TIMEOUT:.0f} s")


def make_data_dir(data_dir: Path, sim_state: dict[str, Any]) -> Path:
    """Regtest settings plus a wallet file with the demo seed, pointed at the simulator."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = app_settings.load(data_dir)
    settings.network = "regtest"
    settings.servers.insight["regtest"] = [sim_state["insight_url"]]
    settings.servers.use_local_node = False
    app_settings.save(data_dir, settings)
    document = WalletDocument(kind=HdSeed(sim_state["mnemonic"]), network="regtest",
                              name="Demo wallet")
    path = DataPaths(data_dir).wallet("regtest")
    WalletStore(path).create(document, DEMO_PASSWORD, overwrite=True).lock()
    return path


def screenshots(data_dir: Path, target: Path, theme: str | None) -> int:
    """Unlock the demo wallet in-process, sync, and save each wallet page (and the Nodes and
    Setup pages) as a PNG at 960x640."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from app.context import AppContext
    from app.gui import Gui, save_screenshot

    ctx = AppContext(data_dir=data_dir, network="regtest",
                     settings=app_settings.load(data_dir), log_path=data_dir / "demo.log",
                     logger=logging.getLogger("fluxdesk"))
    if theme:
        ctx.settings.ui.theme = theme
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gui = Gui(ctx, app)
    gui.window.resize(960, 640)  # the smallest size the pages are laid out for
    loop.run_until_complete(gui.wallet.model.unlock(DEMO_PASSWORD))
    loop.run_until_complete(gui.wallet.model.wait_synced())
    suffix = f"{theme or 'light'}-x{os.environ.get('QT_SCALE_FACTOR', '1')}"
    loop.run_until_complete(gui.wallet.nodes.refresh())
    for page_id in gui.window.page_ids():
        if page_id.startswith("wallet") or page_id in ("nodes", "setup"):
            gui.window.show_page(page_id)
            save_screenshot(gui.window, app, target / f"{page_id}-{suffix}.png")
    loop.run_until_complete(gui.closer.wait())
    loop.run_until_complete(loop.shutdown_default_executor())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path,
                        help="demo data folder (default: a fresh temporary folder)")
    parser.add_argument("--block-interval", type=float, default=30.0,
                        help="seconds between simulated blocks (0 = only on demand)")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="save every wallet page as PNG into DIR and exit")
    parser.add_argument("--theme", choices=("light", "dark"))
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="fluxdesk-demo-"))
    state_file = data_dir / "sim-state.json"
    state_file.unlink(missing_ok=True)
    # A plain SIGTERM (Ctrl-C arrives as KeyboardInterrupt) must still stop both children.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    gui: subprocess.Popen[bytes] | None = None
    sim = start_sim(state_file, args.block_interval)
    try:
        state = wait_for_state(state_file, sim)
        make_data_dir(data_dir, state)
        if args.screenshots:
            return screenshots(data_dir, args.screenshots, args.theme)
        print(f"FluxDesk demo: regtest simulator at {state['insight_url']}\n"
              f"  data folder     : {data_dir}\n"
              f"  wallet password : {DEMO_PASSWORD}   (demo only; the seed is public)\n"
              "Unlock the wallet with that password. Close FluxDesk to stop the simulator.",
              flush=True)
        command = [sys.executable, "-m", "app.main", "--data-dir", str(data_dir),
                   "--network", "regtest"]
        if args.theme:
            command += ["--theme", args.theme]
        gui = subprocess.Popen(command)
        return gui.wait()
    except (RuntimeError, OSError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    finally:
        for child in (gui, sim):
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()


if __name__ == "__main__":
    sys.exit(main())

"""``python -m tests.sim``: run the simulated Flux network with the funded demo wallet.

Starts Insight and fluxd RPC on 127.0.0.1, prints their URLs and the demo mnemonic, optionally
writes a state file (JSON: endpoints and RPC credentials, mode 0600) for ``make demo``, and
runs until interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from flux.money import COIN
from tests.sim.demo import DEMO_COINS, DEMO_MNEMONIC, demo_address, demo_path, fund_demo
from tests.sim.server import HOST, SimNetwork


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.sim",
        description="Local simulated Flux network (regtest addresses) for tests and demos.",
    )
    parser.add_argument("--port", type=int, default=0,
                        help="Insight API port (default: a free port)")
    parser.add_argument("--rpc-port", type=int, default=0,
                        help="fluxd JSON-RPC port (default: a free port)")
    parser.add_argument("--state-file", type=Path,
                        help="write endpoints and RPC credentials here as JSON")
    parser.add_argument("--block-interval", type=float, default=0.0, metavar="SECONDS",
                        help="mine a block every SECONDS (default: only on demand)")
    parser.add_argument("--rpc-user", default="fluxdesk-demo")
    args = parser.parse_args(argv)
    if args.block_interval < 0:
        parser.error("--block-interval must be 0 (off) or a positive number of seconds")
    return args


def state(sim: SimNetwork) -> dict[str, Any]:
    return {
        "network": "regtest",
        "insight_url": sim.insight_url,
        "rpc_url": sim.rpc_url,
        "rpc_host": HOST,
        "rpc_port": sim.rpc_port,
        "rpc_user": sim.rpc_user,
        "rpc_password": sim.rpc_password,
        "mnemonic": DEMO_MNEMONIC,
        "derivation": demo_path(0, 0).rsplit("/", 2)[0],
        "tip_height": sim.height,
        "pid": os.getpid(),
    }


def write_state(path: Path, data: dict[str, Any]) -> None:
    """Atomic write, owner-only: the file holds the RPC password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sim-state-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def banner(sim: SimNetwork) -> str:
    lines = [
        "FluxDesk simulated network (regtest) is running.",
        f"  Insight API : {sim.insight_url}",
        f"  fluxd RPC   : {sim.rpc_url}  (user {sim.rpc_user})",
        f"  tip height  : {sim.height}",
        "",
        "Demo wallet (TEST ONLY, public mnemonic, never use it for real coins):",
        f"  {DEMO_MNEMONIC}",
    ]
    for coin in DEMO_COINS:
        kind = "coinbase, matured" if coin.coinbase else "payment"
        lines.append(
            f"  {demo_path(coin.chain, coin.index):<18} {demo_address(coin.chain, coin.index)}"
            f"  {coin.satoshis / COIN:>12.8f} FLUX ({kind})"
        )
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> None:
    # The RPC password is random per run and only written to the (0600) state file.
    sim = SimNetwork(insight_port=args.port, rpc_port=args.rpc_port, rpc_user=args.rpc_user)
    fund_demo(sim)
    async with sim:
        if args.state_file:
            write_state(args.state_file, state(sim))
        if args.block_interval:
            sim.start_mining_timer(args.block_interval)
        print(banner(sim), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    if args.state_file:
        with contextlib.suppress(FileNotFoundError):
            args.state_file.unlink()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(run(args))
    except OSError as exc:
        print(f"Cannot start the simulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

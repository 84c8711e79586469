"""Serve a simulated node on this machine in one named state, for screenshots and manual looks.

    python -m tests.sim.nodeapi --state dos --root /tmp/monsim

lays out ROOT/home (flux.conf, logs), ROOT/tools (fluxbench-cli, systemctl, pm2 stand-ins) and
ROOT/data (settings), writes ROOT/env.sh with HOME and PATH for the app, and serves until stopped:

    . /tmp/monsim/env.sh && python -m app.main --data-dir /tmp/monsim/data --page local_node
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
from pathlib import Path

from tests.sim.nodeapi.localnode import local_node
from tests.sim.nodeapi.states import STATES, scripted


async def serve_state(state: str, root: Path) -> None:
    async with local_node(root, scripted(state)) as node:
        lines = [f"export {k}={shlex.quote(v)}" for k, v in node.env.items() if v]
        lines += [f"unset {k}" for k, v in node.env.items() if not v]
        (root / "env.sh").write_text("\n".join(lines) + "\n")
        print(f"serving state {state!r}; . {root}/env.sh", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", choices=sorted(STATES), default="confirmed")
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_state(args.state, args.root))


if __name__ == "__main__":
    main()

"""CLI subcommands. Each module has ``register(subparsers)`` and ``run(args, ctx) -> int``."""

from __future__ import annotations

import argparse
from typing import Any


def register_all(subparsers: argparse._SubParsersAction[Any]) -> None:
    # Imported here, not at the top, so the GUI starts without every command's dependencies;
    # still statically (not by name) so the frozen bundle's analysis sees every command.
    from app.commands import bench, node, wallet

    for module in (bench, node, wallet):
        module.register(subparsers)

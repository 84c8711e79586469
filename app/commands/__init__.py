"""CLI subcommands. Each module has ``register(subparsers)`` and ``run(args, ctx) -> int``."""

from __future__ import annotations

import argparse
from typing import Any

# Imported statically (not by name) so the frozen bundle's analysis sees every command.
from app.commands import bench, node, wallet

COMMAND_MODULES = (bench, node, wallet)


def register_all(subparsers: argparse._SubParsersAction[Any]) -> None:
    for module in COMMAND_MODULES:
        module.register(subparsers)

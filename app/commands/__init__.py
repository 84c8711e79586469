"""CLI subcommands. Each module has ``register(subparsers)`` and ``run(args, ctx) -> int``."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

COMMAND_MODULES: tuple[str, ...] = (
    "app.commands.bench",
    "app.commands.node",
    "app.commands.wallet",
)


def register_all(subparsers: argparse._SubParsersAction[Any]) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)

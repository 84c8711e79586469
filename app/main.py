"""The `fluxdesk` entry point: GUI by default, CLI subcommands for scripting."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import platformdirs

from app import __version__, settings
from app.commands import register_all
from app.context import AppContext
from app.hardening import disable_core_dumps
from app.logsetup import setup_logging
from app.settings import NETWORKS, THEMES, SettingsError
from nodectl.install.privclient import FROZEN_HELPER_FLAG

APP_NAME = "FluxDesk"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fluxdesk",
        description="FluxDesk: Flux wallet, staking, hardware benchmark and node controller.",
    )
    parser.add_argument("--version", action="version", version=f"fluxdesk {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where FluxDesk keeps everything it writes")
    parser.add_argument("--network", choices=NETWORKS, help="override the network from settings")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="log debug messages, also to stderr"
    )
    gui = parser.add_argument_group("GUI")
    gui.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="render the main window offscreen to PNG and exit",
    )
    gui.add_argument("--page", help="page to show (with --screenshot or at start)")
    gui.add_argument("--theme", choices=THEMES, help="override the theme from settings")
    # Used by `make bench`: report time to first paint and idle memory, then quit.
    gui.add_argument("--startup-probe", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    return parser


def make_context(args: argparse.Namespace) -> AppContext:
    data_dir: Path = (args.data_dir or default_data_dir()).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = setup_logging(
        data_dir, logging.DEBUG if args.verbose else logging.INFO, args.verbose
    )
    notices: list[str] = []
    loaded = settings.load(data_dir, notices)
    for notice in notices:
        print(f"fluxdesk: {notice}", file=sys.stderr)
    if args.network:
        loaded.network = args.network
    if getattr(args, "theme", None):
        loaded.ui.theme = args.theme
    return AppContext(
        data_dir=data_dir,
        network=loaded.network,
        settings=loaded,
        log_path=log_path,
        logger=logging.getLogger("fluxdesk"),
    )


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == [FROZEN_HELPER_FLAG]:
        # The frozen bundle started as the installer's privileged helper (see privclient).
        from nodectl.install.privhelper import main as helper_main

        return helper_main()
    # Before any secret is read: a crash must not write one to a core file.
    disable_core_dumps()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        ctx = make_context(args)
    except (OSError, SettingsError) as exc:
        print(f"fluxdesk: {exc}", file=sys.stderr)
        return 1
    ctx.logger.info(
        "fluxdesk %s starting (network %s, data dir %s)", __version__, ctx.network, ctx.data_dir
    )
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = handler(args, ctx)
        return code
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.qtcheck import QtEnvironmentError, check_qt_environment

    try:
        check_qt_environment()
    except QtEnvironmentError as exc:
        print(f"fluxdesk: {exc}", file=sys.stderr)
        return 1
    from app.gui import run_gui

    return run_gui(
        ctx, screenshot=args.screenshot, page=args.page, startup_probe=args.startup_probe
    )


if __name__ == "__main__":
    sys.exit(main())

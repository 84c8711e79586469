"""The `fluxdesk` entry point: GUI by default, CLI subcommands for scripting."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import platformdirs

from app import __version__, settings
from app.commands import register_all
from app.commands.failure import (
    EXIT_BROKEN_PIPE,
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_USAGE,
    CommandFailed,
    exit_code_table,
    report,
)
from app.context import AppContext
from app.hardening import disable_core_dumps
from app.logsetup import setup_logging
from app.settings import NETWORKS, THEMES, SettingsError
from nodectl.install.privclient import FROZEN_HELPER_FLAG

APP_NAME = "FluxDesk"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class UsageError(Exception):
    """A command line argparse refused; raised instead of exiting so --json can answer in JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class CliParser(argparse.ArgumentParser):
    """argparse, but a bad command line raises UsageError (every sub-parser inherits this)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)


EPILOG = f"""\
--data-dir, --network and --verbose may also come after the subcommand
(fluxdesk wallet balance --network regtest). With --json, errors are JSON too:
{{"error": {{"kind": "...", "message": "..."}}}} on standard output.

exit codes:
{exit_code_table()}
"""

# Accepted before and after the subcommand; (flags, keyword arguments) of each.
GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--data-dir",), {"type": Path, "metavar": "DIR",
                       "help": "where FluxDesk keeps everything it writes"}),
    (("--network",), {"choices": NETWORKS, "help": "override the network from settings"}),
    (("--verbose", "-v"), {"action": "store_true", "help": "log debug messages, also to stderr"}),
)


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without ``commands`` only the options of a GUI start (see gui_args)."""
    parser = CliParser(
        prog="fluxdesk",
        description="FluxDesk: Flux wallet, staking, hardware benchmark and node controller. "
        "Without a command it opens the window.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # Without the commands it only tries a line: --help and --version are the full parser's.
        add_help=commands,
    )
    if commands:
        parser.add_argument("--version", action="version", version=f"fluxdesk {__version__}")
    for flags, options in GLOBAL_OPTIONS:
        parser.add_argument(*flags, **options)
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
    if not commands:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    for child in subcommand_parsers(parser):
        _accept_global_options(child)
    return parser


def gui_args(args_in: list[str]) -> argparse.Namespace | None:
    """The options of a plain GUI start, read without loading any CLI command (and all that the
    commands import), or None when the line is anything else (a command, --help, an error): then
    the full parser reads it and says what is wrong."""
    try:
        args, unknown = build_parser(commands=False).parse_known_args(args_in)
    except UsageError:
        return None
    return None if unknown else args


def subcommand_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser below ``parser`` (depth first), e.g. ``wallet`` and ``wallet balance``."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                if not child.description and helps.get(name):
                    # `fluxdesk wallet balance --help` then says what the command does.
                    child.description = f"{str(helps[name])[0].upper()}{str(helps[name])[1:]}."
                # The deepest parser chosen is the one whose usage an unknown option shows.
                child.set_defaults(cli_parser=child)
                found.append(child)
                found.extend(subcommand_parsers(child))
    return found


def _accept_global_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a sub-parser only sets what was typed after the subcommand, so a value given
    # before it is not overwritten by a default.
    group = parser.add_argument_group("global options (also accepted before the command)")
    for flags, options in GLOBAL_OPTIONS:
        group.add_argument(*flags, **{**options, "default": argparse.SUPPRESS})


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
    try:
        code = _main(args_in)
        # Inside the try: output still buffered fails here, not in the interpreter's exit.
        sys.stdout.flush()
    except KeyboardInterrupt:
        print("\nfluxdesk: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BrokenPipeError:
        # The reader (`| head`) has gone; nothing more can be shown. Point stdout at /dev/null so
        # the interpreter's final flush does not print a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


def _main(args_in: list[str]) -> int:
    gui = gui_args(args_in)
    if gui is not None:
        return _run(gui)
    parser = build_parser()
    as_json = "--json" in args_in
    try:
        args, unknown = parser.parse_known_args(args_in)
        if unknown:
            chosen: argparse.ArgumentParser = getattr(args, "cli_parser", parser)
            chosen.error(f"unrecognized arguments: {' '.join(unknown)}")
    except UsageError as exc:
        if as_json:
            return report(CommandFailed("usage", exc.message, EXIT_USAGE), True)
        exc.parser.print_usage(sys.stderr)
        print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    as_json = bool(getattr(args, "json", False))
    try:
        ctx = make_context(args)
    except (OSError, SettingsError) as exc:
        return report(CommandFailed("settings", str(exc)), as_json)
    ctx.logger.info(
        "fluxdesk %s starting (network %s, data dir %s)", __version__, ctx.network, ctx.data_dir
    )
    handler = getattr(args, "handler", None)
    if handler is not None:
        try:
            code: int = handler(args, ctx)
        except CommandFailed as exc:
            ctx.logger.info("%s failed: %s", args.command, exc.kind)
            return report(exc, as_json)
        return code
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.qtcheck import QtEnvironmentError, check_qt_environment

    try:
        check_qt_environment()
    except QtEnvironmentError as exc:
        print(f"fluxdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    from app.gui import run_gui

    return run_gui(
        ctx, screenshot=args.screenshot, page=args.page, startup_probe=args.startup_probe
    )


if __name__ == "__main__":
    sys.exit(main())

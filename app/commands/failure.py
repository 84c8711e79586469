"""How a command fails: one typed error, one exit code table, plain text or JSON.

A command raises ``CommandFailed``; ``app.main`` prints it once, as ``fluxdesk: message`` on
stderr, or with ``--json`` as ``{"error": {"kind": ..., "message": ...}}`` on stdout (where a
script reading the JSON looks), and exits with the code from ``EXIT_CODES``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_MAYBE_SENT = 3
EXIT_CANCELLED = 130
EXIT_BROKEN_PIPE = 141

# The documented table (`fluxdesk --help` and README's command-line section print it).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done"),
    (EXIT_FAILED, "failed: the message says why and what to do next"),
    (EXIT_USAGE, "the command line or a value given on it is wrong; nothing was done"),
    (EXIT_MAYBE_SENT, "wallet send: the transaction may have been sent; do not simply retry"),
    (EXIT_CANCELLED, "cancelled with Ctrl-C"),
    (EXIT_BROKEN_PIPE, "the program reading the output stopped early (e.g. head -1)"),
)


def exit_code_table() -> str:
    return "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES)


class CommandFailed(Exception):
    """A failure the person can act on. ``kind`` is a stable word for scripts."""

    def __init__(
        self,
        kind: str,
        message: str,
        code: int = EXIT_FAILED,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.code = code
        self.details = details or {}


def error_document(kind: str, message: str, details: dict[str, Any] | None = None) -> str:
    return json.dumps({"error": {"kind": kind, "message": message, **(details or {})}}, indent=2)


def report(failure: CommandFailed, as_json: bool) -> int:
    """Print ``failure`` once, the way the caller asked for; return its exit code."""
    if as_json:
        print(error_document(failure.kind, failure.message, failure.details))
    else:
        print(f"fluxdesk: {failure.message}", file=sys.stderr)
    return failure.code

"""Privileged helper: started once through pkexec/sudo, speaks JSON lines on stdin/stdout.

A request is ``{"id": n, "op": <name>, "args": {...}}``: one of the named operations of
:mod:`nodectl.install.operations`, with typed parameters checked against fixed sets. There is
no field for a program, an argument vector, a path to write or file content, so a caller can
only choose which of our operations runs. Anything else is refused with an error answer.

Start-up: the first line is ``{"id": null, "ready": true, "euid": ...}`` once the helper has
checked that all the code it loaded can only be changed by root (else ``"ready": false`` with
the reason), cleared its environment and moved to ``/``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

from nodectl.install import helpertrust
from nodectl.install.accounts import Policy, caller_uid
from nodectl.install.operations import OperationRefused, parse
from nodectl.install.privops import Executor
from nodectl.install.safefs import Root

Out = Callable[[str], None]


def handle(line: str, executor: Executor, out: Out) -> None:
    """Process one request line; every outcome is a JSON answer, never an exception."""
    req_id: object = None
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            raise OperationRefused("request must be a JSON object")
        req_id = req.get("id")
        extra = set(req) - {"id", "op", "args", "timeout"}
        if extra:
            raise OperationRefused(f"unexpected request fields: {sorted(extra)}")
        op = parse(req.get("op"), req.get("args"))
        timeout = req.get("timeout", 3600)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or \
                not 0 < timeout <= 24 * 3600:
            raise OperationRefused("timeout must be 1 s .. 24 h")

        def emit(event: dict[str, Any]) -> None:
            out(json.dumps({"id": req_id, **event}))

        result = executor.perform(op, emit, float(timeout))
        out(json.dumps({"id": req_id, "ok": True, "result": result}))
    except OperationRefused as exc:
        out(json.dumps({"id": req_id, "ok": False, "error": f"refused: {exc}"}))
    except Exception as exc:  # an OSError, a bad JSON line: answer and keep serving
        out(json.dumps({"id": req_id, "ok": False, "error": f"{type(exc).__name__}: {exc}"}))


def main(argv: list[str] | None = None) -> int:
    """``--root DIR`` (tests only) resolves every file below DIR instead of ``/``."""
    args = list(sys.argv[1:] if argv is None else argv)

    def out(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    root_dir = args[args.index("--root") + 1] if "--root" in args else "/"
    wrong = helpertrust.untrusted_code() + helpertrust.untrusted_dir(root_dir)
    if wrong:
        out(json.dumps({"id": None, "ready": False, "error": "refusing to run as root: "
                        f"{wrong[0]} can be changed by a user other than root; "
                        f"{helpertrust.FIX}"}))
        return 3
    caller = caller_uid()
    os.environ.clear()  # children get explicit environments; nothing inherited
    os.chdir("/")
    os.umask(0o022)
    executor = Executor(Policy(Root(root_dir), caller, caller))
    out(json.dumps({"id": None, "ready": True, "euid": os.geteuid()}))
    for line in sys.stdin:
        if line.strip():
            handle(line, executor, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Uncaught exceptions (in slots, callbacks or tasks) are logged and shown, never a silent death."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from app.logsetup import mask_secrets

log = logging.getLogger("fluxdesk.errors")


class ErrorReporter:
    """Logs an unexpected error and hands a masked report to ``show`` (the error dialog)."""

    def __init__(self, log_path: Path, show: Callable[[str, str, str], None]) -> None:
        self._log_path = log_path
        self._show = show
        self.reported: list[str] = []

    def report(self, exc: BaseException, context: str = "") -> None:
        details = mask_secrets(
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        )
        log.error("unexpected error%s:\n%s", f" in {context}" if context else "", details)
        summary = mask_secrets(f"{type(exc).__name__}: {exc}")
        self.reported.append(summary)
        try:
            self._show(summary, details, f"Details were also written to {self._log_path}")
        except Exception:  # the reporter itself must never raise into Qt
            log.exception("could not show the error dialog")

    def excepthook(
        self, etype: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        self.report(value.with_traceback(tb), "a Qt slot")

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.report(exc, str(context.get("message", "")))
        else:
            log.error("event loop error: %s", mask_secrets(str(context.get("message"))))

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        sys.excepthook = self.excepthook
        loop.set_exception_handler(self.loop_handler)

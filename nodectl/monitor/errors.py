"""Typed errors of the node monitor: what went wrong, in plain words, and what to do next.

Every client in ``nodectl.monitor`` raises only these on purpose. The message never carries a
secret (RPC password, bot token, webhook URL): it is built from the source's name and the kind of
failure, never from an exception text that could echo a URL.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""

    kind = "error"

    def __init__(self, message: str, next_step: str) -> None:
        super().__init__(f"{message} {next_step}".strip())
        self.message = message
        self.next_step = next_step


class SourceDown(MonitorError):
    """Nothing answers where the source should be (connection refused, no such program)."""

    kind = "down"


class SourceTimeout(MonitorError):
    """The source took longer than its time limit to answer."""

    kind = "timeout"


class NotAllowed(MonitorError):
    """The source refused us: wrong RPC credentials (fluxd) or ``data.code`` 401 (FluxOS)."""

    kind = "not_allowed"


class BadReply(MonitorError):
    """The source answered with something we cannot read (not JSON, wrong shape)."""

    kind = "bad_reply"


class SourceRefused(MonitorError):
    """The source answered with its own error (a fluxd RPC error, a FluxOS ``status: error``)."""

    kind = "refused"

    def __init__(self, message: str, next_step: str, *, code: int | None = None,
                 reason: str = "") -> None:
        super().__init__(message, next_step)
        self.code = code
        self.reason = reason


class DeliveryFailed(MonitorError):
    """An alert could not be delivered (Telegram or Discord said no, or did not answer)."""

    kind = "delivery"

"""Process hardening done once at start-up, before any secret is read."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def disable_core_dumps() -> bool:
    """Set RLIMIT_CORE to 0 so a crash never writes decrypted keys to a core file.

    The process holds secrets (seed, keys, passwords) from unlock to exit, so the limit stays 0
    for its whole life. Returns False where the platform has no such limit (Windows).
    """
    try:
        import resource
    except ImportError:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError) as exc:
        log.warning("could not turn core dumps off: %s", exc)
        return False
    return True

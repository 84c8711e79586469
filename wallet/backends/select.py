"""Pick the chain backend: the local fluxd if reachable, synced and indexed, else Insight."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from wallet.backends.base import ChainBackend
from wallet.backends.fluxd_rpc import FluxdRpcBackend, RpcError, read_rpc_config
from wallet.backends.insight import InsightBackend
from wallet.errors import BackendError

log = logging.getLogger(__name__)

# A local node this many blocks behind the explorer is treated as still syncing (30-s blocks).
DEFAULT_MAX_LAG = 3


@dataclass(frozen=True)
class Selection:
    backend: ChainBackend
    local: bool
    # Why this backend was chosen, in words for the status bar ("local fluxd is syncing: ...").
    reason: str


def local_fluxd(conf_path: Path | None = None) -> tuple[FluxdRpcBackend | None, str]:
    """A client for the local node from its flux.conf, or None and the reason there is none."""
    try:
        return FluxdRpcBackend(read_rpc_config(conf_path)), ""
    except BackendError as exc:
        return None, str(exc)


async def choose_backend(
    insight: InsightBackend,
    fluxd: FluxdRpcBackend | None,
    *,
    max_lag: int = DEFAULT_MAX_LAG,
    compare_with_insight: bool = True,
) -> Selection:
    if fluxd is None:
        return Selection(insight, False, "no local fluxd configured; using Insight")
    try:
        status = await fluxd.status()
    except BackendError as exc:
        return _fallback(insight, f"local fluxd not usable: {exc}")
    if not status.synced:
        return _fallback(insight, f"local fluxd is syncing ({status.detail})")
    try:
        await fluxd.call("getaddressmempool", {"addresses": []})
    except RpcError as exc:
        if "address index" in str(exc):
            return _fallback(insight, str(exc))
        # Any other complaint (e.g. about the empty list) proves the call is enabled.
    except BackendError as exc:
        return _fallback(insight, f"local fluxd not usable: {exc}")
    if compare_with_insight:
        try:
            remote_tip = await insight.tip_height()
        except BackendError:
            remote_tip = None
        if remote_tip is not None and status.tip_height + max_lag < remote_tip:
            return _fallback(
                insight,
                f"local fluxd is behind (block {status.tip_height}, explorer {remote_tip})",
            )
    log.info("using %s at block %d", fluxd.name, status.tip_height)
    return Selection(fluxd, True, f"using {fluxd.name} ({status.detail})")


def _fallback(insight: InsightBackend, reason: str) -> Selection:
    log.info("%s; using %s", reason, insight.name)
    return Selection(insight, False, f"{reason}; using {insight.name}")

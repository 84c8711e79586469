"""The monitor's own thresholds (not protocol facts), in one place so a setting can change them.

Where a number has an outside source it is named; the others are our judgement and docs/
node-monitor.md says why each value was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class Policy:
    # The watchdog restarts fluxd when its height is 12 or more behind the explorers (watchdog.js).
    sync_tolerance_blocks: int = 12
    # No new block for 20 block times while behind: the daemon is stuck, not just slow.
    stuck_after_s: float = 600.0
    # Restart + catch-up + benchmark before a confirmation can be sent again (our estimate).
    recovery_s: float = 1800.0
    # A sixth of a 30 s PoN slot; chrony normally keeps a node within milliseconds.
    clock_drift_warn_s: float = 5.0
    # Disk nearly full: below both 10 % and 20 GiB free (a daily chain + app growth margin).
    disk_free_min_percent: float = 10.0
    disk_free_min_bytes: int = 20 * GIB


DEFAULT_POLICY = Policy()

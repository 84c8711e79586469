"""Public IP changes over time: FluxOS allows one change per 20 hours; a second one inside 20 h
removes the node's apps and puts it in DOS (fluxNetworkHelper.js ``ipChangesOverLimit``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

IP_CHANGE_WINDOW_S = 20 * 3600
MAX_KEPT = 50


@dataclass(frozen=True)
class IpChange:
    at: float  # unix time the new address was first seen
    old: str
    new: str


def host_of(address: str) -> str:
    """The address without a port: FluxOS gives ``ip``, fluxbench may give ``ip:apiport``."""
    address = address.strip()
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    return address.split(":", 1)[0] if address.count(":") == 1 else address


class IpHistory:
    def __init__(self, current: str | None = None, changes: Sequence[IpChange] = ()) -> None:
        self.current = current
        self.changes: list[IpChange] = list(changes)[-MAX_KEPT:]

    def observe(self, ip: str, now: float) -> IpChange | None:
        ip = host_of(ip)
        if self.current is not None and ip != self.current:
            change = IpChange(now, self.current, ip)
            self.changes = [*self.changes, change][-MAX_KEPT:]
            self.current = ip
            return change
        self.current = ip
        return None

    def recent(self, now: float, window_s: float = IP_CHANGE_WINDOW_S) -> tuple[IpChange, ...]:
        return tuple(c for c in self.changes if now - c.at <= window_s)

    def to_json(self) -> dict[str, Any]:
        return {"current": self.current,
                "changes": [{"at": c.at, "old": c.old, "new": c.new} for c in self.changes]}

    @classmethod
    def from_json(cls, doc: Any) -> IpHistory:
        """A damaged record starts a fresh history instead of failing."""
        if not isinstance(doc, dict):
            return cls()
        changes = []
        for item in doc.get("changes") or []:
            if (isinstance(item, dict) and isinstance(item.get("at"), int | float)
                    and isinstance(item.get("old"), str) and isinstance(item.get("new"), str)):
                changes.append(IpChange(float(item["at"]), item["old"], item["new"]))
        current = doc.get("current")
        return cls(current if isinstance(current, str) else None, changes)

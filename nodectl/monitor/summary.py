"""The one line that says whether the node earns, and if not, why (GUI headline, CLI)."""

from __future__ import annotations

from nodectl.monitor.dashboard import Dashboard, Level, NodeState
from nodectl.monitor.doctor import Finding


def headline(board: Dashboard, findings: tuple[Finding, ...] | list[Finding]) -> tuple[Level,
                                                                                         str]:
    bad = [f for f in findings if f.severity == "bad"]
    if bad:
        more = f" (and {len(findings) - 1} more in Doctor)" if len(findings) > 1 else ""
        return Level.BAD, f"Needs attention: {bad[0].cause}{more}"
    if board.state.state is NodeState.CONFIRMED:
        if findings:
            return Level.WARN, (f"Earning: confirmed and in the payment queue; {len(findings)} "
                                "warning(s) in Doctor.")
        return Level.OK, "Earning: confirmed and in the payment queue. Nothing wrong found."
    if findings:
        return Level.WARN, f"{board.state.words} {findings[0].cause}"
    return board.state.level, board.state.words

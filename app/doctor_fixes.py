"""The doctor's fixes on this machine, for the GUI and for `fluxdesk node doctor --fix`.

No Qt here: the CLI imports this without the GUI's modules.
"""

from __future__ import annotations

from nodectl.install.host import Host
from nodectl.monitor.doctor import Action
from nodectl.monitor.fixes import FixOutcome, FixRefused, fix_plan, run_fix
from nodectl.monitor.snapshot import NodeContext


class HelperFixes:
    """Doctor fixes as the privileged helper's named operations on ``host``.

    On this machine ``host`` is a ``LocalHost``: its helper starts through pkexec (desktop) or
    sudo (terminal), which asks for the administrator's password once, as for the installer.
    """

    def __init__(self, host: Host) -> None:
        self._host = host

    async def __call__(self, action: Action, ctx: NodeContext) -> str:
        return (await self.run(action, ctx)).words

    async def run(self, action: Action, ctx: NodeContext) -> FixOutcome:
        """The fix and whether every step that must succeed did (the CLI reports both)."""
        try:
            plan = fix_plan(action, ctx)
        except FixRefused as exc:
            return FixOutcome(str(action.value), False, f"Not done: {exc}")
        return await run_fix(self._host, plan)

    async def close(self) -> None:
        close = getattr(self._host, "close", None)  # LocalHost stops its helper
        if close is not None:
            await close()

"""The doctor's fixes FluxDesk can run on a remote node: FluxOS admin routes, after a login with
the node owner's Flux ID (FluxOS fluxService.js / benchmarkService.js; docs/node-monitor.md).

Only fixes FluxOS itself performs are offered: restarting fluxd (``/flux/restartdaemon``, runs the
node's restartDaemon.sh) and the benchmark (``/benchmark/restartnodebenchmarks``). Both are GET
routes that FluxOS allows for ``adminandfluxteam`` sessions. A FluxOS that is down cannot restart
itself, and MongoDB, Docker and the watchdog have no FluxOS route: those stay commands to run on
the node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from nodectl.monitor.doctor import Action


@dataclass(frozen=True)
class RemoteAction:
    title: str  # the button's words
    route: str  # the FluxOS admin route (GET, header zelidauth)


REMOTE_ACTIONS: Final[Mapping[Action, RemoteAction]] = {
    Action.RESTART_FLUXD: RemoteAction("Restart fluxd through FluxOS", "/flux/restartdaemon"),
    Action.RESTART_BENCH: RemoteAction("Restart the benchmark through FluxOS",
                                       "/benchmark/restartnodebenchmarks"),
}


def remote_action(action: Action | None) -> RemoteAction | None:
    """The FluxOS route for ``action`` on a remote node, or None (a command to run there)."""
    return REMOTE_ACTIONS.get(action) if action is not None else None

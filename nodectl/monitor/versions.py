"""The lowest versions of the node's software that the Flux network still accepts, as data.

FluxOS peers refuse a node below these (ZelBack/config/default.js ``minimumFluxBenchAllowedVersion``
and ``minimumFluxOSAllowedVersion``, checked in fluxNetworkHelper.js). They rise over time: the
table is data so an update changes one line, and each row names its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOURCE = "RunOnFlux/flux ZelBack/config/default.js (FluxOS 8.17.0)"


@dataclass(frozen=True)
class MinimumVersion:
    component: str
    minimum: str
    source: str


MINIMUMS: tuple[MinimumVersion, ...] = (
    MinimumVersion("fluxbench", "6.2.0", SOURCE),
    MinimumVersion("FluxOS", "8.13.1", SOURCE),
)


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"v6.3.1-beta"`` → (6, 3, 1); None when there is no number to compare."""
    match = re.search(r"\d+(?:\.\d+)*", text)
    return tuple(int(x) for x in match.group(0).split(".")) if match else None


def at_least(version: str, minimum: str) -> bool | None:
    """None when ``version`` cannot be read."""
    have, need = parse_version(version), parse_version(minimum)
    if have is None or need is None:
        return None
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) >= need + (0,) * (width - len(need))

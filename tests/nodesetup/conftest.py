"""Fixtures for the one-click setup: the simulator, the simulated node, a bootstrap server and
the World that joins them (tests/nodesetup/harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest_asyncio

from tests.nodectl.install.conftest import BootstrapServer, bootstrap_server
from tests.nodectl.monitor.conftest import SimNode, node
from tests.nodesetup.harness import World, make_world
from tests.sim import SimNetwork
from tests.sim.fixtures import sim

__all__ = ["bootstrap_server", "node", "sim"]


@pytest_asyncio.fixture
async def world(tmp_path: Path, sim: SimNetwork, node: SimNode,
                bootstrap_server: BootstrapServer) -> AsyncIterator[World]:
    async with aiohttp.ClientSession() as client:
        async for made in make_world(tmp_path, sim, node, bootstrap_server, client):
            yield made

"""pytest fixtures for the simulator. Use them from any test directory with
``pytest_plugins = ["tests.sim.fixtures"]`` in a conftest (tests/sim/conftest.py does so).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.sim.server import SimNetwork


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[SimNetwork]:
    """A fresh simulated network (faucet funded, tip at height 101) on ephemeral ports."""
    async with SimNetwork() as network:
        yield network

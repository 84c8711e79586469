"""Protocol-faithful local Flux network for tests and demos.

One simulated chain (UTXO set, mempool, blocks, coinbase maturity, address and tx indexes)
validates broadcasts like fluxd and is served as an Insight API and as fluxd JSON-RPC on
127.0.0.1. Start it with ``SimNetwork`` (tests: the ``sim`` fixture) or ``python -m tests.sim``.
"""

from tests.sim.faucet import Funded
from tests.sim.faults import Faults
from tests.sim.params import SimParams
from tests.sim.reject import SimReject
from tests.sim.server import SimNetwork

__all__ = ["Faults", "Funded", "SimNetwork", "SimParams", "SimReject"]

"""Makes the simulator fixture ``sim`` available to the tests in this folder.

(pytest only honours ``pytest_plugins`` in the root conftest; other folders that want ``sim``
can import it the same way, or the root conftest can list ``"tests.sim.fixtures"``.)
"""

from tests.sim.fixtures import sim

__all__ = ["sim"]

"""The packaging scripts live in packaging/fluxpack (a folder, so it never shadows PyPI's
`packaging`); tests import them the way `make package` runs them, with that folder on the path."""

import sys

from tests.paths import REPO_ROOT

PACKAGING = str(REPO_ROOT / "packaging")
if PACKAGING not in sys.path:
    sys.path.insert(0, PACKAGING)

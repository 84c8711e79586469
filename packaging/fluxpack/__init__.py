"""Builds FluxDesk's installer packages from the PyInstaller one-folder bundle (`make package`).

Run as `PYTHONPATH=packaging python -m fluxpack` (a folder, not a package named `packaging`, so it
never shadows the PyPI `packaging` library). Pure parts (project facts, control file, checksums)
are separate from the parts that call the distro's tools, so they can be tested on their own.
"""


class PackagingError(Exception):
    """A package cannot be built as asked; the message says what to fix."""

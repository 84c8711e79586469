"""FluxDesk composition root: entry point, settings, logging and wiring of services."""

# The one place the version is written. pyproject.toml takes it from here (a dynamic version,
# read by setuptools without importing the app), so the wheel's and the bundle's metadata,
# `fluxdesk --version` and the .deb agree; and a start reads no package metadata for it.
__version__ = "0.1.0"

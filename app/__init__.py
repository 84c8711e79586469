"""FluxDesk composition root: entry point, settings, logging and wiring of services."""

__version__ = "0.1.0"

"""FluxDesk ui package."""

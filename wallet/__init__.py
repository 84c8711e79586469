"""FluxDesk wallet package."""

"""FluxDesk nodectl package."""

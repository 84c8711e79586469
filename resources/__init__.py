"""FluxDesk resources package."""

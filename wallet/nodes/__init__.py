"""FluxNode staking core: node states from the network lists, START pre-checks and planning,
START broadcast. Pure (no Qt, no HTTP client of its own); timing facts live in timing.py."""

"""Chain backends: Insight API servers and a local fluxd, behind one interface (base.py)."""

"""One-click node setup: from "I have FLUX" to a CONFIRMED FluxNode, as a resumable flow.

Pure (no Qt): the flow calls its external effects through the ports in ``ports.py``; the real
adapters live in ``nodesetup.adapters``. Only ``ui`` and ``app`` import this package.
"""

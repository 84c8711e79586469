"""Node monitor: clients for the parts of a FluxNode, a pure dashboard model, doctor and alerts.

Clients (fluxd, FluxOS, fluxbench, systemd/pm2, metrics, logs) gather facts into a ``Snapshot``;
``dashboard`` and ``doctor`` turn a snapshot into plain words; ``alerts`` turns changes into
events and delivers them. Nothing here imports Qt, ``ui``, ``app`` or ``wallet``.
"""

"""One-click FluxNode installer: preflight, plan of idempotent steps, hosts, runner."""

"""Real implementations of the setup flow's ports over wallet, nodectl/install, nodectl/bench
and nodectl/monitor."""

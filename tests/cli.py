"""Run the `fluxdesk` entry point in a child process, as a user would from a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from tests.paths import REPO_ROOT


def run_fluxdesk(
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``env`` is laid over this process's environment; ``stdin`` None inherits ours."""
    return subprocess.run(
        [sys.executable, "-m", "app.main", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

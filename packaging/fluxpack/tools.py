"""Running the distro's tools (dpkg-deb, objdump, strip, help2man, validators) with plain errors."""

from __future__ import annotations

import subprocess

from fluxpack import PackagingError


def run(argv: list[str]) -> str:
    """The tool's stdout; a missing tool or a failure raises PackagingError saying which and why."""
    try:
        result = subprocess.run(argv, check=False, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise PackagingError(f"{argv[0]} not found: `make package` installs the packaging "
                             "tools when run as root") from exc
    if result.returncode != 0:
        raise PackagingError(f"{' '.join(argv[:3])} failed: "
                             f"{(result.stderr or result.stdout).strip()[-800:]}")
    return result.stdout

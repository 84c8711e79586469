"""The .deb as a user gets it: download size, installed size and start-up time of the installed app.

Start-up is measured like bench.startup (first paint, median of its runs after a warm-up) from
/usr/bin/fluxdesk when this version is installed, otherwise from the package's files unpacked with
`dpkg-deb -x` (the same bytes dpkg would install, run from a temporary folder).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from app import __version__
from bench.startup import measure

DIST = Path("dist")
INSTALLED = Path("/usr/bin/fluxdesk")
PACKAGING = Path(__file__).resolve().parent.parent / "packaging"


def deb_version() -> str:
    """The app's version as the .deb spells it (1.2rc1 is 1.2~rc1), by the packaging scripts."""
    if str(PACKAGING) not in sys.path:
        sys.path.insert(0, str(PACKAGING))
    from fluxpack.project import debian_version

    return debian_version(__version__)


def dpkg(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["dpkg", *args], capture_output=True, text=True, check=check)  # noqa: S607


def package_path() -> Path:
    architecture = dpkg("--print-architecture").stdout.strip()
    return DIST / f"fluxdesk_{deb_version()}_{architecture}.deb"


def installed_version() -> str | None:
    result = dpkg("--status", "fluxdesk", check=False)
    fields = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    installed = fields.get("Status", "").split()[-1:] == ["installed"]
    return fields.get("Version") if result.returncode == 0 and installed else None


def main() -> None:
    report: dict[str, Any] = {"version": __version__}
    if shutil.which("dpkg") is None:
        report["skipped"] = "not a Debian/Ubuntu system: the .deb needs dpkg"
        print(json.dumps({"package": report}))
        return
    deb = package_path()
    if not deb.is_file():
        report["skipped"] = f"no {deb}: run `make package` first"
        print(json.dumps({"package": report}))
        return
    installed_kib = dpkg("--field", str(deb), "Installed-Size").stdout
    report["file"] = str(deb)
    report["deb_size_mb"] = round(deb.stat().st_size / 1e6, 1)
    report["installed_size_mb"] = round(int(installed_kib) * 1024 / 1e6, 1)
    if installed_version() == deb_version() and INSTALLED.is_file():
        report["startup_from"] = f"{INSTALLED} (installed package)"
        report["startup"] = measure([str(INSTALLED)])
    else:
        with tempfile.TemporaryDirectory() as unpacked:
            dpkg("--extract", str(deb), unpacked)
            report["startup_from"] = "the package's files unpacked with dpkg-deb -x (not installed)"
            report["startup"] = measure([str(Path(unpacked) / "opt/fluxdesk/fluxdesk")])
    print(json.dumps({"package": report}))


if __name__ == "__main__":
    main()

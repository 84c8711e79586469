"""The .deb as a user gets it: download size, installed size and start-up time of the installed app.

Start-up is measured like bench.startup (first paint, median of its runs after a warm-up) from
/usr/bin/fluxdesk when this version is installed, otherwise from the package's files unpacked with
`dpkg-deb -x` (the same bytes dpkg would install, run from a temporary folder).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from app import __version__
from bench.startup import measure

DIST = Path("dist")
INSTALLED = Path("/usr/bin/fluxdesk")


def package_path() -> Path:
    return DIST / f"fluxdesk_{__version__}_amd64.deb"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: the package figures need dpkg (Debian/Ubuntu)")
    return found


def installed_version() -> str | None:
    result = subprocess.run([tool("dpkg-query"), "-W", "-f=${Status} ${Version}", "fluxdesk"],
                            capture_output=True, text=True, check=False)
    words = result.stdout.split()
    return words[-1] if result.returncode == 0 and "installed" in words[:3] else None


def main() -> None:
    deb = package_path()
    report: dict[str, Any] = {"version": __version__}
    if not deb.is_file():
        report["skipped"] = f"no {deb}: run `make package` first"
        print(json.dumps({"package": report}))
        return
    installed_kib = subprocess.run([tool("dpkg-deb"), "--field", str(deb), "Installed-Size"],
                                   capture_output=True, text=True, check=True).stdout
    report["file"] = str(deb)
    report["deb_size_mb"] = round(deb.stat().st_size / 1e6, 1)
    report["installed_size_mb"] = round(int(installed_kib) * 1024 / 1e6, 1)
    if installed_version() == __version__ and INSTALLED.is_file():
        report["startup_from"] = f"{INSTALLED} (installed package)"
        report["startup"] = measure([str(INSTALLED)])
    else:
        with tempfile.TemporaryDirectory() as unpacked:
            subprocess.run([tool("dpkg-deb"), "-x", str(deb), unpacked], check=True)
            report["startup_from"] = "the package's files unpacked with dpkg-deb -x (not installed)"
            report["startup"] = measure([str(Path(unpacked) / "opt/fluxdesk/fluxdesk")])
    print(json.dumps({"package": report}))


if __name__ == "__main__":
    main()

"""An early check for the Qt platform libraries, so a missing one gives a readable message.

Without it, a machine lacking e.g. libxcb-cursor0 gets Qt's "could not load the Qt platform plugin
xcb" followed by an abort, which tells a home user nothing.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys

# Debian package for each shared library the xcb platform plugin of Qt 6 loads.
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
    "GL": "libgl1",
}
CORE_LIBRARIES: dict[str, str] = {"xkbcommon": "libxkbcommon0", "fontconfig": "libfontconfig1"}


class QtEnvironmentError(Exception):
    """Qt cannot start here; the message says what to install or set."""


# The linker cache's ABI tag for this interpreter, as ctypes.util.find_library matches it.
_ABI_TAGS = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
             "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


def linker_cache() -> bytes | None:
    """`ldconfig -p`, read once: ctypes.util.find_library runs it again for every name, a dozen
    forks at every start. None when it cannot run."""
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env={"LC_ALL": "C", "LANG": "C"}, check=False,
        ).stdout
    except OSError:
        return None


def library_present(name: str, cache: bytes | None) -> bool:
    """Whether ``ctypes.util.find_library(name)`` finds it: first in the linker cache (matched as
    find_library matches it), else with find_library's own search."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    pattern = rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({_ABI_TAGS.get(machine, 'libc6')}"
    if cache is not None and re.search(os.fsencode(pattern), cache):
        return True
    import ctypes.util  # only for a library the cache does not list

    return ctypes.util.find_library(name) is not None


def missing_packages(names: dict[str, str]) -> list[str]:
    cache = linker_cache()
    return sorted({pkg for lib, pkg in names.items() if not library_present(lib, cache)})


def platform_name() -> str:
    explicit = os.environ.get("QT_QPA_PLATFORM", "")
    if explicit:
        return explicit.split(":")[0]
    if os.environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def check_qt_environment() -> None:
    """Raise QtEnvironmentError with an actionable message when the GUI cannot start."""
    if not sys.platform.startswith("linux"):
        return
    platform = platform_name()
    needed = dict(CORE_LIBRARIES)
    if platform == "xcb":
        if not os.environ.get("DISPLAY"):
            raise QtEnvironmentError(
                "No display found (DISPLAY is not set). Start FluxDesk from a desktop session, "
                "or run it under a virtual screen: xvfb-run -a fluxdesk. "
                "To only render a picture, use: fluxdesk --screenshot out.png"
            )
        needed.update(XCB_LIBRARIES)
    missing = missing_packages(needed)
    if missing:
        raise QtEnvironmentError(
            "Qt needs system libraries that are not installed: "
            + ", ".join(missing)
            + ".\nInstall them with:\n  sudo apt-get install -y "
            + " ".join(missing)
        )
    try:
        from PySide6 import QtWidgets  # noqa: F401
    except ImportError as exc:
        raise QtEnvironmentError(
            f"PySide6 could not load ({exc}). Reinstall FluxDesk or run: make run"
        ) from exc

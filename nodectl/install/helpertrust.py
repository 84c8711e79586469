"""Root must only run code that only root can change.

The helper is started as ``python -I -S -B`` (no PYTHONPATH, no user or venv site-packages, no
``.pth`` files, not the current folder) with cwd ``/`` by a bootstrap that first checks the
package tree (see :data:`BOOTSTRAP`); once running it checks again every module it has loaded,
and for the frozen bundle the executable and its folder. A file or folder that is not owned by
root, or that group/other may write, refuses the start with a message saying how to fix it.
"""

from __future__ import annotations

import os
import stat
import sys

FIX = ("install FluxDesk where only root can change it (for the bundle: "
       "`sudo cp -r fluxdesk /opt/ && sudo chown -R root:root /opt/fluxdesk`), then start it "
       "from there")

# Runs inside the root interpreter before any FluxDesk module is imported (stdlib only):
# argv[1] is the folder that holds the ``nodectl`` package and the ``flux`` floor it imports.
BOOTSTRAP = r"""
import os, stat, sys
top = sys.argv[1]
def bad(p):
    s = os.lstat(p)
    if stat.S_ISLNK(s.st_mode) or (stat.S_ISDIR(s.st_mode) and s.st_mode & stat.S_ISVTX):
        return s.st_uid != 0
    return s.st_uid != 0 or s.st_mode & 0o022
def ancestors(p):
    while True:
        yield p
        if p == '/': return
        p = os.path.dirname(p)
wrong = []
if os.geteuid() == 0:  # without root there is nothing to take over
    wrong = [p for p in ancestors(top) if bad(p)]
    for package in ('nodectl', 'flux'):
        for d, dirs, files in os.walk(os.path.join(top, package)):
            wrong += [os.path.join(d, n) for n in [''] + dirs + files if bad(os.path.join(d, n))]
if wrong:
    import json
    print(json.dumps({'id': None, 'ready': False, 'error': 'refusing to run as root: ' +
                      wrong[0] + ' can be changed by a user other than root; ' + sys.argv[2]}))
    sys.exit(3)
sys.path.insert(0, top)
os.chdir('/')
from nodectl.install.privhelper import main
sys.exit(main(sys.argv[3:]))
"""


def _writable_by_others(path: str) -> bool:
    """Links and sticky folders (/tmp) owned by root are fine: only root can swap them."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or (stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX):
        return info.st_uid != 0
    return info.st_uid != 0 or bool(info.st_mode & 0o022)


def _ancestors(path: str) -> list[str]:
    chain = [path]
    while path != "/":
        path = os.path.dirname(path)
        chain.append(path)
    return chain


def untrusted_dir(path: str) -> list[str]:
    """The folder and its parents that a non-root user could change."""
    if os.geteuid() != 0:
        return []
    return [p for p in _ancestors(os.path.abspath(path)) if _writable_by_others(p)]


def untrusted_code() -> list[str]:
    """Files (and their folders) of the running code that a non-root user could change
    (nothing to check when not running as root: there is no root to take over)."""
    if os.geteuid() != 0:
        return []
    paths: set[str] = set()
    if getattr(sys, "frozen", False):
        paths.add(sys.executable)
        paths.add(getattr(sys, "_MEIPASS", os.path.dirname(sys.executable)))
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.exists(file):
            paths.add(os.path.abspath(file))
    checked: dict[str, bool] = {}
    wrong: list[str] = []
    for path in sorted(paths):
        for item in _ancestors(path):
            if item not in checked:
                checked[item] = _writable_by_others(item)
                if checked[item]:
                    wrong.append(item)
    return wrong

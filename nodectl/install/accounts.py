"""Which account may become the node user (it gets password-less sudo for FluxOS).

Accounts are read from ``/etc/passwd`` and ``/etc/group`` under the helper's trusted root. The
node user must be a regular account (uid in ``UID_MIN..UID_MAX`` of ``/etc/login.defs``, so
neither root, a service account such as ``www-data`` nor ``nobody``), with its home at
``/home/<name>``, a login shell, and must not be the desktop user who runs FluxDesk: giving
that account ``NOPASSWD`` sudo would hand root to every program of the desktop session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from nodectl.install.operations import OperationRefused
from nodectl.install.safefs import Root

NO_LOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str
    shell: str
    groups: tuple[int, ...] = ()


def _table(root: Root, path: str) -> list[list[str]]:
    data = root.read(path) or b""
    return [line.split(":") for line in data.decode("utf-8", "replace").splitlines()
            if line and not line.startswith("#")]


def uid_range(root: Root) -> tuple[int, int]:
    low, high = 1000, 60000
    for line in (root.read("/etc/login.defs") or b"").decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            if parts[0] == "UID_MIN":
                low = int(parts[1])
            elif parts[0] == "UID_MAX":
                high = int(parts[1])
    return max(low, 1000), high


def lookup(root: Root, name: str) -> Account | None:
    for row in _table(root, "/etc/passwd"):
        if len(row) >= 7 and row[0] == name and row[2].isdigit() and row[3].isdigit():
            gid = int(row[3])
            extra = tuple(int(g[2]) for g in _table(root, "/etc/group")
                          if len(g) >= 4 and g[2].isdigit() and name in g[3].split(","))
            return Account(name, int(row[2]), gid, row[5], row[6],
                           tuple(dict.fromkeys((gid, *extra))))
    return None


@dataclass(frozen=True)
class Policy:
    """``caller_uid``: the desktop user that asked for root (never the node user);
    ``downloads_uid``: who owns the archives the app downloaded for extraction."""

    root: Root
    caller_uid: int
    downloads_uid: int

    def node_account(self, name: str) -> Account:
        account = lookup(self.root, name)
        if account is None:
            raise OperationRefused(f"no such user: {name} (create it with the user step)")
        self.check(account)
        return account

    def check(self, account: Account) -> None:
        low, high = uid_range(self.root)
        if not low <= account.uid <= high:
            raise OperationRefused(
                f"{account.name} (uid {account.uid}) is a system account; the node user must "
                f"be a regular account (uid {low}..{high}): choose a new name")
        if account.uid == self.caller_uid:
            raise OperationRefused(
                f"{account.name} is the desktop user running FluxDesk; the node user gets "
                "password-less sudo, so it must be a separate account: choose a new name")
        if account.home != f"/home/{account.name}":
            raise OperationRefused(f"{account.name}'s home is {account.home}, not "
                                   f"/home/{account.name}: use a dedicated new user")
        if account.shell in NO_LOGIN_SHELLS:
            raise OperationRefused(f"{account.name} is a service account (no login shell): "
                                   "choose a new name")


def caller_uid() -> int:
    """The user who asked for root: pkexec and sudo say so; else the parent's real uid."""
    for var in ("PKEXEC_UID", "SUDO_UID"):
        value = os.environ.get(var, "")
        if value.isdigit():
            return int(value)
    try:
        with open(f"/proc/{os.getppid()}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return os.getuid()

"""The REAL privileged helper process, started as the installer starts it (python -I -S -B and
the trust bootstrap), with every file operation confined to a fake machine root in a temp
folder (``--root``). Commands would run on this machine, so attack tests only send requests
that must be refused; the few accepted commands are read-only (``id``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nodectl.install.operations import install_wire
from nodectl.install.params import NodeSecrets, make_params
from nodectl.install.privclient import HelperError, PrivilegedHelper

from .conftest import param_kwargs

NODE_UID = 1001
DESKTOP_UID = 1000  # the user "running FluxDesk" in these tests
PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    f"desk:x:{DESKTOP_UID}:{DESKTOP_UID}::/home/desk:/bin/bash\n"
    f"fluxnode:x:{NODE_UID}:{NODE_UID}::/home/fluxnode:/bin/bash\n"
    "elsewhere:x:1002:1002::/srv/elsewhere:/bin/bash\n"
)


class MachineRoot:
    """A fake ``/`` owned by root: /etc with a shadow file, a node user's home."""

    def __init__(self, base: Path) -> None:
        self.path = base / "machine"
        for folder in ("etc/sudoers.d", "etc/cron.d", "etc/systemd/system",
                       "etc/logrotate.d", "etc/apt/sources.list.d", "usr/share/keyrings"):
            (self.path / folder).mkdir(parents=True, exist_ok=True)
        self.path.chmod(0o755)
        (self.path / "etc/passwd").write_text(PASSWD)
        (self.path / "etc/group").write_text("docker:x:999:fluxnode\n")
        (self.path / "etc/fstab").write_text("")
        shadow = self.path / "etc/shadow"
        shadow.write_text("root:$6$SECRET-HASH:19000:0:99999:7:::\n")
        shadow.chmod(0o640)
        self.home = self.path / "home/fluxnode"
        self.home.mkdir(parents=True)
        os.chown(self.home, NODE_UID, NODE_UID)
        self.home.chmod(0o750)

    def real(self, path: str) -> Path:
        return self.path / path.lstrip("/")

    def plant_link(self, path: str, target: Path) -> Path:
        """A symbolic link made by the node user (who owns their home)."""
        link = self.real(path)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
        os.lchown(link, NODE_UID, NODE_UID)
        return link

    def snapshot(self) -> dict[str, tuple[int, int, bytes]]:
        """Owner, mode and content of everything outside the node user's home."""
        out: dict[str, tuple[int, int, bytes]] = {}
        for item in sorted(self.path.rglob("*")):
            if self.home in item.parents or item == self.home or item.is_symlink():
                continue
            info = item.lstat()
            out[str(item)] = (info.st_uid, info.st_mode, item.read_bytes() if item.is_file()
                              else b"")
        return out


def install_args(**over: object) -> dict[str, Any]:
    """Valid install parameters on the wire, with ``over`` replacing fields unchecked."""
    p = make_params(**param_kwargs())  # type: ignore[arg-type]
    wire = install_wire(p, NodeSecrets("rpcuser1", "rpcpassword1234567890"))
    wire.update(over)
    return wire


class Rig:
    def __init__(self, machine: MachineRoot, helper: PrivilegedHelper) -> None:
        self.machine = machine
        self.helper = helper

    async def refused(self, op: str, args: dict[str, Any] | None = None) -> str:
        try:
            await self.helper.call(op, args or {})
        except HelperError as exc:
            assert "refused" in str(exc), str(exc)
            return str(exc)
        raise AssertionError(f"{op} {json.dumps(args)} was accepted")

    async def raw(self, request: dict[str, Any]) -> dict[str, Any]:
        return await self.helper.send_raw(json.dumps(request))


def helper_for(machine: MachineRoot, caller_uid: int = DESKTOP_UID) -> PrivilegedHelper:
    # env(1) stands in for pkexec, which tells the helper who asked (PKEXEC_UID).
    return PrivilegedHelper(launcher=["/usr/bin/env", f"PKEXEC_UID={caller_uid}"],
                            helper_args=["--root", str(machine.path)])

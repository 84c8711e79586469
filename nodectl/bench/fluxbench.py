"""fluxbench's own figures (``fluxbench-cli getbenchmarks``) when a node runs on this machine.

They are shown beside ours: fluxbench's verdict is the binding one. The command runs as an async
subprocess; when fluxbench is not installed there is nothing to show and we return None.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from typing import Any

from nodectl.bench.errors import FluxbenchError

# Our measurement key -> the getbenchmarks fields that hold the same figure (newest name first;
# docs/node-ops.md: the exact field set of the closed-source fluxbench is unconfirmed).
COMPARABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "threads": ("cores",),
    "cores": ("real_cores",),
    "ram": ("ram",),
    "ssd": ("ssd",),
    "eps_single": ("eps_singlethread",),
    "eps_all": ("eps",),
    "dws": ("diskwritespeed", "ddwrite"),
    "download": ("download_speed",),
    "upload": ("upload_speed",),
    "latency": ("ping",),
}


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """Pick the figures fluxbench reports that line up with ours."""
    picked: dict[str, Any] = {}
    for key, names in COMPARABLE_FIELDS.items():
        for name in names:
            if doc.get(name) is not None:
                picked[key] = doc[name]
                break
    return picked


async def read_fluxbench(
    executable: str = "fluxbench-cli", *, testnet: bool = False, timeout: float = 15.0
) -> dict[str, Any] | None:
    """``getbenchmarks`` as a dict, or None when fluxbench-cli is not installed."""
    path = shutil.which(executable)
    if path is None:
        return None
    args = [path, *(["-testnet"] if testnet else []), "getbenchmarks"]
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        raise FluxbenchError(f"Could not start {executable}: {exc.strerror or exc}.") from exc
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError as exc:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise FluxbenchError(
            f"{executable} getbenchmarks did not answer within {timeout:.0f} s; "
            "is fluxbenchd running?"
        ) from exc
    if proc.returncode != 0:
        reason = (err or out).decode(errors="replace").strip()[:300]
        raise FluxbenchError(
            f"{executable} getbenchmarks failed ({reason or f'exit code {proc.returncode}'}). "
            "Start the node (fluxd starts fluxbenchd) and try again."
        )
    try:
        doc = json.loads(out.decode(errors="replace"))
    except json.JSONDecodeError as exc:
        raise FluxbenchError(
            f"{executable} getbenchmarks printed something that is not JSON."
        ) from exc
    if not isinstance(doc, dict):
        raise FluxbenchError(f"{executable} getbenchmarks printed JSON that is not an object.")
    return doc

"""fluxbench on this machine: ``getstatus`` and ``getinfo`` through the runner, ``getbenchmarks``
through the benchmark package's ``read_fluxbench`` (one reader of that command in the project)."""

from __future__ import annotations

import json
from typing import Any

from nodectl.bench.errors import FluxbenchError
from nodectl.bench.fluxbench import read_fluxbench
from nodectl.monitor.errors import BadReply, SourceDown, SourceRefused
from nodectl.monitor.models import BenchFigures, BenchStatus
from nodectl.monitor.runner import CommandRunner

RESTART_HINT = "Restart fluxd (it starts fluxbenchd) or run 'fluxbench-cli restartnodebenchmarks'."


class FluxbenchCli:
    def __init__(self, runner: CommandRunner, executable: str = "fluxbench-cli",
                 *, timeout: float = 15.0) -> None:
        self._runner = runner
        self._exe = executable
        self._timeout = timeout

    async def _json(self, command: str) -> Any:
        result = await self._runner.run([self._exe, command], timeout=self._timeout)
        if result.returncode != 0:
            reason = (result.stderr or result.stdout).strip()[:300]
            raise SourceRefused(f"fluxbench-cli {command} failed ({reason or 'no output'}).",
                                RESTART_HINT, reason=reason)
        try:
            return json.loads(result.stdout)
        except ValueError:
            raise BadReply(f"fluxbench-cli {command} printed something that is not JSON.",
                           RESTART_HINT) from None

    async def status(self) -> BenchStatus:
        return BenchStatus.from_json("fluxbench", await self._json("getstatus"))

    async def version(self) -> str | None:
        doc = await self._json("getinfo")
        version = doc.get("version") if isinstance(doc, dict) else None
        return version if isinstance(version, str) else None

    async def benchmarks(self) -> BenchFigures:
        try:
            doc = await read_fluxbench(self._exe, timeout=self._timeout)
        except FluxbenchError as exc:
            raise SourceRefused(str(exc), RESTART_HINT) from None
        if doc is None:
            raise SourceDown("fluxbench-cli is not installed here.",
                             "Install the node with FluxDesk's installer.")
        return BenchFigures.from_json("fluxbench", doc)

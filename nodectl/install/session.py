"""The install flow shared by the CLI and the GUI: preflight, plan, run, repair, uninstall."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flux import http
from flux.ports import DEFAULT_API_PORT
from nodectl.install.events import EventSink, ignore
from nodectl.install.facts import HostFacts, gather
from nodectl.install.host import Host
from nodectl.install.params import InstallParams
from nodectl.install.plan import PLAN_NOTES, build_plan
from nodectl.install.preflight import PublicIp, Report, evaluate
from nodectl.install.runner import Runner, RunResult, make_context
from nodectl.install.state import InstallState
from nodectl.install.steps.base import InstallContext, KeySource, WriteFile
from nodectl.install.steps.system import https_key_source

if TYPE_CHECKING:
    import aiohttp

# Public IPv4 services in the official installer's order (docs/node-ops.md).
PUBLIC_IP_URLS = ("https://api4.my-ip.io/ip", "https://checkip.amazonaws.com",
                  "https://api.ipify.org")

# Shown where an input is still missing; such a plan can be displayed, never run.
PLACEHOLDERS = {
    "identity_wif": "<identity key>", "collateral_txid": "<collateral txid>",
    "collateral_index": "<collateral index>", "public_ip": "<public IPv4>",
    "zelid": "<Flux ID>",
}


async def lookup_public_ip(urls: Sequence[str] = PUBLIC_IP_URLS, timeout: float = 5.0,
                           ) -> PublicIp:
    errors: list[str] = []
    limit = http.client_timeout(total=timeout)
    async with http.new_session(limit) as session:
        for url in urls:
            try:
                # An address is a few bytes; anything long is not an answer worth reading.
                _, text = await http.fetch(session, "GET", url, timeout=limit, max_bytes=1024)
                ipaddress.IPv4Address(text.strip())
                return PublicIp(text.strip())
            except http.Transient as exc:
                errors.append(f"{url.split('/')[2]}: {exc}")
            except ValueError:
                errors.append(f"{url.split('/')[2]}: not an IPv4 address")
    return PublicIp(None, "no answer from " + ", ".join(errors))


def display_params(user: str, tier: str, network: str, values: dict[str, Any],
                   ) -> tuple[InstallParams, list[str]]:
    """Params for showing a plan before every input is known (never for running)."""
    missing = [k for k in PLACEHOLDERS if values.get(k) in (None, "")]
    merged: dict[str, Any] = {k: values.get(k) or PLACEHOLDERS[k] for k in PLACEHOLDERS}
    extra = {k: v for k, v in values.items() if k not in PLACEHOLDERS and v is not None}
    return InstallParams(user=user, tier=tier, network=network, **merged, **extra), missing


@dataclass
class Preflight:
    facts: HostFacts
    public_ip: PublicIp
    report: Report


@dataclass
class InstallSession:
    host: Host
    data_dir: Path
    key_source: KeySource = https_key_source
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def state_path(self) -> Path:
        return self.data_dir / "node-install" / "state.json"

    async def preflight(self, *, user: str, tier: str, api_port: int = DEFAULT_API_PORT,
                        public_ip: PublicIp | None = None) -> Preflight:
        facts = await gather(self.host, user)
        ip = public_ip or await lookup_public_ip()
        return Preflight(facts, ip, evaluate(facts, tier=tier, user=user, api_port=api_port,
                                             public_ip=ip))

    def shown_context(self, params: InstallParams, facts: HostFacts) -> InstallContext:
        return InstallContext(self.host, params, facts, None, self.key_source,
                              dict(self.options))

    async def describe(self, params: InstallParams, facts: HostFacts) -> dict[str, Any]:
        """The plan with commands, file contents and diffs against files already there."""
        ctx = self.shown_context(params, facts)
        steps = build_plan(params, facts)
        state = InstallState.load(self.state_path)
        described = []
        for step in steps:
            current: dict[str, str | None] = {}
            for action in step.actions(ctx):
                if isinstance(action, WriteFile):
                    current[action.path] = await self._readable(action.path)
            entry = step.describe(ctx, current).as_dict()
            record = state.steps.get(step.step_id)
            entry["state"] = record.status if record else "pending"
            entry["weight"] = step.weight
            described.append(entry)
        return {"params": params.public_dict(), "facts": facts.as_dict(),
                "notes": list(PLAN_NOTES), "steps": described}

    async def _readable(self, path: str) -> str | None:
        try:
            return await self.host.read_text(path)
        except Exception:  # unreadable without privileges: show the file as new
            return None

    async def runner(self, params: InstallParams, facts: HostFacts, emit: EventSink = ignore,
                     session: aiohttp.ClientSession | None = None) -> Runner:
        options = dict(self.options)
        if "downloader" not in options and session is not None:
            from nodectl.install.bootstrap import Downloader  # imports aiohttp: not at start-up

            options["downloader"] = Downloader(session)
        ctx = await make_context(self.host, params, facts, key_source=self.key_source,
                                 options=options)
        state = InstallState.load(self.state_path)
        return Runner(build_plan(params, facts), ctx, state, emit)

    async def execute(self, params: InstallParams, facts: HostFacts, emit: EventSink = ignore,
                      mode: str = "install") -> RunResult:
        """mode: "install" (resume/skip finished), "repair" or "uninstall"."""
        timeout = http.client_timeout(sock_connect=15, sock_read=60)
        async with http.new_session(timeout) as session:
            runner = await self.runner(params, facts, emit, session)
            if mode == "repair":
                return await runner.repair()
            if mode == "uninstall":
                return await runner.uninstall()
            return await runner.run()


"""The whole plan on the sandbox host: end to end, rerun, interruption at every step, retry,
repair, uninstall (acceptance 2)."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from nodectl.install import facts as facts_mod
from nodectl.install.bootstrap import Downloader
from nodectl.install.events import Event, Kind
from nodectl.install.params import InstallParams, make_params
from nodectl.install.plan import build_plan
from nodectl.install.runner import Runner, make_context
from nodectl.install.sandbox import SandboxHost, SandboxInterrupted, sandbox_key_source
from nodectl.install.state import InstallState
from nodectl.install.steps.flux import FluxPackages, FluxRepo

from .conftest import WIF, BootstrapServer, make_bootstrap, param_kwargs

STEP_IDS = [s.step_id for s in build_plan(
    make_params(**param_kwargs()),  # type: ignore[arg-type]
    facts_mod.HostFacts(ram_mib=16384))]


class Harness:
    def __init__(self, tmp: Path, server: BootstrapServer, session: aiohttp.ClientSession,
                 params: InstallParams) -> None:
        self.tmp, self.server, self.session, self.params = tmp, server, session, params
        server.files.setdefault("b.tar.gz", make_bootstrap())
        self.host = SandboxHost(tmp / "root")
        self.host.seed_machine()
        self.events: list[Event] = []

    async def runner(self, params: InstallParams | None = None) -> Runner:
        p = params or self.params
        facts = await facts_mod.gather(self.host, p.user)
        options = {"bootstrap_cdns": [f"{self.server.base}/b.tar.gz"], "daemon_poll_s": 0.01,
                   "downloader": Downloader(self.session, backoff=0, reserve=0,
                                            speedtest_seconds=0.2)}
        ctx = await make_context(self.host, p, facts, key_source=sandbox_key_source,
                                 options=options)
        state = InstallState.load(self.tmp / "data" / "install-state.json")
        return Runner(build_plan(p, facts), ctx, state, self.events.append)


def comparable(host: SandboxHost) -> dict[str, str]:
    snap = host.snapshot()
    conf = snap.pop("/home/fluxnode/.flux/flux.conf")
    # RPC credentials are random per install; everything else must be identical.
    snap["flux.conf"] = "\n".join(line for line in conf.splitlines() if not line.startswith("rpc"))
    snap["state"] = host.state_json()
    return snap


@pytest.mark.asyncio
async def test_whole_plan_end_to_end_then_rerun_skips_everything(harness: Harness) -> None:
    result = await (await harness.runner()).run()
    assert result.ok, (result.failed_step, result.message, result.tail)
    assert result.done == STEP_IDS
    host = harness.host
    conf = (await host.read_text("/home/fluxnode/.flux/flux.conf")) or ""
    assert f"zelnodeprivkey={WIF}" in conf and "zelnodeoutpoint=" + "ab" * 32 in conf
    assert host.owners["/home/fluxnode/.flux/flux.conf"] == "fluxnode"
    assert oct(host.path("/home/fluxnode/.flux/flux.conf").stat().st_mode & 0o777) == "0o600"
    assert host.path("/home/fluxnode/.flux/blocks/data.dat").is_file()
    assert not any(host.scratch_dir().iterdir()), "archive must be removed after extraction"
    state = json.loads(host.state_json())
    assert state["units"]["zelcash"] == {"active": True, "enabled": True}
    assert set(state["pm2"]["fluxnode"]) == {"flux", "pm2-logrotate", "watchdog"}
    assert "16100:16199/tcp" in " ".join(state["ufw"]["rules"]) and state["ufw"]["active"]
    assert (await host.read_text("/etc/systemd/system/zelcash.service") or "").count(
        "User=fluxnode") == 1
    shown = json.dumps([e.__dict__ for e in harness.events], default=str)
    saved = (harness.tmp / "data" / "install-state.json").read_text()
    assert WIF not in shown and WIF not in saved, "the identity key must stay in flux.conf"
    progress = [e.overall for e in harness.events]
    assert progress == sorted(progress) and progress[-1] == 1.0

    before = len(host.commands)
    harness.events.clear()
    again = await (await harness.runner()).run()
    assert again.ok and again.done == [] and again.skipped == STEP_IDS
    assert [e.kind for e in harness.events].count(Kind.STEP_SKIP) == len(STEP_IDS)
    mutating = [c for _, c in host.commands[before:] if not host.tools.is_readonly(c)]
    assert mutating == []


@pytest.mark.asyncio
@pytest.mark.parametrize("step_id", STEP_IDS)
async def test_interruption_at_each_step_then_rerun_completes(
        step_id: str, tmp_path: Path, bootstrap_server: BootstrapServer,
        session: aiohttp.ClientSession, params: InstallParams) -> None:
    reference = Harness(tmp_path / "ref", bootstrap_server, session, params)
    starts: dict[str, int] = {}
    runner = await reference.runner()
    runner._emit = lambda e: starts.setdefault(e.step_id, reference.host.operations) \
        if e.kind is Kind.STEP_START else None
    assert (await runner.run()).ok

    broken = Harness(tmp_path / "cut", bootstrap_server, session, params)
    broken.host.interrupt_at = starts[step_id] + 1  # the first operation inside the step
    with pytest.raises(SandboxInterrupted):
        await (await broken.runner()).run()
    saved = InstallState.load(tmp_path / "cut" / "data" / "install-state.json")
    assert saved.steps[step_id].status == "running"
    assert all(saved.steps[s].status == "done" for s in STEP_IDS[:STEP_IDS.index(step_id)])

    result = await (await broken.runner()).run()  # a fresh app start: state read from disk
    assert result.ok, (result.failed_step, result.message, result.tail)
    assert step_id in result.done
    assert set(result.done) | set(result.skipped) == set(STEP_IDS)
    assert comparable(broken.host) == comparable(reference.host)


@pytest.mark.asyncio
async def test_failure_keeps_output_and_fix_then_retry_completes(harness: Harness) -> None:
    harness.host.fail["git"] = 128
    result = await (await harness.runner()).run()
    assert not result.ok and result.failed_step == "fluxos"
    assert "exited with code 128" in result.message
    assert "github.com" in result.fix and result.tail
    saved = InstallState.load(harness.tmp / "data" / "install-state.json")
    assert saved.steps["fluxos"].status == "failed" and saved.steps["fluxos"].tail
    failed = [e for e in harness.events if e.kind is Kind.STEP_FAILED]
    assert failed and failed[0].extra["fix"] == result.fix

    del harness.host.fail["git"]
    retry = await (await harness.runner()).run()
    assert retry.ok and retry.done[0] == "fluxos"


@pytest.mark.asyncio
async def test_repair_redoes_only_what_is_missing(harness: Harness) -> None:
    assert (await (await harness.runner()).run()).ok
    harness.host.remove("/etc/logrotate.d/daemon_debug_log")
    harness.host.remove("/etc/systemd/system/zelcash.service")
    result = await (await harness.runner()).repair()
    assert result.ok
    assert set(result.done) == {"zelcash-service", "logrotate", "verify"}
    assert await harness.host.exists("/etc/logrotate.d/daemon_debug_log")


@pytest.mark.asyncio
async def test_uninstall_removes_services_and_keeps_chain(harness: Harness) -> None:
    assert (await (await harness.runner()).run()).ok
    result = await (await harness.runner()).uninstall()
    assert result.ok, result.tail
    host = harness.host
    for gone in ("/etc/systemd/system/zelcash.service", "/etc/sudoers.d/90-fluxnode-fluxnode",
                 "/etc/logrotate.d/bench_debug_log", "/etc/apt/sources.list.d/flux.list",
                 "/home/fluxnode/watchdog"):
        assert not await host.exists(gone), gone
    assert await host.exists("/home/fluxnode/.flux/blocks/data.dat")
    assert json.loads(host.state_json())["units"]["zelcash"]["enabled"] is False


@pytest.mark.asyncio
async def test_changed_collateral_reruns_only_affected_steps(harness: Harness) -> None:
    assert (await (await harness.runner()).run()).ok
    changed = make_params(**param_kwargs(collateral_txid="cd" * 32))  # type: ignore[arg-type]
    result = await (await harness.runner(changed)).run()
    assert result.ok and result.done == ["flux-conf"]
    conf = await harness.host.read_text("/home/fluxnode/.flux/flux.conf") or ""
    assert "zelnodeoutpoint=" + "cd" * 32 in conf


@pytest.mark.asyncio
async def test_sandbox_catches_a_wrong_order(harness: Harness) -> None:
    runner = await harness.runner()
    runner.steps = [s for s in runner.steps if s.step_id == "user"] + [FluxPackages(), FluxRepo()]
    result = await runner.run()
    assert not result.ok and result.failed_step == "flux-packages"
    assert "Unable to locate package flux" in "\n".join(result.tail)


@pytest.mark.asyncio
async def test_interrupted_extraction_reuses_the_downloaded_archive(harness: Harness) -> None:
    starts: dict[str, int] = {}
    runner = await harness.runner()
    host = harness.host
    runner._emit = lambda e: starts.setdefault(e.step_id, host.operations) \
        if e.kind is Kind.STEP_START else None
    assert (await runner.run()).ok

    again = Harness(harness.tmp / "second", harness.server, harness.session, harness.params)
    # The step first creates ~/.flux (operation 1); extraction is its second operation.
    again.host.interrupt_at = starts["bootstrap"] + 2
    with pytest.raises(SandboxInterrupted):
        await (await again.runner()).run()
    downloads = len(harness.server.requests)
    result = await (await again.runner()).run()
    assert result.ok and "bootstrap" in result.done
    assert len(harness.server.requests) == downloads, "no second download after a cut"
    assert not any(again.host.scratch_dir().iterdir())


@pytest.mark.asyncio
async def test_the_desktop_user_cannot_become_the_node_user(harness: Harness) -> None:
    """Issue 15 (Sudoers): the account running FluxDesk (the sandbox's caller, uid 1000)
    must not get the node user's password-less sudo."""
    passwd = harness.host.path("/etc/passwd")
    passwd.write_text(passwd.read_text() + "desk:x:1000:1000::/home/desk:/bin/bash\n")
    desk = make_params(**param_kwargs(user="desk"))  # type: ignore[arg-type]
    result = await (await harness.runner(desk)).run()
    assert not result.ok and result.failed_step == "user"
    assert "desktop user running FluxDesk" in result.message
    assert not harness.host.path("/etc/sudoers.d/90-fluxnode-desk").exists()

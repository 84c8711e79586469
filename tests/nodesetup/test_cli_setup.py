"""`fluxdesk node setup` end to end: the real command in its own event loop, against tests/sim,
the simulated node and the sandbox install, run again and again with `--until-wait` while time
passes, until the node is CONFIRMED; and its plain errors."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
from pathlib import Path

import pytest

from app.commands import node_setup
from app.main import main
from app.paths import DataPaths
from app.services import NoBackend
from nodesetup.model import StepId, StepView
from tests.nodesetup.harness import World
from tests.wallet.test_wallet_sim import PASSWORD
from wallet.service import WalletService
from wallet.storage.store import WalletStore


def _cli_ports(world: World, data_dir: Path):
    """make_ports for the command's own loop: every client is made inside that loop."""

    def make(args: argparse.Namespace, ctx: object, service: WalletService,
             insight: list[str]) -> node_setup.Setup:
        assert insight == [world.sim.insight_url]
        return world.setup_for_loop(service, data_dir)

    return make


@pytest.mark.asyncio
async def test_one_click_from_the_command_line_resumes_until_confirmed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    service = await world.new_wallet()
    await service.close()
    data_dir = tmp_path / "cli"
    target = DataPaths(data_dir).wallet("regtest", "default")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(world.wallet_store().path, target)
    password = tmp_path / "password"
    password.write_text(PASSWORD)
    password.chmod(0o600)
    monkeypatch.setattr(node_setup, "make_ports", _cli_ports(world, data_dir))
    argv = ("node", "setup", "--until-wait", "--json", "--yes", "--tier", "cumulus",
            "--insight", world.sim.insight_url, "--password-file", str(password),
            "--network", "regtest", "--data-dir", str(data_dir), "--poll", "0")

    steps_seen: list[str] = []
    runs = 0
    last: dict[str, object] = {}
    while last.get("status") != "done":
        runs += 1
        assert runs < 60, f"the setup never finished; last view {last}"
        code = await asyncio.to_thread(main, list(argv))
        out = capfd.readouterr().out
        views = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert code == 0, out
        assert views, "every run prints where the setup stands"
        last = views[-1]
        steps_seen += [str(v["step"]) for v in views]
        # Time passes between two runs, as it would for a person.
        await world.wait(_view_of(last))

    assert runs > 3  # it stopped to wait and resumed from its state file each time
    for step in (StepId.BENCHMARK, StepId.COLLATERAL, StepId.INSTALL, StepId.START,
                 StepId.CONFIRM):
        assert step.value in steps_seen
    assert world.model.confirmed
    # The wallet the CLI used holds the node entry with the identity key.
    assert world.model.confirmed
    reopened = WalletService(WalletStore(target), NoBackend(), network="regtest")
    await reopened.open(PASSWORD)
    try:
        assert len(reopened.document.nodes) == 1
    finally:
        await reopened.close()


def _view_of(data: dict[str, object]) -> StepView:
    return StepView(step=StepId(str(data["step"])), title=str(data["title"]),
                    status=str(data["status"]), waiting_for=str(data.get("waiting_for") or ""))


def test_setup_without_a_wallet_fails_plainly_in_json(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["node", "setup", "--json", "--network", "regtest",
                 "--data-dir", str(tmp_path), "--insight", "http://127.0.0.1:9/api"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 1 and error["kind"] == "setup_failed"
    assert "fluxdesk wallet create" in error["message"]

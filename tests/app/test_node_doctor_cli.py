"""`fluxdesk node doctor [--fix] [--yes] [--json]` as a person runs it, in-process (so the
privileged helper can be the sandbox), against the simulated node: the wallet's Flux ID from
--password-file, fixes through HelperFixes on the SandboxHost, then fix-then-verify."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from app.commands import node_doctor
from app.doctor_fixes import HelperFixes
from app.main import main
from app.paths import DataPaths
from tests.sim.nodeapi.fixhost import SimFixHost, installed_sandbox, remember_node_user
from tests.sim.nodeapi.localnode import LocalSimNode, local_node
from tests.sim.nodeapi.script import OWNER_ID
from wallet.fluxid import flux_id_from_mnemonic
from wallet.storage.crypto import KdfParams
from wallet.storage.model import HdSeed, WalletDocument
from wallet.storage.store import WalletStore

pytestmark = pytest.mark.asyncio
# BIP39 test vector phrase (public, holds nothing).
MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "Doctor-Test-Password-71"
WALLET_ID = flux_id_from_mnemonic(MNEMONIC).address


@dataclass
class Rig:
    node: LocalSimNode
    host: SimFixHost
    capfd: pytest.CaptureFixture[str]
    password_file: Path

    async def doctor(self, *args: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, ["node", "doctor", "--data-dir",
                                              str(self.node.data_dir), *args])
        out, err = self.capfd.readouterr()
        return code, out, err

    async def doc(self, *args: str) -> tuple[int, dict[str, Any]]:
        code, out, err = await self.doctor(*args, "--json")
        assert out.strip(), err
        return code, json.loads(out)


@pytest_asyncio.fixture
async def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              capfd: pytest.CaptureFixture[str]) -> AsyncIterator[Rig]:
    async with local_node(tmp_path / "node") as node:
        for key, value in node.env.items():
            monkeypatch.setenv(key, value)
        remember_node_user(node)
        host = SimFixHost(await installed_sandbox(tmp_path / "sandbox"), node)
        monkeypatch.setattr(node_doctor, "make_fixes", lambda ctx: HelperFixes(host))
        wallet = DataPaths(node.data_dir).wallet("mainnet")
        wallet.parent.mkdir(parents=True, exist_ok=True)
        kdf = KdfParams.argon2id(iterations=1, lanes=1, memory_kib=8)
        WalletStore(wallet, kdf=kdf).create(
            WalletDocument(kind=HdSeed(MNEMONIC), network="mainnet"), PASSWORD).lock()
        password = tmp_path / "password"
        password.write_text(PASSWORD + "\n")
        password.chmod(0o600)
        yield Rig(node, host, capfd, password)


def rules(doc: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in doc["findings"]]


async def test_the_wallets_flux_id_decides_the_flux_id_rule(rig: Rig) -> None:
    rig.node.script.owner_id = OWNER_ID  # not this wallet's
    code, doc = await rig.doc("--password-file", str(rig.password_file))
    assert code == 0 and rules(doc) == ["flux_id_mismatch"]
    assert WALLET_ID in doc["findings"][0]["cause"] and doc["unchecked"] == []
    rig.node.script.owner_id = WALLET_ID
    code, doc = await rig.doc("--password-file", str(rig.password_file))
    assert code == 0 and rules(doc) == [] and doc["unchecked"] == []
    # Without the wallet: not a pass, the doctor says it did not compare, and asks nothing.
    code, doc = await rig.doc()
    assert code == 0 and rules(doc) == []
    [item] = doc["unchecked"]
    assert item["rule"] == "flux_id_mismatch" and "--password-file" in item["next_step"]
    code, out, _ = await rig.doctor()
    assert "[not checked] The node's owner Flux ID is " + WALLET_ID in out
    assert PASSWORD not in out


async def test_a_wrong_password_is_an_error_not_a_skip(rig: Rig, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    wrong.chmod(0o600)
    code, doc = await rig.doc("--password-file", str(wrong))
    assert code == 1 and doc["error"]["kind"] == "wallet"
    assert "not-the-password" not in json.dumps(doc)


async def test_fix_with_json_needs_yes_and_changes_nothing(rig: Rig) -> None:
    rig.node.host.units["mongod"] = ("loaded", "inactive", "dead")
    rig.node.sync_host()
    code, doc = await rig.doc("--fix")
    assert code == 2 and doc["error"]["kind"] == "confirmation_needed"
    assert "--yes" in doc["error"]["message"]
    [fix] = doc["error"]["fixes"]
    assert fix["action"] == "restart_mongod" and fix["rules"] == ["mongod_down"]
    assert fix["steps"] == [{"op": "restart_unit", "argv": ["systemctl", "restart", "mongod"],
                             "as": "root", "cwd": "/"}]
    assert rig.host.performed == []
    # Not a terminal and no --yes: refused the same way in words.
    code, _out, err = await rig.doctor("--fix")
    assert code == 2 and "Run again with --yes" in err and rig.host.performed == []


async def test_fix_then_verify(rig: Rig) -> None:
    rig.node.host.units["mongod"] = ("loaded", "inactive", "dead")
    rig.node.sync_host()
    rig.node.script.bench_failed("Failed: EPS too low")
    rig.node.seed_logs()
    code, doc = await rig.doc("--fix", "--yes", "--wait", "0")
    assert code == 0, doc
    assert set(rules(doc)) == {"mongod_down", "bench_failed"}
    applied = {a["action"]: a for a in doc["fix"]["applied"]}
    assert set(applied) == {"restart_mongod", "restart_benchmark"}
    assert all(a["done"] for a in applied.values())
    assert {v["rule"]: v["fixed"] for v in doc["fix"]["verified"]} == {
        "mongod_down": True, "bench_failed": True}
    assert doc["ok"] is True and doc["fix"]["after"]["findings"] == []
    assert [name for name, _ in rig.host.performed] == ["restart_unit", "rerun_benchmark"] or \
        [name for name, _ in rig.host.performed] == ["rerun_benchmark", "restart_unit"]


async def test_a_failed_fix_is_reported_with_exit_1(rig: Rig) -> None:
    rig.node.host.units["docker"] = ("loaded", "inactive", "dead")
    rig.node.sync_host()
    rig.host.sandbox.fail["systemctl"] = 1
    code, out, _ = await rig.doctor("--fix", "--yes", "--wait", "0")
    assert code == 1
    assert "Restart Docker: not done." in out and "not fixed: docker_down" in out
    code, doc = await rig.doc("--fix", "--yes", "--wait", "0")
    assert code == 1 and doc["ok"] is False
    assert doc["fix"]["applied"][0]["done"] is False
    assert doc["fix"]["verified"] == [{"rule": "docker_down", "fixed": False,
                                       "finding": doc["fix"]["verified"][0]["finding"]}]
    assert doc["fix"]["verified"][0]["finding"]["rule"] == "docker_down"


async def test_nothing_to_fix_and_bad_combinations(rig: Rig) -> None:
    code, doc = await rig.doc("--fix")  # nothing wrong: nothing to confirm
    assert code == 0 and doc["fix"] == {"planned": [], "manual": []} and doc["ok"] is True
    code, doc = await rig.doc("--fix", "--yes", "--node", rig.node.fluxos_address)
    assert code == 2 and doc["error"]["kind"] == "bad_input"
    code, doc = await rig.doc("--yes")
    assert code == 2 and doc["error"]["kind"] == "bad_input"
    rig.node.script.expired()  # started again on the Nodes page: FluxDesk cannot do it here
    code, doc = await rig.doc("--fix")
    assert code == 0 and doc["fix"]["planned"] == []
    assert [m["rule"] for m in doc["fix"]["manual"]] == ["expired"]


class SlowFixHost(SimFixHost):
    """The helper succeeds at once, but the node shows the effect only a moment later (as a
    restarted service that takes time to come up)."""

    delay_s = 0.6

    def _apply(self, op: Any) -> None:
        asyncio.get_running_loop().call_later(self.delay_s, super()._apply, op)


async def test_verify_polls_again_until_the_fix_shows_or_wait_runs_out(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = SlowFixHost(rig.host.sandbox, rig.node)
    monkeypatch.setattr(node_doctor, "make_fixes", lambda ctx: HelperFixes(slow))
    monkeypatch.setattr(node_doctor, "RECHECK_EVERY_S", 0.2)
    rig.node.host.units["mongod"] = ("loaded", "inactive", "dead")
    rig.node.sync_host()
    code, doc = await rig.doc("--fix", "--yes", "--wait", "0")
    assert code == 1 and doc["fix"]["applied"][0]["done"] is True
    assert doc["fix"]["verified"][0]["fixed"] is False  # done, not visible yet: said so
    await asyncio.sleep(SlowFixHost.delay_s)
    rig.node.host.units["mongod"] = ("loaded", "inactive", "dead")
    rig.node.sync_host()
    code, doc = await rig.doc("--fix", "--yes", "--wait", "10")
    assert code == 0, doc
    assert doc["fix"]["verified"] == [{"rule": "mongod_down", "fixed": True, "finding": None}]
    assert 0 < doc["fix"]["checked_for_s"] < 10  # it polled again before it saw the fix

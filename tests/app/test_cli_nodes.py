"""`fluxdesk node …` staking commands and `fluxdesk wallet flux-id|collateral`, run as real
processes against tests/sim over HTTP on 127.0.0.1: add → start → STARTED → CONFIRMED → paid,
refusals as JSON errors (never success), the collateral decision, conf round trip, bad input."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from flux.money import COIN
from tests.app.test_wallet_cli import MNEMONIC, PASSWORD
from tests.paths import REPO_ROOT
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.sim.fluxnodes import FluxnodeModel
from wallet.fluxid import flux_id_from_mnemonic
from wallet.keychain import RECEIVE, Keychain
from wallet.keys import PrivateKey
from wallet.storage.model import HdSeed, WalletDocument


class Cli:
    def __init__(self, tmp: Path, insight: str) -> None:
        self.tmp, self.insight = tmp, insight
        (tmp / "pw").write_text(PASSWORD + "\n")
        (tmp / "pw").chmod(0o600)

    async def __call__(self, *args: str) -> tuple[int, Any]:
        argv = [sys.executable, "-m", "app.main", *args, "--data-dir", str(self.tmp / "data"),
                "--network", "regtest", "--password-file", str(self.tmp / "pw"),
                "--insight", self.insight, "--json"]
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        try:
            return proc.returncode or 0, json.loads(out.decode())
        except ValueError:
            raise AssertionError(f"not JSON: {out.decode()!r} {err.decode()!r}") from None


def node(listing: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in listing["nodes"] if n["name"] == name)


@pytest.mark.asyncio
async def test_node_commands_end_to_end(sim: SimNetwork, tmp_path: Path) -> None:  # noqa: F811
    model = FluxnodeModel(sim.chain)
    cli = Cli(tmp_path, sim.insight_url)
    (tmp_path / "seed").write_text(MNEMONIC + "\n")
    code, out = await cli("wallet", "restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 0, out
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    coin = sim.fund(kc.derive(RECEIVE, 0).address, 1_000 * COIN)
    spare = sim.fund(kc.derive(RECEIVE, 0).address, 1_000 * COIN)
    outpoint, spare_op = f"{coin.txid}:{coin.vout}", f"{spare.txid}:{spare.vout}"

    code, out = await cli("node", "candidates")
    assert code == 0
    found = {c["outpoint"]: c for c in out["coins"]}
    assert found[outpoint]["decision"] == "candidate" and found[outpoint]["locked"]

    # Bad input is a usage error with a plain message, as JSON.
    code, out = await cli("node", "add", "x", "zz:0")
    assert code == 2 and "TXID:VOUT" in out["error"]["message"]
    code, out = await cli("node", "remove", "ghost")
    assert code == 2 and out["error"]["kind"] == "bad_input"
    assert "No node is named 'ghost'" in out["error"]["message"]

    code, out = await cli("node", "add", "alpha", outpoint)
    assert code == 0 and out["tier"] == "cumulus" and out["identity"] == "new"
    code, out = await cli("node", "start", "alpha", "--yes")
    assert code == 1 and out["error"]["kind"] == "start_refused"
    assert out["error"]["reason"] == "maturity" and out["error"]["eta_seconds"] == 98 * 30

    sim.mine(98)
    code, out = await cli("node", "start", "alpha", "--dry-run")
    assert code == 0 and out["dry_run"] and out["fee"] == 0
    code, out = await cli("node", "start", "alpha")  # no --yes and no terminal: not sent
    assert code == 1 and "Not sent" in out["error"]["message"]
    code, out = await cli("node", "start", "alpha", "--yes")
    assert code == 0 and out["state"] == "starting", out
    assert sim.chain.in_mempool(out["txid"])
    code, listing = await cli("node", "list")
    assert node(listing, "alpha")["state"] == "starting"

    sim.mine()
    code, listing = await cli("node", "list")
    assert node(listing, "alpha")["state"] == "started"
    code, out = await cli("node", "start", "alpha", "--yes")
    assert code == 1 and out["error"]["kind"] == "start_refused"

    conf = tmp_path / "fluxnode.conf"
    code, out = await cli("node", "export-conf", str(conf))
    assert code == 0 and out["nodes"] == 1
    wif = conf.read_text().split("\n")[1].split()[2]
    model.run_node(PrivateKey.from_wif(wif).public_key())
    sim.mine(3)
    code, listing = await cli("node", "list")
    alpha = node(listing, "alpha")
    assert alpha["state"] == "confirmed" and alpha["rewards"]["payments"] >= 1
    assert alpha["rewards"]["total"] >= COIN and alpha["last_paid_height"] > 0

    code, out = await cli("wallet", "flux-id")
    assert code == 0 and out["flux_id"] == flux_id_from_mnemonic(MNEMONIC).address

    # The spare 1 000 FLUX coin is locked until the user says it is not a collateral.
    code, before = await cli("wallet", "balance")
    code, out = await cli("wallet", "collateral", spare_op, "--not-collateral")
    assert code == 0 and out["is_collateral"] is False
    code, after = await cli("wallet", "balance")
    spendable = after["balances"]["spendable"] - before["balances"]["spendable"]
    assert spendable == 1_000 * COIN

    code, out = await cli("node", "remove", "alpha")
    assert code == 0 and out["collateral_locked"]
    code, out = await cli("node", "import-conf", str(conf))
    assert code == 0 and out["added"] == ["alpha"]
    code, listing = await cli("node", "list")
    assert node(listing, "alpha")["state"] == "confirmed"

"""`fluxdesk node prepare-collateral` and `fluxdesk node start --all` as real processes against
tests/sim: the send-to-self of the exact amount (refused plainly when short, asked for unless
--yes), then "start all" over nodes in several states with its report and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.commands.failure import EXIT_FAILED, EXIT_OK
from app.commands.node_batch import Reported, _report, exit_code
from flux.money import COIN
from tests.app.test_cli_nodes import Cli
from tests.app.test_wallet_cli import MNEMONIC
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from tests.sim.fluxnodes import FluxnodeModel
from wallet.keychain import RECEIVE, Keychain
from wallet.nodes.batch import BatchItem, Outcome
from wallet.nodes.state import NodeState
from wallet.storage.model import HdSeed, WalletDocument


def outcomes(out: dict[str, object]) -> dict[str, str]:
    return {n["name"]: n["outcome"] for n in out["nodes"]}  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_prepare_collateral_then_start_all(sim: SimNetwork, tmp_path: Path) -> None:  # noqa: F811
    FluxnodeModel(sim.chain)
    cli = Cli(tmp_path, sim.insight_url)
    (tmp_path / "seed").write_text(MNEMONIC + "\n")
    code, out = await cli("wallet", "restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 0, out
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    home = kc.derive(RECEIVE, 0).address

    busy = sim.fund(home, 1_000 * COIN, confirmations=100)  # locked: not spendable
    ripe = sim.fund(home, 1_000 * COIN, confirmations=100)

    # Too little: a plain refusal, nothing sent.
    sim.fund(home, 600 * COIN)
    code, out = await cli("node", "prepare-collateral", "--tier", "cumulus", "--yes")
    assert code == EXIT_FAILED and out["error"]["kind"] == "insufficient_funds", out
    assert "Nothing was sent" in out["error"]["message"] and not sim.chain.mempool

    sim.fund(home, 600 * COIN)
    code, out = await cli("node", "prepare-collateral", "--tier", "cumulus", "--dry-run")
    assert code == EXIT_OK and out["dry_run"] and out["amount"] == 1_000 * COIN
    assert out["change"] == 200 * COIN - out["fee"] and not sim.chain.mempool
    code, out = await cli("node", "prepare-collateral", "--tier", "cumulus")  # nobody to ask
    assert code == EXIT_FAILED and "Not sent" in out["error"]["message"]
    assert not sim.chain.mempool
    code, made = await cli("node", "prepare-collateral", "--yes", "--tier", "cumulus")
    assert code == EXIT_OK, made
    assert sim.chain.in_mempool(made["txid"]) and made["outpoint"].startswith(made["txid"])
    assert made["maturity"] == {"confirmations": 0, "needed": 100, "blocks_left": 100,
                                "eta_seconds": 100 * 30}
    sim.mine()
    code, out = await cli("node", "candidates")
    [coin] = [c for c in out["coins"] if c["outpoint"] == made["outpoint"]]
    assert coin["locked"] and coin["decision"] == "collateral"
    assert coin["maturity"]["eta_seconds"] == 99 * 30

    # Three nodes: one started (skipped), one ripe (sent), the prepared one (refused: young).
    for name, outpoint in (("busy", f"{busy.txid}:{busy.vout}"),
                           ("ripe", f"{ripe.txid}:{ripe.vout}"), ("young", made["outpoint"])):
        code, out = await cli("node", "add", name, outpoint)
        assert code == EXIT_OK, out
    code, out = await cli("node", "start", "busy", "--yes")
    assert code == EXIT_OK, out
    sim.mine()

    code, out = await cli("node", "start", "--all", "--dry-run")
    assert code == EXIT_OK and out["dry_run"]
    assert outcomes(out) == {"busy": "skipped", "ripe": "ready", "young": "refused"}
    young = next(n for n in out["nodes"] if n["name"] == "young")
    assert "confirmations; start possible in" in young["reason"]
    assert young["eta_seconds"] == 98 * 30
    assert "already started" in next(n for n in out["nodes"] if n["name"] == "busy")["reason"]
    assert len(sim.chain.mempool) == 0
    code, out = await cli("node", "start", "--all")  # no --yes and no terminal: not sent
    assert code == EXIT_FAILED and "Not sent" in out["error"]["message"]
    code, out = await cli("node", "start", "--all", "ripe")
    assert code == 2

    code, out = await cli("node", "start", "--all", "--yes")
    assert code == EXIT_FAILED, out
    assert outcomes(out) == {"busy": "skipped", "ripe": "sent", "young": "refused"}
    sent = next(n for n in out["nodes"] if n["name"] == "ripe")
    assert sim.chain.in_mempool(sent["txid"]) and len(sim.chain.mempool) == 1
    assert out["error"]["kind"] == "start_all_incomplete" and "young" in out["error"]["message"]

    code, out = await cli("node", "remove", "young")
    code, out = await cli("node", "start", "--all", "--yes")
    assert code == EXIT_OK and "error" not in out
    assert outcomes(out) == {"busy": "skipped", "ripe": "skipped"}


def item(name: str, outcome: Outcome, reason: str = "why", txid: str | None = None) -> BatchItem:
    return BatchItem(name, NodeState.NOT_STARTED, outcome, reason, txid=txid)


def test_start_all_report_and_exit_codes_in_words() -> None:
    items = [item("a", Outcome.SENT, "START broadcast.", "ab" * 32),
             item("b", Outcome.SKIPPED, "The node is already confirmed."),
             item("c", Outcome.REFUSED, "The collateral has 3/100 confirmations.")]
    report = _report(items, dry_run=False, as_json=False)
    assert isinstance(report, Reported) and report.code == EXIT_FAILED
    text = str(report.body)
    assert text.splitlines()[0] == "Start all: 1 refused, 1 sent, 1 skipped"
    assert "c                refused     The collateral has 3/100" in text
    assert f"START {'ab' * 32}" in text
    assert exit_code(items[:2]) == EXIT_OK
    assert exit_code([item("d", Outcome.MAYBE_SENT)]) == 3
    assert exit_code([item("d", Outcome.MAYBE_SENT), item("e", Outcome.FAILED)]) == EXIT_FAILED
    assert _report([], dry_run=False, as_json=False).body == "No nodes yet: nothing to start."

"""A send whose outcome is unknown (exit code 3) stays pending across processes: the next CLI
run must not offer its coins again until it confirms or expires."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux.money import COIN
from tests.app.test_wallet_cli import MNEMONIC, PASSWORD, Cli
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.keychain import RECEIVE, Keychain
from wallet.storage.model import HdSeed, WalletDocument

EXPIRY_DELTA = 6


def inputs_of(review: dict) -> set[tuple[str, int]]:
    return {(i["txid"], i["vout"]) for i in review["inputs"]}


@pytest.mark.asyncio
async def test_coins_of_a_maybe_sent_transaction_are_not_offered_by_the_next_run(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    sim.fund(kc.derive(RECEIVE, 0).address, 5 * COIN)
    sim.fund(kc.derive(RECEIVE, 1).address, 3 * COIN)
    outside = Keychain.from_document(
        WalletDocument(kind=HdSeed(MNEMONIC, "elsewhere"), network="regtest")
    ).derive(RECEIVE, 0).address
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "pw").chmod(0o600)
    (tmp_path / "seed").write_text(MNEMONIC + "\n")
    cli = Cli(tmp_path / "data", sim.insight_url, tmp_path / "pw")
    code, _, err = await cli("restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 0, err

    send = ("send", "--to", outside, "--amount", "1", "--expiry-delta", str(EXPIRY_DELTA))
    code, first, err = await cli(*send, "--dry-run")
    assert code == 0, err
    faults = sim.faults["insight"]
    faults.status, faults.only = 500, ("/tx/send",)
    code, out, err = await cli(*send, "--yes")
    faults.clear()
    assert code == 3 and "may have been sent" in out["message"]

    # A new process: the coins of the unclear send are held, another coin pays.
    code, second, err = await cli(*send, "--dry-run")
    assert code == 0, err
    assert inputs_of(second).isdisjoint(inputs_of(first)), (first["inputs"], second["inputs"])
    code, balance, err = await cli("balance")
    assert code == 0, err
    assert balance["balances"]["spendable"] < 8 * COIN - 1 * COIN

    # Once its expiry height has passed it can no longer be mined: the coins are free again.
    sim.mine(EXPIRY_DELTA + 1)
    code, balance, err = await cli("balance")
    assert code == 0, err
    assert balance["balances"]["spendable"] == 8 * COIN
    code, third, err = await cli(*send, "--dry-run")
    assert code == 0, err
    assert inputs_of(third) == inputs_of(first)

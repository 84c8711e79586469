"""`fluxdesk wallet` as a subprocess against tests/sim; the log never shows seed or keys."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from flux.money import COIN
from flux.networks import REGTEST
from tests.paths import REPO_ROOT
from tests.sim import SimNetwork
from tests.sim.fixtures import sim  # noqa: F401 - the simulator fixture
from wallet.dates import local_date
from wallet.hd import HDKey
from wallet.keychain import CHANGE, RECEIVE, Keychain
from wallet.keys import PrivateKey
from wallet.storage.model import HdSeed, WalletDocument

MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "cli pässword 42"
IMPORTED_WIF = "cVbZ8ovhye9AoAHFsqobCf7LxbXDAECy9Kb8TZdfsDYMZGBUyCnm"


class Cli:
    def __init__(self, data_dir: Path, insight: str, password_file: Path) -> None:
        self.data_dir = data_dir
        self.insight = insight
        self.password_file = password_file

    async def __call__(self, *args: str, json_out: bool = True) -> tuple[int, Any, str]:
        argv = [
            sys.executable, "-m", "app.main", "--data-dir", str(self.data_dir),
            "--network", "regtest", "wallet", *args,
            "--password-file", str(self.password_file), "--insight", self.insight,
        ]
        if json_out:
            argv.append("--json")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=REPO_ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        text = out.decode()
        data = json.loads(text) if json_out else text
        if json_out and proc.returncode:
            data = data["error"]  # the error document, on stdout where a script reads
            assert data["message"] and data["kind"] and b"Traceback" not in err
        return proc.returncode or 0, data, err.decode()


def secrets_of_the_wallet() -> list[str]:
    """Seed words run, xprv, and the WIF of every key the test touches."""
    master = HDKey.from_mnemonic(MNEMONIC, REGTEST)
    account = master.derive(f"m/44'/{REGTEST.coin_type}'/0'")
    wifs = [
        account.child(chain).child(i).private_key.to_wif(REGTEST)
        for chain in (RECEIVE, CHANGE) for i in range(8)
    ]
    words = MNEMONIC.split()
    return [
        MNEMONIC, " ".join(words[:6]), " ".join(words[6:]), master.xprv(), account.xprv(),
        IMPORTED_WIF, PrivateKey.from_wif(IMPORTED_WIF).secret.hex(), PASSWORD, *wifs,
    ]


@pytest.mark.asyncio
async def test_cli_restore_balance_history_send_and_clean_log(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    sim.fund(kc.derive(RECEIVE, 3).address, 5 * COIN)
    sim.fund(kc.derive(CHANGE, 2).address, 2 * COIN)
    outside = Keychain.from_document(
        WalletDocument(kind=HdSeed(MNEMONIC, "elsewhere"), network="regtest")
    ).derive(RECEIVE, 0).address
    data_dir = tmp_path / "data"
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "seed").write_text(MNEMONIC + "\n")
    (tmp_path / "wif").write_text(IMPORTED_WIF + "\n")
    cli = Cli(data_dir, sim.insight_url, tmp_path / "pw")

    code, restored, err = await cli("restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 0, err
    assert restored["balances"]["total"] == 7 * COIN and restored["transactions"] == 2
    assert (data_dir / "wallets" / "regtest" / "default.fluxwallet").exists()

    code, text, err = await cli("balance", json_out=False)
    assert code == 0, err
    assert "Spendable" in text and " 7 REG" in text and "FLUX" not in text

    code, receive, _ = await cli("receive")
    assert receive["address"] == kc.derive(RECEIVE, 4).address

    code, dry, err = await cli("send", "--to", outside, "--amount", "1.5", "--dry-run")
    assert code == 0, err
    assert dry["dry_run"] and dry["amount"] == 150_000_000 and sim.chain.mempool == {}

    code, out, err = await cli("send", "--to", outside, "--amount", "1.5", "--message", "cli")
    assert code == 1 and "--yes" in out["message"] and sim.chain.mempool == {}

    code, sent, err = await cli(
        "send", "--to", outside, "--amount", "1.5", "--message", "cli", "--yes"
    )
    assert code == 0, err
    assert sim.chain.in_mempool(sent["txid"]) and sent["change"] > 0
    sim.mine()

    faults = sim.faults["insight"]
    faults.status, faults.only = 500, ("/tx/send",)
    code, out, err = await cli("send", "--to", outside, "--amount", "0.5", "--yes")
    faults.clear()
    assert code == 3 and "may have been sent" in out["message"] and out["kind"] == "maybe_sent"
    assert "Traceback" not in err

    code, history, _ = await cli("history")
    # The send that may have been sent stays listed as pending (kept in the wallet file).
    maybe, confirmed = history["history"][:2]
    assert maybe["confirmations"] == 0 and maybe["type"] == "sent" and maybe["amount"] < -50_000_000
    assert confirmed["type"] == "sent" and confirmed["message"] == "cli"
    assert confirmed["amount"] == -(150_000_000 + sent["fee"])
    assert maybe["time"] is None and confirmed["time"] == sim.chain.blocks[confirmed["height"]].time
    code, listing, _ = await cli("history", json_out=False)
    assert code == 0 and local_date(confirmed["time"]) in listing and "“cli”" in listing

    code, out, err = await cli("send", "--to", outside, "--amount", "0.123456789")
    assert code == 1 and "8 decimals" in out["message"]
    mainnet = Keychain.from_document(
        WalletDocument(kind=HdSeed(MNEMONIC), network="mainnet")
    ).derive(RECEIVE, 0).address
    code, out, err = await cli("send", "--to", mainnet, "--amount", "1")
    assert code == 1 and "mainnet address" in out["message"]
    code, out, err = await cli("send", "--to", outside, "--amount", "500")
    assert code == 1 and "does not cover" in out["message"]

    code, imported, err = await cli(
        "import-key", "--wallet", "loose", "--wif-file", str(tmp_path / "wif")
    )
    assert code == 0, err
    assert imported["receive_address"] and imported["balances"]["total"] == 0

    logs = "".join(p.read_text() for p in data_dir.rglob("*.log*"))
    assert "wallet" in logs  # the runs did log
    leaked = [s for s in secrets_of_the_wallet() if s in logs]
    assert leaked == []


@pytest.mark.asyncio
async def test_cli_errors_are_plain(sim: SimNetwork, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "pw").write_text(PASSWORD)
    cli = Cli(tmp_path / "data", sim.insight_url, tmp_path / "pw")
    code, out, err = await cli("balance")
    assert code == 1 and "There is no wallet file" in out["message"]
    (tmp_path / "seed").write_text("legal winner thank year\n")
    code, out, err = await cli("restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 1 and "seed" in out["message"].lower() and "Traceback" not in err
    wrong = Cli(tmp_path / "data", "http://127.0.0.1:9/api", tmp_path / "pw")
    (tmp_path / "seed").write_text(MNEMONIC)
    code, out, err = await wrong("restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 1 and "could be reached" in out["message"] and "Traceback" not in err
    assert "The wallet was saved" in out["message"]


@pytest.mark.asyncio
async def test_cli_create_prints_the_seed_once_and_never_logs_it(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    (tmp_path / "pw").write_text(PASSWORD)
    cli = Cli(tmp_path / "data", sim.insight_url, tmp_path / "pw")
    code, created, err = await cli("create", "--words", "12")
    assert code == 0, err
    words = created["mnemonic"].split()
    assert len(words) == 12 and created["address"].startswith("tm")
    code, out, err = await cli("create")
    assert code == 1 and "already exists" in out["message"]
    code, balance, err = await cli("balance")
    assert code == 0 and balance["receive_address"] == created["address"]
    logs = "".join(p.read_text() for p in (tmp_path / "data").rglob("*.log*"))
    assert created["mnemonic"] not in logs and " ".join(words[:4]) not in logs
    # Without --json the words come numbered, in the GUI's column order.
    text_cli = Cli(tmp_path / "data2", sim.insight_url, tmp_path / "pw")
    code, shown, err = await text_cli("create", "--words", "12", json_out=False)
    assert code == 0, err
    assert " 1. " in shown and "12. " in shown and "\n 4. " in shown


@pytest.mark.asyncio
async def test_cli_new_address_survives_restarts_and_works_offline(
    sim: SimNetwork, tmp_path: Path  # noqa: F811
) -> None:
    kc = Keychain.from_document(WalletDocument(kind=HdSeed(MNEMONIC), network="regtest"))
    sim.fund(kc.derive(RECEIVE, 0).address, 5 * COIN)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    (tmp_path / "seed").write_text(MNEMONIC + "\n")
    cli = Cli(tmp_path / "data", sim.insight_url, tmp_path / "pw")
    code, _, err = await cli("restore", "--seed-file", str(tmp_path / "seed"))
    assert code == 0, err
    code, shown, err = await cli("receive")
    assert code == 0 and shown == {"address": kc.derive(RECEIVE, 1).address, "synced": True}
    # --new never repeats the address just shown, and each run is a fresh process.
    code, fresh, err = await cli("receive", "--new")
    assert code == 0, err
    assert fresh["address"] == kc.derive(RECEIVE, 2).address
    code, again, err = await cli("receive")
    assert code == 0 and again["address"] == fresh["address"]

    await sim.stop_server("insight")
    code, offline, err = await cli("receive")
    assert code == 0, err
    assert offline == {"address": fresh["address"], "synced": False}
    assert "unused as of the last sync" in err and "Traceback" not in err
    code, text, err = await cli("receive", json_out=False)
    assert code == 0 and text.strip() == fresh["address"]
    await sim.start_server("insight")

    # Coins arrive on it: the next run sees them (it was watched) and moves on.
    sim.fund(fresh["address"], 1 * COIN)
    code, balance, err = await cli("balance")
    assert code == 0 and balance["balances"]["total"] == 6 * COIN
    assert balance["receive_address"] == kc.derive(RECEIVE, 3).address

"""`fluxdesk node status|doctor|alerts test` run as a user would, against the simulated node."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_fluxdesk
from tests.sim.nodeapi.filekeyring import BACKEND, ENV, FileKeyring
from tests.sim.nodeapi.harness import serve
from tests.sim.nodeapi.localnode import LocalSimNode, local_node
from tests.sim.nodeapi.notify import (
    BOT_TOKEN,
    WEBHOOK_ID,
    WEBHOOK_TOKEN,
    Inbox,
    discord_app,
    telegram_app,
)
from tests.sim.nodeapi.script import MALFORMED

pytestmark = pytest.mark.asyncio


async def fluxdesk(node: LocalSimNode, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_fluxdesk, "--data-dir", str(node.data_dir), "node", *args,
                                   env={**node.env, **env})


def doc_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


async def test_no_node_installed_says_so_and_exits_0(tmp_path: Path) -> None:
    home = tmp_path / "empty-home"
    home.mkdir()
    env = {"HOME": str(home), "FLUXD_CONFIG_PATH": "", "FLUXD_DATADIR": ""}
    for command in ("status", "doctor"):
        words = run_fluxdesk("--data-dir", str(tmp_path / "d"), "node", command, env=env)
        assert words.returncode == 0 and "No FluxNode is installed" in words.stdout
        data = run_fluxdesk("--data-dir", str(tmp_path / "d"), "node", command, "--json",
                            env=env)
        assert data.returncode == 0 and json.loads(data.stdout)["installed"] is False


async def test_synced_confirmed_node_in_words_and_json(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        words = await fluxdesk(node, "status")
        assert words.returncode == 0, words.stderr
        assert words.stdout.splitlines()[1] == ("Earning: confirmed and in the payment queue. "
                                                "Nothing wrong found.")
        assert "Synced at block 2100000" in words.stdout
        assert "Confirmed: in the payment queue." in words.stdout
        assert "Safe to stop the node" in words.stdout
        assert "Position 41 in the queue" in words.stdout
        assert "Watchdog running as installed" in words.stdout
        assert "Doctor: nothing wrong found." in words.stdout
        data = doc_of(await fluxdesk(node, "status", "--json"))
        board = data["dashboard"]
        assert data["answering"] is True and data["findings"] == []
        assert data["headline"]["level"] == "ok"
        assert board["state"]["state"] == "confirmed" and board["sync"]["level"] == "ok"
        assert board["bench"]["result"] == "CUMULUS" and board["payout"]["rank"] == 41
        assert node.script.last_confirmed_height == board["confirm"]["last_confirmed"]


async def test_doctor_names_cause_step_and_command(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        node.script.bench_failed("CPU busy")
        node.host.watchdog_as_fluxdesk_started_it()
        node.host.pm2[1]["pm2_env"].update(pm_cwd=str(node.home),
                                           pm_exec_path=f"{node.watchdog_dir}/watchdog.js")
        node.sync_host()
        words = await fluxdesk(node, "doctor")
        assert words.returncode == 0, words.stderr
        assert "The benchmark failed: CPU busy" in words.stdout
        assert "run (as the node user): fluxbench-cli restartnodebenchmarks" in words.stdout
        assert f"cd {node.watchdog_dir} && pm2 start {node.watchdog_dir}/watchdog.js" \
            in words.stdout
        data = doc_of(await fluxdesk(node, "doctor", "--json"))
        rules = {f["rule"]: f for f in data["findings"]}
        assert set(rules) == {"bench_failed", "watchdog_wrong"}
        assert rules["bench_failed"]["action"] == "restart_benchmark"
        assert "--ignore-watch .git node_modules watchdog_error.log config.js" in \
            rules["watchdog_wrong"]["command"]


async def test_fluxd_silent_gives_the_restart_command(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        node.script.faults["fluxd"] = MALFORMED
        data = doc_of(await fluxdesk(node, "doctor", "--json"))
        silent = next(f for f in data["findings"] if f["rule"] == "fluxd_silent")
        assert silent["command"] == "sudo systemctl restart zelcash" and silent["needs_root"]


async def test_expired_node_points_to_the_nodes_page(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        node.script.expired()
        words = await fluxdesk(node, "status")
        assert "Not started or expired: start it from the Nodes page." in words.stdout
        data = doc_of(await fluxdesk(node, "doctor", "--json"))
        assert [(f["rule"], f["command"]) for f in data["findings"]] == [("expired", None)]


async def test_nothing_answering_is_said_in_words(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        node.script.fluxos_up = False
        node.script.faults.update(fluxd=MALFORMED, fluxbench=MALFORMED)
        node.write_settings(local_api="127.0.0.1:9")
        (node.home / ".flux" / "flux.conf").write_text(
            "rpcuser=u\nrpcpassword=unique-rpc-secret-91\nrpcport=9\n")
        words = await fluxdesk(node, "status")
        assert words.returncode == 0 and words.stdout.startswith("No FluxNode answers at")
        data = doc_of(await fluxdesk(node, "status", "--json"))
        assert data["answering"] is False and set(data["sources"]) >= {"fluxd", "fluxos"}
        assert "unique-rpc-secret-91" not in words.stdout + words.stderr


async def test_remote_node_through_fluxos(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        node.script.syncing(behind=500)
        data = doc_of(await fluxdesk(node, "status", "--json", "--node", node.fluxos_address))
        assert data["node"]["key"] == f"remote:{node.fluxos_address}"
        assert data["dashboard"]["sync"]["behind"] == 500
        assert [f["rule"] for f in data["findings"]] == ["not_synced"]
        bad = await fluxdesk(node, "status", "--json", "--node", "300.1.1.1")
        assert bad.returncode == 2
        assert doc_of(bad)["error"]["kind"] == "bad_input"


async def test_alerts_test_reaches_telegram_and_discord(tmp_path: Path) -> None:
    tg, dc = Inbox(), Inbox()
    async with (local_node(tmp_path) as node, serve(telegram_app(tg)) as tg_url,
                serve(discord_app(dc)) as dc_url):
        store = tmp_path / "keyring.json"
        ring = FileKeyring(store)
        ring.set_password("FluxDesk", "node-monitor/telegram-bot-token", BOT_TOKEN)
        ring.set_password("FluxDesk", "node-monitor/discord-webhook",
                          f"{dc_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}")
        node.write_settings(telegram_chat_id="42", telegram_api=tg_url, label="home-1")
        keyring_env = {"PYTHON_KEYRING_BACKEND": BACKEND, ENV: str(store)}
        sent = await fluxdesk(node, "alerts", "test", "--json", **keyring_env)
        assert sent.returncode == 0, sent.stderr
        assert doc_of(sent)["delivered"] == {"Telegram": True, "Discord": True}
        assert "home-1" in tg.messages[0]["text"]
        assert dc.messages[0]["embeds"][0]["title"] == "FluxDesk test alert"
        ring.set_password("FluxDesk", "node-monitor/telegram-bot-token", "999:wrong-token")
        refused = await fluxdesk(node, "alerts", "test", **keyring_env)
        assert refused.returncode == 1
        assert "Telegram: not delivered: Telegram refused" in refused.stdout
        assert "wrong-token" not in refused.stdout + refused.stderr
        assert WEBHOOK_TOKEN not in refused.stdout + refused.stderr


async def test_alerts_test_without_channels(tmp_path: Path) -> None:
    async with local_node(tmp_path) as node:
        result = await fluxdesk(node, "alerts", "test", "--json",
                                PYTHON_KEYRING_BACKEND=BACKEND,
                                **{ENV: str(tmp_path / "empty.json")})
        assert result.returncode == 1
        assert doc_of(result)["error"]["kind"] == "not_configured"

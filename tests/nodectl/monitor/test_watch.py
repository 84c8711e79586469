"""The whole loop against the simulated node and the alert stand-ins: a state change becomes one
alert in Telegram and Discord, is saved, and is not sent again after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodectl.monitor.alerts.channels import DiscordChannel, TelegramChannel
from nodectl.monitor.alerts.store import MonitorStore
from nodectl.monitor.collect import NodeProbe
from nodectl.monitor.fluxos import FluxosApi
from nodectl.monitor.snapshot import NodeContext
from nodectl.monitor.watch import DEFAULT_INTERVAL_S, NodeWatch
from tests.sim.nodeapi.harness import serve
from tests.sim.nodeapi.notify import (
    BOT_TOKEN,
    WEBHOOK_ID,
    WEBHOOK_TOKEN,
    Inbox,
    discord_app,
    telegram_app,
)


@pytest.mark.asyncio
async def test_state_change_alerted_once_and_remembered(node, tmp_path: Path) -> None:
    now = [1_764_921_600.0]
    tg, dc = Inbox(), Inbox()
    async with serve(telegram_app(tg)) as tg_url, serve(discord_app(dc)) as dc_url:
        fluxos = FluxosApi(node.fluxos_url, timeout=1.0, clock=lambda: now[0])
        channels = [TelegramChannel("42", lambda: BOT_TOKEN, base_url=tg_url),
                    DiscordChannel(lambda: f"{dc_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}")]

        def watch() -> NodeWatch:
            probe = NodeProbe(NodeContext(), fluxd=node.fluxd, fluxos=fluxos,
                              clock=lambda: now[0])
            return NodeWatch(probe, MonitorStore(tmp_path), label="home-1", channels=channels)

        first = watch()
        result = await first.poll()
        assert result.events == () and result.dashboard.state.words.startswith("Confirmed")
        node.script.expired()
        now[0] += DEFAULT_INTERVAL_S
        result = await first.poll()
        assert {e.key for e in result.events} == {"state", "doctor:expired"}
        assert result.undelivered == ()
        assert len(tg.messages) == len(dc.messages) == 2
        assert any("Nodes page" in m["text"] for m in tg.messages)
        now[0] += DEFAULT_INTERVAL_S
        assert (await watch().poll()).events == ()  # restarted: nothing sent twice
        assert len(tg.messages) == 2
        for channel in channels:
            await channel.close()
        await fluxos.close()


@pytest.mark.asyncio
async def test_undelivered_alert_is_reported(node, tmp_path: Path) -> None:
    probe = NodeProbe(NodeContext(), fluxd=node.fluxd)
    dead = TelegramChannel("42", lambda: BOT_TOKEN, base_url="http://127.0.0.1:9", timeout=1)
    watch = NodeWatch(probe, MonitorStore(tmp_path), label="n", channels=[dead])
    node.script.expired()
    result = await watch.poll()
    assert [name for name, _ in result.undelivered] == ["Telegram"]
    await dead.close()

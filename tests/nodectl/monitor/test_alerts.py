"""Alerts: events from state changes, one per debounce period when a state flaps, history kept
and persisted; delivery to local Telegram and Discord stand-ins; the test alert; secrets stay
out of logs and errors; the watchdog's config.js."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from nodectl.monitor.alerts.channels import (
    Alert,
    DiscordChannel,
    TelegramChannel,
    deliver,
    event_alert,
    send_test_alert,
)
from nodectl.monitor.alerts.events import EventTracker, Observation, observe
from nodectl.monitor.alerts.store import MonitorStore
from nodectl.monitor.dashboard import build
from nodectl.monitor.doctor import diagnose
from nodectl.monitor.errors import DeliveryFailed, SourceDown
from nodectl.monitor.ipwatch import IpHistory
from nodectl.monitor.models import ChainInfo, FluxnodeStatus
from nodectl.monitor.snapshot import NodeContext, Snapshot
from nodectl.monitor.watchdog import WatchdogAlerts, render_config_js
from tests.sim.nodeapi.harness import serve
from tests.sim.nodeapi.notify import (
    BOT_TOKEN,
    WEBHOOK_ID,
    WEBHOOK_TOKEN,
    Inbox,
    discord_app,
    telegram_app,
)

BAD = Observation("on", "bad", "MongoDB is failed.")


def test_flapping_state_sends_one_alert_per_debounce_period() -> None:
    tracker = EventTracker(debounce_s=900)
    sent = []
    for minute in range(0, 61):  # the problem comes and goes every minute for an hour
        seen = {"doctor:mongod_down": BAD} if minute % 2 == 0 else {}
        sent += tracker.update(seen, minute * 60.0)
    times = [e.at for e in sent]
    assert times == [0.0, 900.0, 1800.0, 2700.0, 3600.0]  # one per 15 min, not 61
    assert any(e.flaps > 0 for e in sent[1:])
    assert tracker.history == sent


def test_change_that_comes_back_within_the_period_is_not_sent() -> None:
    tracker = EventTracker(debounce_s=900)
    assert [e.new for e in tracker.update({"doctor:x": BAD}, 0)] == ["on"]
    assert tracker.update({}, 60) == []  # resolved, but too soon after the last alert: held
    assert tracker.update({"doctor:x": BAD}, 120) == []  # back on
    assert tracker.update({"doctor:x": BAD}, 960) == []  # period over, same as reported: silent
    resolved = tracker.update({}, 2000)
    assert [(e.old, e.new, e.severity) for e in resolved] == [("on", "off", "ok")]


def test_state_baseline_then_changes() -> None:
    tracker = EventTracker(debounce_s=60)
    confirmed = Observation("confirmed", "ok", "Confirmed.")
    assert tracker.update({"state": confirmed}, 0) == []  # first look: baseline only
    events = tracker.update({"state": Observation("not_started", "bad", "Expired.")}, 10)
    assert [(e.old, e.new) for e in events] == [("confirmed", "not_started")]


def test_observe_from_dashboard_and_doctor() -> None:
    snap = Snapshot(0.0, chain=ChainInfo(100, 100), node=FluxnodeStatus("EXPIRED"))
    ctx = NodeContext()
    seen = observe(build(snap, ctx), diagnose(snap, ctx))
    assert seen["state"].value == "not_started" and seen["doctor:expired"].severity == "bad"


def test_history_persisted_atomically_and_damage_tolerated(tmp_path: Path) -> None:
    store = MonitorStore(tmp_path)
    tracker, ips = store.load()
    tracker.update({"doctor:x": BAD}, 5.0)
    ips.observe("51.15.20.7", 1.0)
    ips.observe("51.15.20.8", 2.0)
    store.save(tracker, ips)
    assert (store.path.stat().st_mode & 0o777) == 0o600
    again, ips_again = MonitorStore(tmp_path).load()
    assert again.history == tracker.history and again.reported == {"doctor:x": "on"}
    assert [c.new for c in ips_again.recent(3.0)] == ["51.15.20.8"]
    assert again.update({"doctor:x": BAD}, 6.0) == []  # no repeat alert after a restart
    store.path.write_text("{half a file")
    fresh, fresh_ips = MonitorStore(tmp_path).load()
    assert fresh.history == [] and fresh_ips.current is None
    assert (tmp_path / "node-monitor.damaged").exists()
    assert IpHistory.from_json({"changes": [{"at": "x"}], "current": 5}).changes == []
    same = IpHistory("51.15.20.7")
    assert same.observe("51.15.20.7:16137", 1.0) is None  # fluxbench's form, same address
    assert same.observe("[2001:db8::1]:16127", 2.0) is not None and same.current == "2001:db8::1"


@pytest.mark.asyncio
async def test_events_delivered_to_telegram_and_discord(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    inbox_tg, inbox_dc = Inbox(), Inbox()
    async with serve(telegram_app(inbox_tg)) as tg_url, serve(discord_app(inbox_dc)) as dc_url:
        telegram = TelegramChannel("42", lambda: BOT_TOKEN, base_url=tg_url)
        discord = DiscordChannel(lambda: f"{dc_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}")
        tracker = EventTracker()
        [event] = tracker.update({"doctor:mongod_down": Observation(
            "on", "bad", "MongoDB <mongod> is failed.")}, 0)
        results = await deliver([telegram, discord], event_alert(event, "node-1"))
        assert results == {"Telegram": None, "Discord": None}
        [tg] = inbox_tg.messages
        assert tg["chat_id"] == "42" and tg["parse_mode"] == "HTML"
        assert "<b>FluxNode problem</b>" in tg["text"] and "&lt;mongod&gt;" in tg["text"]
        [dc] = inbox_dc.messages
        embed = dc["embeds"][0]
        assert embed["color"] == 0xEA1414 and embed["fields"] == [{"name": "Node",
                                                                  "value": "node-1"}]
        await telegram.close()
        await discord.close()
    assert BOT_TOKEN not in caplog.text and WEBHOOK_TOKEN not in caplog.text


@pytest.mark.asyncio
async def test_test_alert_and_429_retry_after() -> None:
    inbox_tg, inbox_dc = Inbox(slow_down=1), Inbox(slow_down=2)
    async with serve(telegram_app(inbox_tg)) as tg_url, serve(discord_app(inbox_dc)) as dc_url:
        channels = [TelegramChannel("42", lambda: BOT_TOKEN, base_url=tg_url),
                    DiscordChannel(lambda: f"{dc_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}")]
        assert await send_test_alert(channels, "node-1") == {"Telegram": None, "Discord": None}
        assert "FluxDesk test alert" in inbox_tg.messages[0]["text"]
        assert inbox_dc.messages[0]["embeds"][0]["title"] == "FluxDesk test alert"
        for channel in channels:
            await channel.close()


@pytest.mark.asyncio
async def test_delivery_failures_are_typed_and_keep_secrets(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    inbox = Inbox()
    async with serve(telegram_app(inbox)) as tg_url, serve(discord_app(inbox)) as dc_url:
        wrong_token = "999:wrong-secret"
        wrong_hook = f"{dc_url}/api/webhooks/{WEBHOOK_ID}/wrong-secret"
        channels = [TelegramChannel("42", lambda: wrong_token, base_url=tg_url),
                    DiscordChannel(lambda: wrong_hook),
                    TelegramChannel("42", lambda: None, base_url=tg_url),
                    DiscordChannel(lambda: "not a url")]
        alert = Alert("t", "x", "bad", "n")
        results = list((await deliver(channels[:2], alert)).values())
        assert all(isinstance(r, DeliveryFailed) for r in results)
        assert "bot token" in results[0].next_step and "Unknown Webhook" in results[1].message
        for channel in channels[2:]:
            with pytest.raises(DeliveryFailed):
                await channel.send(alert)
        text = caplog.text + " ".join(str(r) for r in results) + repr(channels)
        assert "wrong-secret" not in text
        for channel in channels:
            await channel.close()
    down = TelegramChannel("42", lambda: BOT_TOKEN, base_url="http://127.0.0.1:9")
    with pytest.raises(SourceDown) as caught:
        await down.send(Alert("t", "x", "bad", "n"))
    assert BOT_TOKEN not in str(caught.value)
    await down.close()


def test_watchdog_config_js_keys_and_escaping() -> None:
    text = render_config_js(WatchdogAlerts(label='my "node"', telegram_bot_token=BOT_TOKEN,
                                           telegram_chat_id="42",
                                           discord_webhook_url="https://discord.com/api/x"))
    assert text.startswith("module.exports = {\n") and text.endswith("};\n")
    fields = dict(line.strip().rstrip(",").split(": ", 1) for line in text.splitlines()[1:-1])
    values = {k: json.loads(v) for k, v in fields.items()}
    assert list(values) == ["label", "tier_eps_min", "zelflux_update", "zelcash_update",
                            "zelbench_update", "action", "ping", "web_hook_url",
                            "telegram_alert", "telegram_bot_token", "telegram_chat_id"]
    assert values["label"] == 'my "node"' and values["telegram_alert"] == "1"
    assert values["telegram_bot_token"] == BOT_TOKEN and values["ping"] == "0"
    off = render_config_js(WatchdogAlerts(label="n", telegram_bot_token=BOT_TOKEN))
    assert '"telegram_alert": ' not in off and 'telegram_alert: "0"' in off  # no chat id: off
    assert 'telegram_bot_token: "0"' in off and 'web_hook_url: "0"' in off

"""Telegram bot and Discord webhook delivery, the "send test alert" action and a dispatcher.

Secrets (the bot token, the webhook URL, which holds the webhook's token) come from a getter
(the OS keyring in the app) at send time and are never kept in an attribute, a log line or an
error message. Base URLs are settings so tests point them at local stand-ins.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from nodectl.monitor.alerts.events import Event
from nodectl.monitor.errors import DeliveryFailed, MonitorError
from nodectl.monitor.http import HttpSource

log = logging.getLogger(__name__)
SecretGetter = Callable[[], str | None]
TELEGRAM_API = "https://api.telegram.org"
# Watchdog colours (discord_hook): red alert, yellow fix action, green fixed/update.
COLOURS = {"bad": 0xEA1414, "warn": 0xFFFF00, "ok": 0x1F8B4C}
MAX_RETRY_WAIT_S = 30.0


@dataclass(frozen=True)
class Alert:
    title: str
    text: str
    severity: str  # bad / warn / ok
    node: str  # the node's label


class Channel(Protocol):
    name: str

    async def send(self, alert: Alert) -> None: ...

    async def close(self) -> None: ...


def _retry_after(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


class TelegramChannel:
    name = "Telegram"

    def __init__(self, chat_id: str, token: SecretGetter, *, base_url: str = TELEGRAM_API,
                 timeout: float = 10.0, retries: int = 2) -> None:
        self.chat_id = chat_id
        self._token = token
        self._http = HttpSource("Telegram", base_url, timeout=timeout,
                                down_hint="Check the internet connection and try again.")
        self._retries = retries

    async def send(self, alert: Alert) -> None:
        token = self._token()
        if not token:
            raise DeliveryFailed("No Telegram bot token is saved.",
                                 "Enter the token from @BotFather in the alert settings.")
        text = (f"<b>{html.escape(alert.title, quote=False)}</b>\n"
                f"<b>Node:</b> {html.escape(alert.node, quote=False)}\n"
                f"{html.escape(alert.text, quote=False)}")
        body = {"chat_id": self.chat_id, "text": text, "parse_mode": "HTML"}
        for _attempt in range(self._retries + 1):
            reply = await self._http.request("POST", f"/bot{token}/sendMessage", json_body=body)
            doc = reply.body if isinstance(reply.body, dict) else {}
            if reply.status == 200 and doc.get("ok") is True:
                return
            params = doc.get("parameters")
            wait = _retry_after(params.get("retry_after")) if isinstance(params, dict) else None
            if reply.status == 429 and wait is not None and wait <= MAX_RETRY_WAIT_S:
                await asyncio.sleep(wait)
                continue
            described = doc.get("description")
            reason = described if isinstance(described, str) else f"HTTP {reply.status}"
            raise DeliveryFailed(f"Telegram refused the message ({reason}).", _telegram_hint(
                reply.status))
        raise DeliveryFailed("Telegram kept asking to slow down.", "Try again in a minute.")

    async def close(self) -> None:
        await self._http.close()


def _telegram_hint(status: int) -> str:
    if status in (401, 404):
        return "Check the bot token (from @BotFather)."
    if status in (400, 403):
        return "Check the chat ID, and send /start to the bot from that chat first."
    return "Try again later."


class DiscordChannel:
    name = "Discord"

    def __init__(self, webhook_url: SecretGetter, *, timeout: float = 10.0,
                 retries: int = 2) -> None:
        self._webhook = webhook_url
        self._timeout = timeout
        self._retries = retries
        self._http: HttpSource | None = None
        self._origin = ""

    async def send(self, alert: Alert) -> None:
        url = self._webhook()
        if not url:
            raise DeliveryFailed("No Discord webhook is saved.",
                                 "Paste the webhook URL (channel settings → Integrations).")
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise DeliveryFailed("The Discord webhook is not a web address.",
                                 "Paste the whole webhook URL again.")
        origin = f"{parts.scheme}://{parts.netloc}"
        if self._http is None or origin != self._origin:
            if self._http is not None:
                await self._http.close()
            self._http = HttpSource("Discord", origin, timeout=self._timeout,
                                    down_hint="Check the internet connection and try again.")
            self._origin = origin
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        embed = {"title": alert.title, "description": alert.text,
                 "color": COLOURS.get(alert.severity, COLOURS["warn"]),
                 "fields": [{"name": "Node", "value": alert.node or "-"}]}
        body = {"username": "FluxDesk", "embeds": [embed]}
        for _attempt in range(self._retries + 1):
            reply = await self._http.request("POST", path, json_body=body)
            if reply.status in (200, 204):
                return
            doc = reply.body if isinstance(reply.body, dict) else {}
            wait = _retry_after(doc.get("retry_after"))
            if wait is None:
                wait = _retry_after(_float(reply.headers.get("Retry-After")))
            if reply.status == 429 and wait is not None and wait <= MAX_RETRY_WAIT_S:
                await asyncio.sleep(wait)
                continue
            message = doc.get("message")
            reason = message if isinstance(message, str) else f"HTTP {reply.status}"
            raise DeliveryFailed(f"Discord refused the message ({reason}).",
                                 "Check the webhook URL; a deleted webhook must be created "
                                 "again." if reply.status in (401, 404) else "Try again later.")
        raise DeliveryFailed("Discord kept asking to slow down.", "Try again in a minute.")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def event_alert(event: Event, node: str) -> Alert:
    title = {"bad": "FluxNode problem", "warn": "FluxNode warning"}.get(event.severity,
                                                                        "FluxNode back to normal")
    flaps = f" (changed {event.flaps + 1} times since the last alert)" if event.flaps else ""
    return Alert(title, event.text + flaps, event.severity, node)


async def deliver(channels: Sequence[Channel], alert: Alert) -> dict[str, MonitorError | None]:
    """Send to every channel; one failing never stops the others. Result: channel → error."""
    results: dict[str, MonitorError | None] = {}
    for channel in channels:
        try:
            await channel.send(alert)
            results[channel.name] = None
        except MonitorError as exc:
            log.warning("%s alert not delivered: %s", channel.name, exc.message)
            results[channel.name] = exc
    return results


async def send_test_alert(channels: Sequence[Channel], node: str) -> dict[str, MonitorError |
                                                                           None]:
    return await deliver(channels, Alert(
        "FluxDesk test alert", "Alerts for this node reach you here.", "ok", node))

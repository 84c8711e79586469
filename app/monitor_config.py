"""The node monitor's settings (typed, with checks) and its alert secrets in the OS keyring.

The settings are plain values the person chooses (poll interval, remote nodes, chat id); they are
kept in ``settings.json`` under ``node_monitor``. The Telegram bot token and the Discord webhook
URL (which holds the webhook's token) never go there: they live in the OS keyring, are read in a
worker thread and are never logged or shown in an error.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final
from urllib.parse import urlsplit

from nodectl.monitor.alerts.channels import TELEGRAM_API
from nodectl.monitor.alerts.events import DEFAULT_DEBOUNCE_S
from nodectl.monitor.errors import MonitorError
from nodectl.monitor.fluxos import DEFAULT_API_PORT
from nodectl.monitor.watch import DEFAULT_INTERVAL_S

log = logging.getLogger(__name__)

KEYRING_SERVICE: Final = "FluxDesk"
TELEGRAM_TOKEN_ENTRY: Final = "node-monitor/telegram-bot-token"  # noqa: S105 (a name)
DISCORD_WEBHOOK_ENTRY: Final = "node-monitor/discord-webhook"
MIN_INTERVAL_S: Final = 10.0


class BadNodeAddress(ValueError):
    """An ``IP[:port]`` a person typed that is not one."""

    def __init__(self, text: str) -> None:
        super().__init__(f"'{text}' is not a node address. Type the node's IP address, "
                         "optionally with its FluxOS API port (e.g. "
                         f"203.0.113.5:{DEFAULT_API_PORT}).")


def normalise_address(text: str) -> str:
    """``IP[:port]`` (IPv6 in brackets when a port is given) checked; the port 16127 is left out,
    as the node lists do."""
    value = text.strip()
    host, port = value, DEFAULT_API_PORT
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise BadNodeAddress(text)
        if rest:
            port = _port(rest[1:], text)
    elif value.count(":") == 1:
        host, _, raw = value.partition(":")
        port = _port(raw, text)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise BadNodeAddress(text) from None
    shown = f"[{address}]" if address.version == 6 else str(address)
    if port == DEFAULT_API_PORT:
        return str(address)
    return f"{shown}:{port}"


def _port(raw: str, text: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise BadNodeAddress(text)
    return int(raw)


@dataclass
class MonitorSettings:
    interval_s: float = DEFAULT_INTERVAL_S
    debounce_s: float = DEFAULT_DEBOUNCE_S
    remote_nodes: list[str] = field(default_factory=list)
    label: str = ""  # the node's name in alerts; empty: the installer's label or the host name
    flux_conf: str = ""  # empty: the installer's node user, else ~/.flux/flux.conf
    local_api: str = ""  # FluxOS of the local node; empty: 127.0.0.1 and the installer's port
    telegram_chat_id: str = ""
    telegram_api: str = TELEGRAM_API
    notify_desktop: bool = True

    @classmethod
    def from_dict(cls, doc: object) -> MonitorSettings:
        """Unknown or mistyped values fall back to their defaults (logged), never a crash."""
        settings = cls()
        if not isinstance(doc, Mapping):
            return settings
        for item in fields(cls):
            if item.name not in doc:
                continue
            value, default = doc[item.name], getattr(settings, item.name)
            if isinstance(default, bool) != isinstance(value, bool):
                ok = False
            elif isinstance(default, float):
                ok = isinstance(value, int | float)
                value = float(value) if ok else value
            elif isinstance(default, list):
                ok = isinstance(value, list) and all(isinstance(x, str) for x in value)
            else:
                ok = isinstance(value, type(default))
            if ok:
                setattr(settings, item.name, value)
            else:
                log.warning("node monitor setting %s ignored (wrong type)", item.name)
        settings.interval_s = max(MIN_INTERVAL_S, settings.interval_s)
        settings.telegram_api = secure_base_url(settings.telegram_api, TELEGRAM_API)
        addresses = []
        for text in settings.remote_nodes:
            try:
                addresses.append(normalise_address(text))
            except BadNodeAddress:
                log.warning("node monitor: remote node %r ignored (not an address)", text)
        settings.remote_nodes = list(dict.fromkeys(addresses))
        return settings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_monitor_settings(section: Mapping[str, Any]) -> MonitorSettings:
    return MonitorSettings.from_dict(section)


def store_monitor_settings(section: MutableMapping[str, Any], settings: MonitorSettings) -> None:
    section.clear()
    section.update(settings.to_dict())


class BadAlertSetting(MonitorError):
    """An alert setting that cannot work; the message never repeats a secret."""

    kind = "bad_input"


_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
_CHAT = re.compile(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}")


def check_alert_settings(chat_id: str, telegram_token: str | None,
                         discord_webhook: str | None) -> None:
    """Reject what Telegram or Discord could never accept, before it reaches the keyring."""
    if telegram_token and not _TOKEN.fullmatch(telegram_token.strip()):
        raise BadAlertSetting("That is not a Telegram bot token.",
                              "Copy the whole token @BotFather gave (digits, a colon, then "
                              "letters).")
    if chat_id and not _CHAT.fullmatch(chat_id.strip()):
        raise BadAlertSetting("The Telegram chat ID is a number (or @channelname).",
                              "Send a message to the bot, then read the chat ID from "
                              "getUpdates, or use @userinfobot.")
    if discord_webhook:
        parts = urlsplit(discord_webhook.strip())
        if not _secure(discord_webhook.strip()) or "/api/webhooks/" not in parts.path:
            raise BadAlertSetting("That is not a Discord webhook address.",
                                  "Copy it from the channel's settings → Integrations → "
                                  "Webhooks (it starts with https://discord.com/api/webhooks/).")


def secure_base_url(url: str, default: str) -> str:
    """An API base that receives a secret: https, or http to this machine only (test stand-ins)."""
    if _secure(url):
        return url
    log.warning("node monitor: the Telegram API address is not https; using %s", default)
    return default


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "::1", "localhost")
    return bool(parts.netloc) and (parts.scheme == "https" or (parts.scheme == "http" and local))


class KeyringUnavailable(MonitorError):
    kind = "keyring"


_KEYRING_HINT = ("On Linux the keyring needs a Secret Service (GNOME Keyring or KWallet) that is "
                 "running and unlocked.")


class AlertSecrets:
    """The bot token and webhook URL, loaded from the keyring in a worker thread.

    Channels ask ``telegram_token`` / ``discord_webhook`` at send time; between a ``load`` and the
    next the values are held in memory only (never in settings, logs or ``repr``).
    """

    def __init__(self) -> None:
        self._telegram: str | None = None
        self._discord: str | None = None

    def __repr__(self) -> str:
        return "AlertSecrets()"

    def telegram_token(self) -> str | None:
        return self._telegram

    def discord_webhook(self) -> str | None:
        return self._discord

    @property
    def has_telegram(self) -> bool:
        return bool(self._telegram)

    @property
    def has_discord(self) -> bool:
        return bool(self._discord)

    async def load(self) -> None:
        self._telegram, self._discord = await asyncio.to_thread(self._read)

    async def save(self, *, telegram_token: str | None = None,
                   discord_webhook: str | None = None) -> None:
        """Store the values given (an empty string removes that entry); None leaves it."""
        await asyncio.to_thread(self._write, telegram_token, discord_webhook)
        await self.load()

    @staticmethod
    def _read() -> tuple[str | None, str | None]:
        import keyring  # here, in the worker thread: the window shows without loading it

        try:
            return (keyring.get_password(KEYRING_SERVICE, TELEGRAM_TOKEN_ENTRY),
                    keyring.get_password(KEYRING_SERVICE, DISCORD_WEBHOOK_ENTRY))
        except Exception as exc:  # every keyring backend fails its own way
            raise KeyringUnavailable(
                f"The system keyring could not be read ({type(exc).__name__}).",
                _KEYRING_HINT) from None

    @staticmethod
    def _write(telegram: str | None, discord: str | None) -> None:
        import keyring  # see _read

        for entry, value in ((TELEGRAM_TOKEN_ENTRY, telegram), (DISCORD_WEBHOOK_ENTRY, discord)):
            if value is None:
                continue
            try:
                if value.strip():
                    keyring.set_password(KEYRING_SERVICE, entry, value.strip())
                elif keyring.get_password(KEYRING_SERVICE, entry) is not None:
                    keyring.delete_password(KEYRING_SERVICE, entry)
            except Exception as exc:  # see _read
                raise KeyringUnavailable(
                    f"The system keyring could not store the alert settings "
                    f"({type(exc).__name__}).", _KEYRING_HINT) from None

"""The node watchdog: its official pm2 start form, checks of how it runs, and its config.js.

Official start (RunOnFlux/fluxnode-multitool install_pro.sh and FluxOS watchdogService.js): pm2
app ``watchdog`` running ``<dir>/watchdog.js`` **from ``<dir>``**, watching ``<dir>`` with
``--ignore-watch .git node_modules watchdog_error.log config.js`` and ``--watch-delay 20``. The
watchdog reads config.js, watchdog_error.log and package.json relative to its working directory,
so another cwd makes it run without its settings.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from nodectl.monitor.services import WATCHDOG_PM2, Pm2Process

OFFICIAL_IGNORE_WATCH = (".git", "node_modules", "watchdog_error.log", "config.js")


def official_pm2_start(watchdog_dir: str) -> tuple[tuple[str, ...], str]:
    """(argv, working directory) of the official watchdog start."""
    argv = ("pm2", "start", posixpath.join(watchdog_dir, "watchdog.js"), "--name", WATCHDOG_PM2,
            "--watch", watchdog_dir, "--ignore-watch", *OFFICIAL_IGNORE_WATCH,
            "--watch-delay", "20")
    return argv, watchdog_dir


def pm2_problems(process: Pm2Process | None, watchdog_dir: str) -> list[str]:
    """What differs from the official form, in words; empty when it runs as it should."""
    if process is None:
        return ["the watchdog is not in pm2's list"]
    problems = []
    if not process.online:
        problems.append(f"pm2 reports it as '{process.status or 'unknown'}', not online")
    wanted = posixpath.normpath(watchdog_dir)
    if process.cwd is None or posixpath.normpath(process.cwd) != wanted:
        problems.append(f"it runs from {process.cwd or 'an unknown folder'} instead of {wanted}, "
                        "so it cannot find its config.js")
    if process.exec_path and posixpath.normpath(process.exec_path) != posixpath.join(
            wanted, "watchdog.js"):
        problems.append(f"pm2 runs {process.exec_path}, not {wanted}/watchdog.js")
    missing = [x for x in OFFICIAL_IGNORE_WATCH if x not in process.ignore_watch]
    if process.watch and missing:
        problems.append("pm2 restarts it on changes to " + ", ".join(missing) +
                        " (--ignore-watch is missing them)")
    return problems


@dataclass(frozen=True)
class WatchdogAlerts:
    """The alert settings FluxDesk can hand to the watchdog (its config.js keys)."""

    label: str
    discord_webhook_url: str | None = None
    discord_ping_user_id: str | None = None
    telegram_bot_token: str | None = None
    telegram_chat_id: str | None = None


def render_config_js(alerts: WatchdogAlerts, *, tier_eps_min: str = "0",
                     fixes: bool = True) -> str:
    """config.js in the watchdog's format: ``"0"`` means off for every key.

    On non-ArcaneOS nodes the watchdog updates itself, FluxOS, fluxd and fluxbench whatever the
    ``*_update`` keys say; they are written "1" so the file does not suggest a choice. The file
    holds the bot token and webhook URL: write it 0600 in the watchdog folder.
    """
    telegram = bool(alerts.telegram_bot_token and alerts.telegram_chat_id)
    fields = {
        "label": alerts.label,
        "tier_eps_min": tier_eps_min,
        "zelflux_update": "1",
        "zelcash_update": "1",
        "zelbench_update": "1",
        "action": "1" if fixes else "0",
        "ping": alerts.discord_ping_user_id or "0",
        "web_hook_url": alerts.discord_webhook_url or "0",
        "telegram_alert": "1" if telegram else "0",
        "telegram_bot_token": alerts.telegram_bot_token if telegram else "0",
        "telegram_chat_id": alerts.telegram_chat_id if telegram else "0",
    }
    # json.dumps gives a valid JavaScript string literal for any text (quotes, newlines, </script>).
    body = "\n".join(f"  {key}: {json.dumps(value)}," for key, value in fields.items())
    return f"module.exports = {{\n{body}\n}};\n"

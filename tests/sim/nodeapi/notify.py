"""Stand-ins for the Telegram Bot API (sendMessage) and a Discord webhook, recording what they
get. A test can script the next replies as 429 "slow down" with a retry time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_TOKEN = "123456:AAF-secret-bot-token"
WEBHOOK_ID, WEBHOOK_TOKEN = "1090", "secret-webhook-token"


@dataclass
class Inbox:
    messages: list[dict[str, Any]] = field(default_factory=list)
    slow_down: int = 0  # answer this many next requests with 429
    retry_after: float = 0.05


def telegram_app(inbox: Inbox, token: str = BOT_TOKEN) -> web.Application:
    async def send_message(request: web.Request) -> web.Response:
        if request.match_info["token"] != token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        if inbox.slow_down:
            inbox.slow_down -= 1
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": inbox.retry_after}},
                                     status=429)
        doc = await request.json()
        if not doc.get("chat_id") or doc.get("parse_mode") != "HTML" or not doc.get("text"):
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: chat not found"}, status=400)
        inbox.messages.append(doc)
        return web.json_response({"ok": True, "result": {"message_id": len(inbox.messages)}})

    app = web.Application()
    app.router.add_post("/bot{token}/sendMessage", send_message)
    return app


def discord_app(inbox: Inbox) -> web.Application:
    async def execute(request: web.Request) -> web.Response:
        if (request.match_info["id"], request.match_info["token"]) != (WEBHOOK_ID,
                                                                        WEBHOOK_TOKEN):
            return web.json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        if inbox.slow_down:
            inbox.slow_down -= 1
            return web.json_response({"message": "You are being rate limited.",
                                      "retry_after": inbox.retry_after, "global": False},
                                     status=429)
        doc = await request.json()
        if not doc.get("embeds") and not doc.get("content"):
            return web.json_response({"message": "Cannot send an empty message", "code": 50006},
                                     status=400)
        inbox.messages.append(doc)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/api/webhooks/{id}/{token}", execute)
    return app
